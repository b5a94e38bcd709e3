"""Deterministic ids from natural keys, and keyed hashes of personal identifiers."""

from __future__ import annotations

import hashlib
import hmac
from uuid import UUID, uuid5

# Fixed forever: changing it would re-key every index aggregate already stored.
REGISTRY_NAMESPACE = UUID("6f1c2f3e-2d0b-5b7e-9a51-330782000000")


def natural_id(kind: str, *key: str) -> UUID:
    """The uuid5 id of the one aggregate of `kind` for a natural key (an index aggregate)."""
    return uuid5(REGISTRY_NAMESPACE, "|".join((kind, *key)))


class PersonKeys:
    """Keyed hashes of identity documents: to correlate a person without holding the number in clear.

    Identity numbers have little entropy, so a plain hash could be reversed by enumeration; an HMAC with a
    secret key cannot be without the key.
    """

    def __init__(self, key: bytes) -> None:
        if len(key) < 16:
            raise ValueError("the person-hash key must be at least 16 bytes")
        self._key = key

    def ref(self, document_key: str) -> str:
        """The person's reference: hex HMAC-SHA256 of the document key."""
        return hmac.new(self._key, document_key.encode(), hashlib.sha256).hexdigest()
