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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from registry.adapters.dv_keyring import EpochKey, Keyring
from registry.keys import SettingsError

CURRENT, RETIRED, DESTROYED = "current", "retired", "destroyed"

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS dv_key_epochs (epoch BIGINT PRIMARY KEY, state TEXT NOT NULL, retired_at TEXT)",
    "CREATE TABLE IF NOT EXISTS dv_data_keys (key_id TEXT PRIMARY KEY, epoch BIGINT NOT NULL, "
    "owner_tag TEXT NOT NULL, subject_tag TEXT, wrapped TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS dv_data_keys_owner ON dv_data_keys (owner_tag)",
    "CREATE INDEX IF NOT EXISTS dv_data_keys_subject ON dv_data_keys (subject_tag)",
)


class Transaction(Protocol):
    """One transaction on the store's database (SQL with ? placeholders on either database)."""

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
