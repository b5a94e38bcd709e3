"""A command's events appended to its application's log in one statement, still in commit order.

The library's PostgreSQL recorder sends a command's events as a pipeline: BEGIN, SET LOCAL lock_timeout, LOCK TABLE
... IN EXCLUSIVE MODE, NOTIFY, the INSERT, a sync to read the new positions, then COMMIT, which waits for the server
again. Here a function per events table does the same work inside the server, called as one autocommitted statement:
one round trip instead of two, and one statement for the server to parse instead of six (benchmarks/append_latency
times both: on the 2-core machine of 2026-11-24, p50 1.19 ms the library's way and 0.75 ms this way).

It keeps what the library's way guarantees:
- the table lock, held until the statement's transaction commits, so positions are handed out in commit order and a
  reader tailing the log never passes a position that a slower transaction fills in later;
- the NOTIFY on the library's channel, which wakes the read models;
- the same errors: a duplicate (originator, version) is the library's IntegrityError (a RecordConflictError), a lock
  not had within the lock timeout its OperationalError, retried as the library retries it.

And it does one thing the library's way does not: an append whose reply was lost after its commit finds its own
events on the next try and answers with their positions, rather than a record conflict (Appender).

The library's own function (POSTGRES_ENABLE_DB_FUNCTIONS) is not used, and `registry db migrate` drops it: it takes no
table lock, and it is named by the type of the originator ids, not by the table, so the applications sharing one
schema would replace each other's (the last migrated would win).

An append that also records a tracking position (a policy's reaction, TrackedApplication.save_tracked) goes the
library's way: the tracking row must commit with the events.

The recorders here also read several aggregates' events in one query (ReadingInOneQuery, many_events.py).
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import IntegrityError, InterfaceError, OperationalError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore, PostgresProcessRecorder
from psycopg.sql import SQL, Composed, Identifier

from registry.adapters.many_events import ReadingInOneQuery

ATTEMPTS, RETRY_WAIT_SECONDS = 10, 0.2  # as the library tries its own insert (eventsourcing.postgres)
RETRY_BUDGET_SECONDS = 8.0  # no try starts later than this after the first: with the pool's 5 s lock timeout
# (postgres_pool.LOCK_TIMEOUT_SECONDS) a stuck lock is met twice, where the library's ten tries meet it ten times


def append_function_name(events_table_name: str) -> str:
    """The function that appends to one events table (created by `registry db migrate`)."""
    return f"{events_table_name}_append"


def creating_append_function(recorder: PostgresApplicationRecorder) -> Composed:
    """The statement creating the recorder's append function, run by `registry db migrate` with the table's own
    (CREATE OR REPLACE: a repeated migration is harmless). The rows are inserted in the order of the array."""
    return SQL(
        "CREATE OR REPLACE FUNCTION {schema}.{function}(events {schema}.{event_type}[]) "
        "RETURNS SETOF bigint LANGUAGE plpgsql AS $body$ BEGIN "
        "SET LOCAL lock_timeout = '{lock_timeout}s'; "
        "LOCK TABLE {schema}.{table} IN EXCLUSIVE MODE; "
        "NOTIFY {channel}; "
        "RETURN QUERY INSERT INTO {schema}.{table} (originator_id, originator_version, topic, state) "
        "SELECT originator_id, originator_version, topic, state FROM unnest(events) WITH ORDINALITY "
        "AS e(originator_id, originator_version, topic, state, n) ORDER BY n RETURNING notification_id; "
        "END $body$"
    ).format(
        schema=Identifier(recorder.datastore.schema),
        function=Identifier(append_function_name(recorder.events_table_name)),
        event_type=Identifier(recorder.stored_event_type_name),
        lock_timeout=SQL(str(int(recorder.datastore.lock_timeout))),
        table=Identifier(recorder.events_table_name),
        channel=Identifier(recorder.channel_name),
    )


def dropping_library_function(recorder: PostgresApplicationRecorder) -> Composed:
    """The statement dropping the library's append function (POSTGRES_ENABLE_DB_FUNCTIONS), if a store has it."""
    return SQL("DROP FUNCTION IF EXISTS {schema}.{function}({schema}.{event_type}[])").format(
        schema=Identifier(recorder.datastore.schema),
        function=Identifier(recorder.pg_function_name_insert_events),
        event_type=Identifier(recorder.stored_event_type_name),
    )


def append_statement(recorder: PostgresApplicationRecorder) -> Composed:
    """The one statement of an append: the positions it took, in the order of the events (each row takes the next
    position as it is inserted)."""
    return SQL("SELECT position FROM {schema}.{function}(%s) AS appended(position) ORDER BY position").format(
        schema=Identifier(recorder.datastore.schema),
        function=Identifier(append_function_name(recorder.events_table_name)),
    )


def stored_as_sent_statement(recorder: PostgresApplicationRecorder) -> Composed:
    """For each event sent, in order: the position of the event stored at its (originator, version), and whether it
    is the same event (the same topic and state); both NULL where nothing is stored at that version."""
    return SQL(
        "SELECT stored.notification_id AS position, "
        "stored.topic = sent.topic AND stored.state = sent.state AS same "
        "FROM unnest(%s::{schema}.{event_type}[]) WITH ORDINALITY "
        "AS sent(originator_id, originator_version, topic, state, n) "
        "LEFT JOIN {schema}.{table} AS stored USING (originator_id, originator_version) ORDER BY sent.n"
    ).format(
        schema=Identifier(recorder.datastore.schema),
        event_type=Identifier(recorder.stored_event_type_name),
        table=Identifier(recorder.events_table_name),
    )


class Appender:
    """Appends a command's events to one recorder's table in one statement, tried again as the library tries its
    own insert (a lost connection, a lock not had within the lock timeout), but for at most RETRY_BUDGET_SECONDS: a
    log held locked by a stuck session fails its commands with 503 after two lock timeouts (about 10 s), where the
    library's ten tries would hold each request, and every command grouped with it, for 52 s.

    A reply can be lost after its commit. The next try then meets its own events as a duplicate: events stored
    identical to the ones sent (the same topic and the same encrypted state, whose nonce is drawn anew for every
    event written) are this append's own, and their positions are its answer. Without this, the duplicate would be
    a record conflict and the command decided again: an application for marriage recorded twice. The comparison
    relies on the cipher (every registry application's events are encrypted: Settings.store_environment): two
    commands' events in clear could be byte for byte the same.
    """

    def __init__(self, recorder: PostgresApplicationRecorder) -> None:
        self.recorder = recorder
        self.statement = append_statement(recorder)
        self.stored_as_sent = stored_as_sent_statement(recorder)

    def append(self, events: Sequence[StoredEvent]) -> list[int]:
        """The events' positions, in order."""
        rows = [
            self.recorder.construct_pg_stored_event(e.originator_id, e.originator_version, e.topic, e.state)
            for e in events
        ]
        deadline = time.monotonic() + RETRY_BUDGET_SECONDS
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return self._try(rows, after_a_failed_try=attempt > 1)
            except (InterfaceError, OperationalError):
                pause = RETRY_WAIT_SECONDS * (1 + 0.1 * (random.random() - 0.5))
                if attempt == ATTEMPTS or time.monotonic() + pause > deadline:
                    raise
                time.sleep(pause)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _try(self, rows: list[Any], *, after_a_failed_try: bool) -> list[int]:
        """One try. A duplicate met on a first try is always another command's; after a failed try it may be this
        append's own, committed before its reply was lost (the check is retried with the try)."""
        try:
            with self.recorder.datastore.get_connection() as connection, connection.cursor() as cursor:
                cursor.execute(self.statement, (rows,), prepare=True)
                return [int(row["position"]) for row in cursor.fetchall()]
        except IntegrityError:
            own = self._own_positions(rows) if after_a_failed_try else None
            if own is None:
                raise
            return own

    def _own_positions(self, rows: list[Any]) -> list[int] | None:
        """The positions of the events sent if every one of them is stored as sent, else None."""
        with self.recorder.datastore.get_connection() as connection, connection.cursor() as cursor:
            stored = cursor.execute(self.stored_as_sent, (rows,)).fetchall()
        return [int(row["position"]) for row in stored] if all(row["same"] is True for row in stored) else None


def appending(recorder: PostgresApplicationRecorder) -> Appender:
    """The recorder's appender; its migration creates the append function and drops the library's own, which
    appends without the table lock (nothing calls it, but a function that breaks commit order has no place in the
    schema; stores migrated before 2026-11-24 have it)."""
    library_function = recorder.create_insert_function_statement_index
    recorder.sql_create_statements[library_function] = dropping_library_function(recorder)
    recorder.sql_create_statements.append(creating_append_function(recorder))
    return Appender(recorder)


class AppendingApplicationRecorder(PostgresApplicationRecorder, ReadingInOneQuery):
    """The library's application recorder, appending in one statement (and reading several aggregates in one)."""

    def __init__(self, datastore: PostgresDatastore, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        self.appender = appending(self)

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        return self.appender.append(stored_events) if stored_events else None


class AppendingProcessRecorder(PostgresProcessRecorder, ReadingInOneQuery):
    """The library's process recorder, appending in one statement (and reading several aggregates in one); a save
    with a tracking position (a policy's reaction) goes the library's way, to commit with its tracking row."""

    def __init__(self, datastore: PostgresDatastore, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        self.appender = appending(self)

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        if not stored_events or kwargs.get("tracking") is not None:
            tracked: Sequence[int] | None = super().insert_events(stored_events, **kwargs)  # retry() returns Any
            return tracked
        return self.appender.append(stored_events)
