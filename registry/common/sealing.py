"""Field-level encryption with one key per protected record, kept apart from the events.

Destroying a record's key makes every copy of its sealed fields unreadable: in the events, in projections and in any
backup of the event store, without rewriting history (crypto-shredding).
"""

from __future__ import annotations

import base64
import json
import os
import sqlite3
import threading
from collections.abc import Callable
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from registry.common.errors import DomainError

NONCE_BYTES = 12


class Unreadable(DomainError):
    """Sealed fields whose key has been destroyed (or never existed here)."""

    code = "sealed-data-unreadable"
    title = "These details have been sealed and can no longer be read"


class KeyStore:
    """Keys by record id in their own database: a SQLite file, or a PostgreSQL schema of its own.

    SQLite runs with secure_delete so that a destroyed key is overwritten on disk, not just unlinked.
    """

    def __init__(self, connect: Callable[[], Any], *, is_postgres: bool) -> None:
        self._connect = connect
        self._is_postgres = is_postgres
        self._lock = threading.Lock()
        self._placeholder = "%s" if is_postgres else "?"

    @classmethod
    def sqlite(cls, path: str) -> KeyStore:
        def connect() -> sqlite3.Connection:
            connection = sqlite3.connect(path, isolation_level=None, timeout=30, check_same_thread=False)
            connection.execute("PRAGMA secure_delete = ON")
            return connection

        return cls(connect, is_postgres=False)

    @classmethod
    def postgres(cls, conninfo: str, schema: str) -> KeyStore:
        import psycopg

        def connect() -> Any:
            connection = psycopg.connect(conninfo, autocommit=True)
            connection.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
            connection.execute(f'SET search_path TO "{schema}"')
            return connection

        return cls(connect, is_postgres=True)

    def migrate(self) -> None:
        self._run("CREATE TABLE IF NOT EXISTS record_keys (record_id TEXT PRIMARY KEY, key_material TEXT NOT NULL)")

    def create(self, record_id: str) -> bytes:
        key = AESGCM.generate_key(bit_length=256)
        p = self._placeholder
        self._run(f"INSERT INTO record_keys (record_id, key_material) VALUES ({p}, {p})", (record_id, _b64(key)))
        return key

    def get(self, record_id: str) -> bytes | None:
        p = self._placeholder
        rows = self._run(f"SELECT key_material FROM record_keys WHERE record_id = {p}", (record_id,))
        return base64.b64decode(rows[0][0]) if rows else None

    def destroy(self, record_id: str) -> None:
        """Overwrite, then delete: the key cannot be had back from this store."""
        p = self._placeholder
        self._run(f"UPDATE record_keys SET key_material = {p} WHERE record_id = {p}", ("0" * 44, record_id))
        self._run(f"DELETE FROM record_keys WHERE record_id = {p}", (record_id,))

    def _run(self, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
        with self._lock:
            connection = self._connection()
            cursor = connection.execute(sql, params)
            rows = list(cursor.fetchall()) if cursor.description else []
            return rows

    def _connection(self) -> Any:
        if not hasattr(self, "_open"):
            self._open = self._connect()
        return self._open

    def close(self) -> None:
        if hasattr(self, "_open"):
            self._open.close()


def seal(key: bytes, fields: dict[str, Any], record_id: str) -> str:
    """Encrypt fields (JSON) under the record's key, bound to the record id."""
    nonce = os.urandom(NONCE_BYTES)
    plaintext = json.dumps(fields, ensure_ascii=False, sort_keys=True).encode()
    return _b64(nonce + AESGCM(key).encrypt(nonce, plaintext, record_id.encode()))


def unseal(key: bytes | None, sealed: str, record_id: str) -> dict[str, Any]:
    if key is None:
        raise Unreadable(detail="the key of these details was destroyed when they were sealed")
    raw = base64.b64decode(sealed)
    try:
        plaintext = AESGCM(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], record_id.encode())
    except InvalidTag:
        raise Unreadable(detail="these details cannot be decrypted") from None
    fields: dict[str, Any] = json.loads(plaintext)
    return fields


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()
