"""Field-level encryption with a data key per protected record, and the port of the store that keeps the keys.

A record's data key is kept (wrapped) apart from the events; destroying it makes every copy of the record's sealed
fields unreadable — in the events, in projections and in any backup — without rewriting history (crypto-shredding).
"""

from __future__ import annotations

import base64
import json
import os
from typing import Any, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from registry.common.errors import DomainError

NONCE_BYTES = 12


class Unreadable(DomainError):
    """Sealed fields whose key has been destroyed (or never existed here)."""

    code = "sealed-data-unreadable"
    title = "These details have been sealed and can no longer be read"


class DataKeys(Protocol):
    """The store of data keys: each key has an owner (the record it belongs to) and, optionally, a subject (the
    person it concerns, found again only through this store)."""

    def create(self, key_id: str, *, owner: str, subject: str | None = None) -> bytes:
        """A new random data key, kept under key_id."""
        ...

    def share(self, key_id: str, slot_id: str) -> bytes | None:
        """The key of key_id also kept under slot_id (same owner); None if key_id has no key."""
        ...

    def get(self, key_id: str) -> bytes | None:
        """The key, or None once destroyed (or never made)."""
        ...

    def owned_by_subject(self, subject: str) -> list[str]:
        """The key ids created for this subject that still have their keys."""
        ...

    def shred(self, owner: str, *, shares_only: bool = False) -> None:
        """Destroy every key of the owner (or only its shares) so that no copy, backup or old row opens it again."""
        ...


def seal(key: bytes, fields: dict[str, Any], context: str) -> str:
    """Encrypt fields (JSON) under a data key, bound to their context (a record id, a slot id)."""
    nonce = os.urandom(NONCE_BYTES)
    plaintext = json.dumps(fields, ensure_ascii=False, sort_keys=True).encode()
    return _b64(nonce + AESGCM(key).encrypt(nonce, plaintext, context.encode()))


def unseal(key: bytes | None, sealed: str, context: str) -> dict[str, Any]:
    if key is None:
        raise Unreadable(detail="the key of these details was destroyed when they were sealed")
    raw = base64.b64decode(sealed)
    try:
        plaintext = AESGCM(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], context.encode())
    except InvalidTag:
        raise Unreadable(detail="these details cannot be decrypted") from None
    fields: dict[str, Any] = json.loads(plaintext)
    return fields


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()
