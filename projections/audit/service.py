"""Checkpoints and proofs over the maintained leaves, for the auditor API."""

from __future__ import annotations

import time
from datetime import datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from projections.audit.checkpoints import Checkpoint, sign
from projections.audit.merkle import consistency_proof, inclusion_proof, root_from_leaves
from projections.store import ViewStore
from registry.common.clock import Clock
from registry.common.errors import Failure, InvalidInput, NotFound


class AuditLog:
    """Signs checkpoints of an application's tree and proves inclusion and consistency."""

    def __init__(self, store: ViewStore, key: Ed25519PrivateKey) -> None:
        self.store = store
        self.key = key

    def leaves(self, application: str, size: int | None = None) -> tuple[list[bytes], int]:
        """The first `size` leaves (all by default), and the log position of the last of them."""
        rows = self.store.query(
            "SELECT leaf_hash, position FROM merkle_leaves WHERE application = ? ORDER BY leaf_index"
            + (" LIMIT ?" if size is not None else ""),
            (application, size) if size is not None else (application,),
        )
        if size is not None and len(rows) < size:
            raise NotFound(detail=f"the tree of {application} has {len(rows)} leaves, not {size}")
        return [bytes.fromhex(h) for h, _ in rows], int(rows[-1][1]) if rows else 0

    def checkpoint(self, application: str, at: datetime) -> Checkpoint:
        leaves, last_position = self.leaves(application)
        return sign(self.key, application, len(leaves), last_position, root_from_leaves(leaves), at)

    def inclusion(self, application: str, position: int, tree_size: int) -> tuple[int, list[bytes]]:
        """The leaf index of the event at a log position, and its audit path in the tree of that size."""
        leaves, _ = self.leaves(application, tree_size)
        rows = self.store.query(
            "SELECT leaf_index FROM merkle_leaves WHERE application = ? AND position = ?", (application, position)
        )
        if not rows or int(rows[0][0]) >= tree_size:
            raise NotFound(detail="no event at that position within that tree size")
        index = int(rows[0][0])
        return index, inclusion_proof(index, leaves)

    def consistency(self, application: str, first: int, second: int) -> list[bytes]:
        if not 0 < first <= second:
            raise InvalidInput([Failure("tree-sizes", "give 0 < first <= second")])
        leaves, _ = self.leaves(application, second)
        return consistency_proof(first, leaves)


CHECKPOINTS_TABLE = (
    "CREATE TABLE IF NOT EXISTS audit_checkpoints (application TEXT NOT NULL, tree_size BIGINT NOT NULL, "
    "last_position BIGINT NOT NULL, root_hash TEXT NOT NULL, signed_at TEXT NOT NULL, signature TEXT NOT NULL, "
    "PRIMARY KEY (application, tree_size))"
)


class CheckpointPublisher:
    """Publishes a signed checkpoint of each log that has grown, at most once per interval (periodic publication)."""

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
