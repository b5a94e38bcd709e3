"""The steps failing in a process that keeps the read models apart from the servers, published for their /ready.

`registry project` (and `registry serve`'s child, which is one) publishes which of its steps fail and which do not,
after a round in which that changed and at least every REPUBLISH_SECONDS, so that a server that keeps no read models
itself can name them, as one that keeps them does. One row per failing step: the last process to say so wins, and
any process keeping the read models corrects within that time a row that another left (one that died, or one whose
step this process has applied since). A process that stops cleanly withdraws its rows. While the store is down
nothing can be published, and /ready says that the store cannot be read instead.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence

import structlog

from projections.store import ViewStore

FAILING_TABLE = "CREATE TABLE IF NOT EXISTS projection_failing (step TEXT PRIMARY KEY, error TEXT NOT NULL)"
REPUBLISH_SECONDS = 60.0

log = structlog.get_logger("registry.projections")


def publish_failing(store: ViewStore, failing: Mapping[str, str], mended: Iterable[str]) -> None:
    """Record these steps as failing (step -> the error's type) and these as not failing, in one transaction."""
    with store.transaction() as cursor:
        cursor.executemany("DELETE FROM projection_failing WHERE step = ?", [(step,) for step in sorted(mended)])
        cursor.executemany(
            "INSERT INTO projection_failing (step, error) VALUES (?, ?) "
            "ON CONFLICT (step) DO UPDATE SET error = excluded.error",
            sorted(failing.items()),
        )


def published_failing(store: ViewStore) -> dict[str, str]:
    """The failing steps the processes keeping the read models published."""
    return {step: error for step, error in store.query("SELECT step, error FROM projection_failing")}


class FailingPublisher:
    """Publishes which of one process's steps fail: when that changed, and at least every REPUBLISH_SECONDS."""

    def __init__(self, store: ViewStore, steps: Sequence[str]) -> None:
        self.store = store
        self.steps = list(steps)
        self._published: dict[str, str] | None = None  # None: not yet, or the last attempt failed
        self._published_at = 0.0
        self._warned = False  # the last attempt failed and said so (one warning per run of failures)

    def publish(self, failing: Mapping[str, str]) -> None:
        if failing == self._published and time.monotonic() - self._published_at < REPUBLISH_SECONDS:
            return
        try:
            publish_failing(self.store, failing, [step for step in self.steps if step not in failing])
        except Exception as error:  # the store is down or not migrated: tried again after the next round
            if not self._warned:
                log.warning("failing steps not published", error_type=type(error).__name__)
            self._published, self._warned = None, True
            return
        self._published, self._published_at, self._warned = dict(failing), time.monotonic(), False

    def withdraw(self) -> None:
        """On a clean stop: this process no longer says anything about its steps."""
        try:
            publish_failing(self.store, {}, self.steps)
        except Exception as error:
            log.warning("failing steps not withdrawn", error_type=type(error).__name__)
