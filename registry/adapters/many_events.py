"""The events of several aggregates of one log read together: one query on PostgreSQL instead of one per aggregate.

A decision often asks the same thing of two people (is either married elsewhere? has either died?). Each question is
a small query answered in well under a millisecond, but each is a wait for the server; reading both people's
aggregates in one query halves those waits. The registry's PostgreSQL recorders (postgres_append.py) read this way;
the repository reads one by one from any other recorder (registry/common/repository.py, `events_after`): the
embedded store is in-process and has no wait to save, and the library's own recorders (the bare path of
benchmarks/write_path) have no such read.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from uuid import UUID

from eventsourcing.persistence import InterfaceError, OperationalError, StoredEvent
from eventsourcing.postgres import PostgresAggregateRecorder
from eventsourcing.utils import retry
from psycopg.sql import SQL, Composed, Identifier


class ReadingInOneQuery(PostgresAggregateRecorder):
    """A PostgreSQL recorder that reads the events of several aggregates in one query (the repository's
    `ReadsTogether`, registry/common/repository.py)."""

    @cached_property
    def select_events_after_statement(self) -> Composed:
        """The one query, made once per recorder (it is on every registration's path)."""
        return _selecting_events_after(self)

    def select_events_after(self, after: Mapping[UUID, int]) -> dict[UUID, list[StoredEvent]]:
        """Each aggregate's events after the version given for it (0: all of them), in version order; an aggregate
        with none is absent."""
        together: dict[UUID, list[StoredEvent]] = _select_events_after(self, after)  # typed here: retry() returns Any
        return together


@retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)  # as the library retries its own reads
def _select_events_after(recorder: ReadingInOneQuery, after: Mapping[UUID, int]) -> dict[UUID, list[StoredEvent]]:
    found: dict[UUID, list[StoredEvent]] = {}
    with recorder.datastore.get_connection() as connection, connection.cursor() as cursor:
        cursor.execute(recorder.select_events_after_statement, (list(after), list(after.values())), prepare=True)
        for row in cursor.fetchall():
            originator: UUID = row["originator_id"]
            event = StoredEvent(originator, row["originator_version"], row["topic"], bytes(row["state"]))
            found.setdefault(originator, []).append(event)
    return found


def _selecting_events_after(recorder: PostgresAggregateRecorder) -> Composed:
    return SQL(
        "SELECT stored.originator_id, stored.originator_version, stored.topic, stored.state "
        "FROM unnest(%s::uuid[], %s::bigint[]) AS wanted(originator_id, after) "
        "JOIN {schema}.{table} AS stored ON stored.originator_id = wanted.originator_id "
        "AND stored.originator_version > wanted.after "
        "ORDER BY stored.originator_id, stored.originator_version"
    ).format(schema=Identifier(recorder.datastore.schema), table=Identifier(recorder.events_table_name))
