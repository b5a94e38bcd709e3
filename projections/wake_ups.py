"""How the projection thread learns that logs moved: PostgreSQL's notifications name them; SQLite, which the library
gives no notifications, is polled.

Every insert into an events table sends a NOTIFY on that table's channel when it commits (the library's recorder),
so a notification received names a log that moved, and a log that moved after a wake-up is named by a later one.
What moved before the LISTEN began is not known: the first wake-up after (re)connecting says so. The library names a
channel after its table, not its schema: registries on several schemas of one database wake each other (harmless).
"""

from __future__ import annotations

import threading
import time
from typing import Any

import structlog
from eventsourcing.application import Application

from projections.store import ViewStore

POLL_SECONDS = 0.2  # SQLite's polling interval, and how long a PostgreSQL wait lasts before checking for stop

log = structlog.get_logger("registry.projections")


class WakeUps:
    """Blocks until an application may have new events, and tells which. The LISTEN connection is opened when first
    needed and again after it is lost (PostgreSQL restarted): until then the wake-ups poll."""

    def __init__(self, store: ViewStore, applications: list[Application[Any]], stop: threading.Event) -> None:
        self._stop = stop
        self._store = store
        self._applications: dict[str, str] = {}  # channel -> application name
        if store.is_postgres:
            self._applications = {a.recorder.channel_name: a.name for a in applications}  # type: ignore[attr-defined]
        self._connection: Any = None
        self._heard: set[str] = set()  # channels peeked at during a round, for the next wait to return as well

    def peek(self) -> set[str]:
        """The applications whose logs notified since the last call, without waiting (nothing when not listening):
        between a round's steps, so that the exchange feed goes first when its log moves in another process. What
        it collects is returned by the next `wait` too."""
        if self._connection is None:
            return set()
        try:
            channels = {n.channel for n in self._connection.notifies(timeout=0)}
        except Exception:  # lost: the next wait says so, and reopens it
            return set()
        self._heard |= channels
        return {self._applications[channel] for channel in channels if channel in self._applications}

    def wait(self, *, idle: bool) -> set[str] | None:
        """The applications whose logs notified since the last call, waiting up to POLL_SECONDS for one when `idle`
        (else only collecting what arrived). None when it cannot tell, so that every log is checked: on SQLite, until
        the LISTEN connection is open and on the call that opens it, after the connection was lost, and after an idle
        wait that heard nothing."""
        if self._applications and self._connection is None:
            self._listen()
            if self._connection is None and idle:  # cannot listen (connections refused): poll
                self._stop.wait(POLL_SECONDS)
            return None
        if self._connection is None:
            if idle:
                self._stop.wait(POLL_SECONDS)
            return None
        try:
            channels, self._heard = self._heard, set()
            if idle and not channels:
                channels = {n.channel for n in self._connection.notifies(timeout=POLL_SECONDS, stop_after=1)}
            channels |= {n.channel for n in self._connection.notifies(timeout=0)}  # and every one already here
        except Exception as error:  # the connection was lost: poll until it can be opened again
            log.warning("projection wake-up connection lost", error_type=type(error).__name__)
            self.close()
            self._stop.wait(POLL_SECONDS)
            return None
        if idle and not channels:
            return None
        time.sleep(0)  # let a burst of commits land before the next batch
        return {self._applications[channel] for channel in channels if channel in self._applications}

    def _listen(self) -> None:
        from psycopg import sql

        connection = None
        try:
            connection = self._store.listen_connection()
            for channel in self._applications:
                connection.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
        except Exception as error:
            log.warning("projection wake-up connection failed", error_type=type(error).__name__)
            if connection is not None:
                connection.close()
            return
        self._connection = connection

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
