"""The audit tree's leaves, maintained as events are written: one leaf hash per stored event, in log order."""

from __future__ import annotations

from typing import ClassVar

from projections.audit.log import LoggedEvent
from projections.base import Batch, Projection
from projections.store import Cursor

APPLICATIONS = ("marriage", "oversight", "dv_records", "dv_inquiries", "deaths", "burial", "places", "exchange")


class MerkleLeaves(Projection):
    """Hashes the stored bytes (not decoded events), so the tree commits to exactly what the store holds."""

    name = "merkle_leaves"
    follows: ClassVar[tuple[str, ...]] = APPLICATIONS
    tables: ClassVar[tuple[str, ...]] = ("merkle_leaves",)
    raw = True

    def schema(self) -> list[str]:
        table = self.table("merkle_leaves")
        return [
            f"CREATE TABLE IF NOT EXISTS {table} (application TEXT NOT NULL, leaf_index BIGINT NOT NULL, "
            "position BIGINT NOT NULL, leaf_hash TEXT NOT NULL, PRIMARY KEY (application, leaf_index))",
            f"CREATE INDEX IF NOT EXISTS {table}_position ON {table} (application, position)",
        ]

    def apply(self, cursor: Cursor, application: str, batch: Batch) -> None:
        table = self.table("merkle_leaves")
        cursor.execute(f"SELECT COUNT(*) FROM {table} WHERE application = ?", (application,))
        row = cursor.fetchone()
        size = int(row[0]) if row else 0
        rows = []
        for offset, (position, n) in enumerate(batch):
            logged = LoggedEvent(
                application, position, str(n.originator_id), n.originator_version, n.topic, bytes(n.state)
            )
            rows.append((application, size + offset, position, logged.leaf().hex()))
        cursor.executemany(
            f"INSERT INTO {table} (application, leaf_index, position, leaf_hash) VALUES (?, ?, ?, ?)", rows
        )
