"""The DV data-key store: data keys wrapped by key-encryption keys that change with every sealing (key epochs).

Why epochs: deleting a key row does not destroy it on PostgreSQL (the dead row version, the WAL and every backup keep
it). So no data key is ever stored in clear: each row holds the key, its owner and its subject encrypted under the
current epoch's key-encryption key, which lives outside the database (a keyring: a directory here, a KMS in
production). Sealing deletes the owner's rows, re-wraps every surviving row under a new epoch and destroys the old
epoch's key: from then on no dump, dead row or backup taken before the sealing can open the sealed record, while the
surviving records stay readable. Lookups by owner or subject use keyed tags under the epoch too, so an old row or
backup cannot even tell whose keys it held.

Every change runs in one transaction holding the store's write lock (SQLite: BEGIN IMMEDIATE; PostgreSQL: LOCK TABLE),
so a key is never wrapped under an epoch that a concurrent sealing is about to destroy.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from registry.keys import SettingsError

NONCE_BYTES = 12
CURRENT, RETIRED, DESTROYED = "current", "retired", "destroyed"

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS dv_key_epochs (epoch BIGINT PRIMARY KEY, state TEXT NOT NULL, retired_at TEXT)",
    "CREATE TABLE IF NOT EXISTS dv_data_keys (key_id TEXT PRIMARY KEY, epoch BIGINT NOT NULL, "
    "owner_tag TEXT NOT NULL, subject_tag TEXT, wrapped TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS dv_data_keys_owner ON dv_data_keys (owner_tag)",
    "CREATE INDEX IF NOT EXISTS dv_data_keys_subject ON dv_data_keys (subject_tag)",
)


class Keyring(Protocol):
    """Key-encryption keys by epoch, kept outside the events' database (the KMS-style provider interface)."""

    def epochs(self) -> list[int]:
        """The epochs whose keys exist."""
        ...

    def key(self, epoch: int) -> bytes | None:
        """The epoch's 32-byte key, or None once destroyed."""
        ...

    def create(self, epoch: int) -> None:
        """Make a new random key for the epoch (durably, before any row is wrapped under it)."""
        ...

    def destroy(self, epoch: int) -> None:
        """Destroy the epoch's key for good."""
        ...


class FileKeyring:
    """One file per epoch in a directory of its own (mode 0700, files 0600); destroying overwrites, then unlinks.

    Keep the directory off the database's disks and out of the database's backups; on SSDs and copy-on-write file
    systems an overwrite is not guaranteed to reach the old blocks, which is why production should use a KMS or HSM.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _path(self, epoch: int) -> Path:
        return self.directory / f"epoch-{epoch:08d}.key"

    def epochs(self) -> list[int]:
        if not self.directory.exists():
            return []
        return sorted(int(p.stem.split("-")[1]) for p in self.directory.glob("epoch-*.key"))

    def key(self, epoch: int) -> bytes | None:
        try:
            return base64.b64decode(self._path(epoch).read_text())
        except FileNotFoundError:
            return None

    def create(self, epoch: int) -> None:
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        temporary = self.directory / f".epoch-{epoch:08d}.{os.getpid()}.tmp"
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(base64.b64encode(AESGCM.generate_key(bit_length=256)).decode())
            file.flush()
            os.fsync(file.fileno())
        os.rename(temporary, self._path(epoch))
        _fsync_directory(self.directory)

    def destroy(self, epoch: int) -> None:
        path = self._path(epoch)
        with contextlib.suppress(FileNotFoundError):
            size = path.stat().st_size
            with path.open("r+b") as file:
                file.write(os.urandom(size))
                file.flush()
                os.fsync(file.fileno())
            path.unlink()
            _fsync_directory(self.directory)


def _fsync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


@dataclass(frozen=True)
class EpochKey:
    """What one epoch's key-encryption key is used for: wrapping rows, and tagging owners and subjects."""

    epoch: int
    wrap: bytes
    tag: bytes

    @classmethod
    def of(cls, epoch: int, key: bytes) -> EpochKey:
        def derive(purpose: bytes) -> bytes:
            return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(key)

        return cls(epoch, derive(b"dv-data-key-wrap"), derive(b"dv-data-key-tag"))

    def tag_of(self, kind: str, value: str) -> str:
        return hmac.new(self.tag, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()

    def wrap_row(self, key_id: str, content: dict[str, Any]) -> str:
        nonce = os.urandom(NONCE_BYTES)
        sealed = AESGCM(self.wrap).encrypt(nonce, json.dumps(content).encode(), key_id.encode())
        return base64.b64encode(nonce + sealed).decode()

    def unwrap_row(self, key_id: str, wrapped: str) -> dict[str, Any]:
        raw = base64.b64decode(wrapped)
        content: dict[str, Any] = json.loads(
            AESGCM(self.wrap).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], key_id.encode())
        )
        return content


class Transaction(Protocol):
    def run(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]: ...

    def has_table(self, name: str) -> bool: ...


class SqlDataKeys:
    """The data keys of sealed DV details (registry.common.sealing.DataKeys) in SQLite or PostgreSQL."""

    def __init__(
        self,
        begin: Callable[[], contextlib.AbstractContextManager[Transaction]],
        keyring: Keyring,
        *,
        retention: timedelta = timedelta(0),
        closer: Callable[[], None] = lambda: None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._begin = begin
        self.keyring = keyring
        self.retention = retention
        self._closer = closer
        self._now = now
        self._recovered = False

    # -- the port ---------------------------------------------------------------------------------------------

    def create(self, key_id: str, *, owner: str, subject: str | None = None) -> bytes:
        key = AESGCM.generate_key(bit_length=256)
        with self._transaction() as tx:
            self._insert(tx, self._current(tx), key_id, key, owner, subject)
        return key

    def share(self, key_id: str, slot_id: str) -> bytes | None:
        with self._transaction() as tx:
            found = self._row(tx, key_id)
            if found is None:
                return None
            key, content = found
            self._insert(tx, self._current(tx), slot_id, key, content["owner"], None)
            return key

    def get(self, key_id: str) -> bytes | None:
        for _ in range(2):  # a row read just before a concurrent rotation committed: read it again, re-wrapped
            with self._transaction(write=False) as tx:
                found = self._row(tx, key_id)
            if found is not None:
                return found[0]
        return None

    def owned_by_subject(self, subject: str) -> list[str]:
        with self._transaction(write=False) as tx:
            tags = [epoch.tag_of("subject", subject) for epoch in self._live_epochs(tx)]
            if not tags:
                return []
            rows = tx.run(
                f"SELECT key_id FROM dv_data_keys WHERE subject_tag IN ({', '.join('?' * len(tags))}) ORDER BY key_id",
                tuple(tags),
            )
        return [row[0] for row in rows]

    def shred(self, owner: str, *, shares_only: bool = False) -> None:
        """Delete the owner's rows (or only its shares); move every other row to a new epoch, destroy the old."""
        with self._transaction(exclusive=True) as tx:
            for epoch in self._live_epochs(tx):
                rows = tx.run("SELECT key_id FROM dv_data_keys WHERE owner_tag = ?", (epoch.tag_of("owner", owner),))
                doomed = [r[0] for r in rows if not (shares_only and r[0] == owner)]
                for key_id in doomed:
                    tx.run("DELETE FROM dv_data_keys WHERE key_id = ?", (key_id,))
            self._rotate(tx)
        self.destroy_due()

    # -- operations -------------------------------------------------------------------------------------------

    def migrate(self) -> None:
        """Create the tables and the first epoch; move keys of the earlier, unwrapped table into epochs."""
        with self._begin() as tx:
            for statement in SCHEMA:
                tx.run(statement)
        with self._transaction(exclusive=True, migrating=True) as tx:
            if not tx.run("SELECT epoch FROM dv_key_epochs"):
                self._open_epoch(tx)
            self._wrap_legacy_keys(tx)
        self._recover()

    def rotate(self) -> int:
        """Move every key to a new epoch (an operator's routine rotation); returns the new epoch."""
        with self._transaction(exclusive=True) as tx:
            epoch = self._rotate(tx)
        self.destroy_due()
        return epoch

    def destroy_due(self) -> list[int]:
        """Destroy retired epochs whose retention has passed; returns them."""
        with self._transaction(exclusive=True) as tx:
            due = [
                int(epoch)
                for epoch, retired_at in tx.run(
                    "SELECT epoch, retired_at FROM dv_key_epochs WHERE state = ?", (RETIRED,)
                )
                if datetime.fromisoformat(retired_at) + self.retention <= self._now()
            ]
            for epoch in due:
                self.keyring.destroy(epoch)
                tx.run("UPDATE dv_key_epochs SET state = ? WHERE epoch = ?", (DESTROYED, epoch))
        return due

    def epochs(self) -> list[tuple[int, str, str | None]]:
        with self._transaction(write=False) as tx:
            rows = tx.run("SELECT epoch, state, retired_at FROM dv_key_epochs ORDER BY epoch")
        return [(int(e), s, r) for e, s, r in rows]

    def close(self) -> None:
        self._closer()

    # -- inside transactions ----------------------------------------------------------------------------------

    @contextmanager
    def _transaction(
        self, *, write: bool = True, exclusive: bool = False, migrating: bool = False
    ) -> Iterator[Transaction]:
        if not migrating and not self._recovered:
            self._recover()
        with self._begin() as tx:
            if exclusive:
                tx.run("LOCK TABLE dv_data_keys IN EXCLUSIVE MODE")
            elif write:
                tx.run("LOCK TABLE dv_data_keys IN ROW EXCLUSIVE MODE")
            yield tx

    def _recover(self) -> None:
        """Destroy keyring epochs a crashed rotation left behind, and retired epochs now due; check the keyring."""
        self._recovered = True
        with self._transaction(exclusive=True, migrating=True) as tx:
            known = {int(row[0]) for row in tx.run("SELECT epoch FROM dv_key_epochs")}
            for epoch in self.keyring.epochs():
                if epoch not in known:
                    self.keyring.destroy(epoch)
            self._current(tx)
        self.destroy_due()

    def _current(self, tx: Transaction) -> EpochKey:
        rows = tx.run("SELECT epoch FROM dv_key_epochs WHERE state = ?", (CURRENT,))
        if not rows:
            raise SettingsError("the DV key store has no key epoch: run `registry db migrate`")
        epoch = int(rows[0][0])
        key = self.keyring.key(epoch)
        if key is None:
            raise SettingsError(f"the DV keyring has no key for the current epoch {epoch}: restore the keyring")
        return EpochKey.of(epoch, key)

    def _live_epochs(self, tx: Transaction) -> list[EpochKey]:
        rows = tx.run("SELECT epoch FROM dv_key_epochs WHERE state <> ? ORDER BY epoch DESC", (DESTROYED,))
        found = [(int(row[0]), self.keyring.key(int(row[0]))) for row in rows]
        return [EpochKey.of(epoch, key) for epoch, key in found if key is not None]

    def _row(self, tx: Transaction, key_id: str) -> tuple[bytes, dict[str, Any]] | None:
        rows = tx.run("SELECT epoch, wrapped FROM dv_data_keys WHERE key_id = ?", (key_id,))
        if not rows:
            return None
        epoch, wrapped = int(rows[0][0]), rows[0][1]
        key = self.keyring.key(epoch)
        if key is None:
            return None
        content = EpochKey.of(epoch, key).unwrap_row(key_id, wrapped)
        return base64.b64decode(content["key"]), content

    def _insert(
        self, tx: Transaction, epoch: EpochKey, key_id: str, key: bytes, owner: str, subject: str | None
    ) -> None:
        content = {"key": base64.b64encode(key).decode(), "owner": owner, "subject": subject}
        subject_tag = epoch.tag_of("subject", subject) if subject is not None else None
        tx.run(
            "INSERT INTO dv_data_keys (key_id, epoch, owner_tag, subject_tag, wrapped) VALUES (?, ?, ?, ?, ?)",
            (key_id, epoch.epoch, epoch.tag_of("owner", owner), subject_tag, epoch.wrap_row(key_id, content)),
        )

    def _open_epoch(self, tx: Transaction) -> EpochKey:
        known = [int(row[0]) for row in tx.run("SELECT epoch FROM dv_key_epochs")]
        epoch = max([0, *known, *self.keyring.epochs()]) + 1
        self.keyring.create(epoch)
        tx.run(
            "UPDATE dv_key_epochs SET state = ?, retired_at = ? WHERE state = ?",
            (RETIRED, self._now().isoformat(), CURRENT),
        )
        tx.run("INSERT INTO dv_key_epochs (epoch, state) VALUES (?, ?)", (epoch, CURRENT))
        key = self.keyring.key(epoch)
        assert key is not None  # created just above
        return EpochKey.of(epoch, key)

    def _rotate(self, tx: Transaction) -> int:
        """Re-wrap every row under a new epoch; rows of an epoch already destroyed are gone and are removed."""
        rows = tx.run("SELECT key_id, epoch, wrapped FROM dv_data_keys")
        new = self._open_epoch(tx)
        old = {epoch.epoch: epoch for epoch in self._live_epochs(tx)}
        for key_id, epoch, wrapped in rows:
            previous = old.get(int(epoch))
            tx.run("DELETE FROM dv_data_keys WHERE key_id = ?", (key_id,))
            if previous is None:
                continue
            content = previous.unwrap_row(key_id, wrapped)
            self._insert(tx, new, key_id, base64.b64decode(content["key"]), content["owner"], content["subject"])
        return new.epoch

    def _wrap_legacy_keys(self, tx: Transaction) -> None:
        """Keys an earlier version kept unwrapped (table record_keys) are wrapped, and that table dropped."""
        if not tx.has_table("record_keys"):
            return
        legacy = tx.run("SELECT record_id, key_material FROM record_keys")
        epoch = self._current(tx)
        for record_id, material in legacy:
            self._insert(tx, epoch, record_id, base64.b64decode(material), record_id, None)
        tx.run("DROP TABLE record_keys")
        if legacy:
            self._rotate(tx)


# -- the two databases -----------------------------------------------------------------------------------------


class _SqliteTransaction:
    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection

    def run(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        if sql.startswith("LOCK TABLE"):  # BEGIN IMMEDIATE already holds SQLite's one write lock
            return []
        return list(self._connection.execute(sql, params).fetchall())

    def has_table(self, name: str) -> bool:
        return bool(self.run("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)))


class _PostgresTransaction:
    def __init__(self, cursor: Any) -> None:
        self._cursor = cursor

    def run(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        self._cursor.execute(sql.replace("?", "%s"), params)
        return list(self._cursor.fetchall()) if self._cursor.description else []

    def has_table(self, name: str) -> bool:
        return bool(self.run("SELECT 1 FROM pg_tables WHERE schemaname = current_schema() AND tablename = ?", (name,)))


def sqlite_data_keys(path: Path, keyring: Keyring, *, retention: timedelta = timedelta(0)) -> SqlDataKeys:
    """The key store in a SQLite file of its own, with secure_delete (freed pages are overwritten)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(path, isolation_level=None, timeout=30, check_same_thread=False)
    connection.execute("PRAGMA secure_delete = ON")
    lock = threading.Lock()

    @contextmanager
    def begin() -> Iterator[Transaction]:
        with lock:
            connection.execute("BEGIN IMMEDIATE")
            try:
                yield _SqliteTransaction(connection)
            except BaseException:
                connection.rollback()
                raise
            connection.commit()

    return SqlDataKeys(begin, keyring, retention=retention, closer=connection.close)


def postgres_data_keys(
    conninfo: str, schema: str, keyring: Keyring, *, retention: timedelta = timedelta(0), max_connections: int = 2
) -> SqlDataKeys:
    """The key store in a PostgreSQL schema (of another database than the events', unless accepted for development).

    Connections are opened on demand (none kept idle) and checked before use, so a restarted server is no trouble.
    """
    import psycopg
    from psycopg_pool import ConnectionPool

    with psycopg.connect(conninfo, autocommit=True, connect_timeout=5) as admin:
        admin.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
    pool: ConnectionPool[Any] = ConnectionPool(
        conninfo, min_size=0, max_size=max_connections, max_idle=60, timeout=5, open=True,
        check=ConnectionPool.check_connection,
        kwargs={"options": f"-c search_path={schema}", "connect_timeout": 5, "application_name": "registry-dv-keys"},
    )  # fmt: skip

    @contextmanager
    def begin() -> Iterator[Transaction]:
        with pool.connection() as connection, connection.transaction(), connection.cursor() as cursor:
            yield _PostgresTransaction(cursor)

    return SqlDataKeys(begin, keyring, retention=retention, closer=pool.close)


# The names of the local server: a URL without a host reaches it through its socket.
LOCAL_HOSTS = ("", "localhost", "127.0.0.1", "::1")


def same_database(first: str, second: str) -> bool:
    """Whether two postgresql:// URLs name the same database (server, port and database name); the local server is
    the same server whichever of its names a URL uses."""
    from urllib.parse import urlparse

    def server(url: str) -> tuple[str, int, str]:
        parsed = urlparse(url)
        host = parsed.hostname or ""
        return ("localhost" if host in LOCAL_HOSTS else host, parsed.port or 5432, parsed.path.strip("/"))

    return server(first) == server(second)


def check_apart_from_events(keys_url: str | None, events_url: str | None, *, accepted: bool) -> None:
    """On PostgreSQL the DV key store must live in another database than the events (one dump must not hold both)."""
    if events_url is None or accepted:
        return
    if keys_url is None:
        raise SettingsError(
            "REGISTRY_DV_KEYS_URL is required on PostgreSQL: a database apart from the events' "
            "(or REGISTRY_DV_KEYS_IN_EVENTS_DATABASE=accept-for-development)"
        )
    if keys_url.startswith("postgresql://") and same_database(keys_url, events_url):
        raise SettingsError(
            "REGISTRY_DV_KEYS_URL names the events' database: use another database "
            "(or REGISTRY_DV_KEYS_IN_EVENTS_DATABASE=accept-for-development)"
        )
