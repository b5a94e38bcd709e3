"""Checkpoints and proofs over the maintained leaves, for the auditor API."""

from __future__ import annotations

import time
from datetime import datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from projections.audit.checkpoints import Checkpoint, sign
from projections.audit.leaves import LEAVES_TABLE, subtree_hashes, tree_size
from projections.audit.subtrees import Range, consistency_ranges, inclusion_ranges, needed, range_hashes
from projections.store import ViewStore
from registry.common.clock import Clock
from registry.common.errors import Failure, InvalidInput, NotFound


class AuditLog:
    """Signs checkpoints of an application's tree and proves inclusion and consistency.

    Each answer reads O(log n) stored subtree hashes (projections/audit/leaves.py), never every leaf.
    """

    def __init__(self, store: ViewStore, key: Ed25519PrivateKey, key_id: str) -> None:
        self.store = store
        self.key = key
        self.key_id = key_id

    def head(self, application: str) -> tuple[int, int]:
        """The tree's size, and the log position of its last leaf (0 for an empty tree)."""
        rows = self.store.query(
            f"SELECT leaf_index, position FROM {LEAVES_TABLE} WHERE application = ? ORDER BY leaf_index DESC LIMIT 1",
            (application,),
        )
        return (int(rows[0][0]) + 1, int(rows[0][1])) if rows else (0, 0)

    def root(self, application: str, size: int) -> bytes:
        """MTH of the first `size` leaves (which must exist)."""
        [root] = self._hashes(application, [(0, size)])
        return root

    def checkpoint(self, application: str, at: datetime) -> Checkpoint:
        size, last_position = self.head(application)
        return sign(self.key, application, size, last_position, self.root(application, size), at, self.key_id)

    def inclusion(self, application: str, position: int, tree_size: int) -> tuple[int, list[bytes]]:
        """The leaf index of the event at a log position, and its audit path in the tree of that size."""
        self._require(application, tree_size)
        rows = self.store.query(
            f"SELECT leaf_index FROM {LEAVES_TABLE} WHERE application = ? AND position = ?", (application, position)
        )
        if not rows or int(rows[0][0]) >= tree_size:
            raise NotFound(detail="no event at that position within that tree size")
        index = int(rows[0][0])
        return index, self._hashes(application, inclusion_ranges(index, tree_size))

    def consistency(self, application: str, first: int, second: int) -> list[bytes]:
        """The proof that the tree of `second` leaves extends the tree of `first` leaves (0 < first <= second)."""
        if not 0 < first <= second:
            raise InvalidInput([Failure("tree-sizes", "give 0 < first <= second")])
        self._require(application, second)
        return self._hashes(application, consistency_ranges(first, second))

    def _require(self, application: str, size: int) -> None:
        if size > (held := tree_size(self.store.query, application)):
            raise NotFound(detail=f"the tree of {application} has {held} leaves, not {size}")

    def _hashes(self, application: str, ranges: list[Range]) -> list[bytes]:
        stored = subtree_hashes(self.store.query, application, needed(ranges))
        return range_hashes(ranges, stored)


CHECKPOINTS_TABLE = (
    "CREATE TABLE IF NOT EXISTS audit_checkpoints (application TEXT NOT NULL, tree_size BIGINT NOT NULL, "
    "last_position BIGINT NOT NULL, root_hash TEXT NOT NULL, signed_at TEXT NOT NULL, signature TEXT NOT NULL, "
    "PRIMARY KEY (application, tree_size))"
)


class CheckpointPublisher:
    """Publishes a signed checkpoint of each log that has grown, at most once per interval (periodic publication)."""

    upstream_name = None  # a projection round runs it whichever logs moved: it publishes by the clock

    def __init__(self, log: AuditLog, applications: list[str], clock: Clock, interval_seconds: float) -> None:
        self.log = log
        self.applications = applications
        self.clock = clock
        self.interval = interval_seconds
        self._last_published: float | None = None

    def catch_up(self) -> int:
        """Publish where due (reports 0: publishing is not event processing, so the service still waits)."""
        now = time.monotonic()
        if self._last_published is not None and now - self._last_published < self.interval:
            return 0
        self._last_published = now
        for application in self.applications:
            latest = self.log.store.query(
                "SELECT MAX(tree_size) FROM audit_checkpoints WHERE application = ?", (application,)
            )[0][0]
            checkpoint = self.log.checkpoint(application, self.clock.now())
            if checkpoint.tree_size == 0 or checkpoint.tree_size == (latest or 0):
                continue
            with self.log.store.transaction() as cursor:
                cursor.execute(
                    "INSERT INTO audit_checkpoints (application, tree_size, last_position, root_hash, signed_at, "
                    "signature) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (application, tree_size) DO NOTHING",
                    (application, checkpoint.tree_size, checkpoint.last_position, checkpoint.root_hash,
                     checkpoint.signed_at, checkpoint.signature),
                )  # fmt: skip
        return 0  # publishing is not event processing: it never keeps the service from waiting

    def published(self, application: str) -> list[Checkpoint]:
        rows = self.log.store.query(
            "SELECT application, tree_size, last_position, root_hash, signed_at, signature FROM audit_checkpoints "
            "WHERE application = ? ORDER BY tree_size",
            (application,),
        )
        return [Checkpoint(a, int(s), int(p), r, t, g) for a, s, p, r, t, g in rows]
