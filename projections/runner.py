"""Runs projections: batches of events, each batch's view changes and position in one transaction.

PostgreSQL: waits on the library's LISTEN/NOTIFY channel of each events table; SQLite (which the library gives no
subscriptions) polls. The same projection code runs on both.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import structlog
from eventsourcing.application import Application

from projections.base import Projection
from projections.store import Cursor, ViewStore, locked_position, set_position

BATCH_SIZE = 500
POLL_SECONDS = 0.2  # SQLite's polling interval, and how long a PostgreSQL wait lasts before checking for stop

log = structlog.get_logger("registry.projections")


@dataclass
class Follower:
    """One projection following one application's log."""

    projection: Projection
    application: Application[Any]
    batch_size: int = BATCH_SIZE

    @property
    def tracking_name(self) -> str:
        return self.projection.tracking_name(self.application.name)

    def process_batch(self, store: ViewStore) -> int:
        """Process the next batch after the tracked position; returns how many events it processed."""
        with store.transaction() as cursor:
            position = locked_position(cursor, self.tracking_name, self.application.name)
            reached, processed = self.process_after(cursor, position, limit=self.batch_size)
            if processed:
                set_position(cursor, self.tracking_name, reached)
        return processed

    def process_after(self, cursor: Cursor, position: int, *, limit: int | None) -> tuple[int, int]:
        """Apply the events after `position` (at most `limit`, or all) in this transaction.

        Returns the position reached and how many events were applied.
        """
        mapper = self.application.mapper
        processed = 0
        while True:
            notifications = self.application.recorder.select_notifications(
                start=position, limit=limit or BATCH_SIZE, inclusive_of_start=False
            )
            if notifications:
                raw = self.projection.raw
                batch = [(n.id, n if raw else mapper.to_domain_event(n)) for n in notifications]
                self.projection.apply(cursor, self.application.name, batch)
                position = notifications[-1].id
                processed += len(notifications)
            if limit is not None or len(notifications) < BATCH_SIZE:
                return position, processed

    def catch_up(self, store: ViewStore, *, on_batch: Callable[[int], object] | None = None) -> int:
        """Process batches until the head of the log; returns how many events it processed."""
        total = 0
        while processed := self.process_batch(store):
            total += processed
            if on_batch is not None:
                on_batch(processed)
        return total

    def head(self) -> int:
        return self.application.recorder.max_notification_id() or 0


def create_schema(store: ViewStore, projections: Iterable[Projection]) -> None:
    store.create_tracking()
    with store.transaction() as cursor:
        for projection in projections:
            for statement in projection.schema():
                cursor.execute(statement)


class Policy(Protocol):
    """A process policy that follows another application's log (see registry/deaths/policies.py)."""

    def catch_up(self) -> int: ...


class ProjectionService:
    """Keeps every process policy and every projection caught up until stopped."""

    def __init__(self, store: ViewStore, followers: list[Follower], policies: Sequence[Policy] = ()) -> None:
        self.store = store
        self.followers = followers
        self.policies = list(policies)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_forever(self) -> None:
        waiter = _Waiter(self.store, [f.application for f in self.followers], self._stop)
        try:
            while not self._stop.is_set():
                try:
                    processed = sum(p.catch_up() for p in self.policies)
                    processed += sum(f.catch_up(self.store) for f in self.followers)
                except Exception as error:  # keep serving; the batch was rolled back and will be retried
                    log.error("projection batch failed", error_type=type(error).__name__, exc_info=error)
                    self._stop.wait(1.0)
                    continue
                if processed == 0:
                    waiter.wait()
        finally:
            waiter.close()

    def start(self) -> None:
        self._thread = threading.Thread(target=self.run_forever, name="projections", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)


class _Waiter:
    """Blocks until an application may have new events: NOTIFY on PostgreSQL, a short sleep on SQLite."""

    def __init__(self, store: ViewStore, applications: list[Application[Any]], stop: threading.Event) -> None:
        self._stop = stop
        self._connection: Any = None
        if store.is_postgres:
            import psycopg
            from psycopg import sql

            env = applications[0].env
            self._connection = psycopg.connect(
                dbname=env.get("POSTGRES_DBNAME"),
                host=env.get("POSTGRES_HOST"),
                port=env.get("POSTGRES_PORT"),
                user=env.get("POSTGRES_USER"),
                password=env.get("POSTGRES_PASSWORD") or None,
                autocommit=True,
            )
            for application in applications:
                channel = application.recorder.channel_name  # type: ignore[attr-defined]
                self._connection.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))

    def wait(self) -> None:
        if self._connection is None:
            self._stop.wait(POLL_SECONDS)
            return
        for _ in self._connection.notifies(timeout=POLL_SECONDS, stop_after=1):
            pass
        time.sleep(0)  # let a burst of commits land before the next batch

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
