"""On PostgreSQL a command's events are appended by one statement (a function per events table) that keeps what the
library's pipeline guarantees: commit order, the NOTIFY that wakes the read models, and a duplicate version as a
record conflict. See registry/adapters/postgres_append.py."""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import psycopg
import pytest
from eventsourcing.persistence import OperationalError, ProgrammingError, RecordConflictError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder

from projections.catalog import migrate_all
from registry.adapters.faults import store_not_migrated
from registry.adapters.postgres_append import (
    RETRY_BUDGET_SECONDS,
    AppendingApplicationRecorder,
    AppendingProcessRecorder,
    append_function_name,
)
from registry.adapters.postgres_pool import LOCK_TIMEOUT_SECONDS
from registry.adapters.store_check import StoreProblem, check_store
from registry.common.repository import ReadsTogether
from registry.settings import Settings
from registry.system import Registry
from tests.support import act, recorder_of

DAY = date(2026, 11, 24)
pytestmark = pytest.mark.parametrize("store_env", ["postgres"], indirect=True)  # SQLite: the library's own recorder


def connect(settings: Settings) -> psycopg.Connection[tuple[object, ...]]:
    conninfo, schema = settings.postgres_target()
    return psycopg.connect(conninfo, options=f"-c search_path={schema}")


def read_once(registry: Registry) -> int:
    """An official's read, recorded: one event appended to the oversight log; its position."""
    return registry.oversight.record_read(act(DAY), what="marriage", target="marriage/x", route="GET /x").position


def test_every_application_appends_through_its_own_function(registry: Registry, settings: Settings) -> None:
    recorders = [application.recorder for application in registry.applications().values()]
    assert all(isinstance(r, AppendingApplicationRecorder | AppendingProcessRecorder) for r in recorders)
    with connect(settings) as connection:
        functions = connection.execute(
            "SELECT proname FROM pg_proc WHERE pronamespace = current_schema()::regnamespace"
        )
        names = {row[0] for row in functions}
    assert {append_function_name(recorder_of(application).events_table_name) for application in
            registry.applications().values()} <= names  # fmt: skip


def test_every_application_on_postgresql_reads_several_aggregates_in_one_query(registry: Registry) -> None:
    """RegistryApplication.find_all asks the recorder once for all (else one query per aggregate)."""
    assert all(isinstance(app.recorder, ReadsTogether) for app in registry.applications().values())


def test_a_migrated_schema_holds_no_function_that_appends_without_the_logs_lock(
    registry: Registry, settings: Settings
) -> None:
    """The library's own append function takes no table lock; stores migrated before it was dropped have it."""
    library_recorder = PostgresApplicationRecorder(recorder_of(registry.oversight).datastore, events_table_name="x")
    with connect(settings) as connection:
        connection.execute(library_recorder.sql_create_pg_function_insert_events)  # as an earlier migration left it
    migrate_all(settings)
    with connect(settings) as connection:
        functions = connection.execute(
            "SELECT proname FROM pg_proc WHERE pronamespace = current_schema()::regnamespace"
        )
        names = {row[0] for row in functions}
    assert names == {append_function_name(recorder_of(application).events_table_name) for application in
                     registry.applications().values()}  # fmt: skip


def test_an_open_append_holds_back_every_later_append_until_it_ends(registry: Registry, settings: Settings) -> None:
    """Positions are handed out in commit order: a reader tailing the log never passes one filled in later."""
    recorder = recorder_of(registry.oversight)
    function, table = append_function_name(recorder.events_table_name), recorder.events_table_name
    waiting_on_the_log = "SELECT 1 FROM pg_locks WHERE NOT granted AND relation = to_regclass(%s)"
    with connect(settings) as held, ThreadPoolExecutor(1) as other:
        held.execute(
            f"SELECT * FROM {function}(ARRAY[ROW(%s, 1, 'held', '')]::{recorder.stored_event_type_name}[])",
            (uuid.uuid4(),),
        )
        later = other.submit(read_once, registry)
        deadline = time.monotonic() + 10
        while not held.execute(waiting_on_the_log, (table,)).fetchone():
            assert time.monotonic() < deadline, "the later append did not wait for the open one"
            time.sleep(0.01)
        assert not later.done()
        held.rollback()
        position = later.result(timeout=10)
    assert [note.id for note in recorder.select_notifications(start=1, limit=10)] == [position]


def test_an_append_wakes_those_listening_to_its_log(registry: Registry, settings: Settings) -> None:
    channel = recorder_of(registry.oversight).channel_name
    with connect(settings) as listening:
        listening.autocommit = True
        listening.execute(f"LISTEN {channel}")
        read_once(registry)
        heard = list(listening.notifies(timeout=5, stop_after=1))
    assert [note.channel for note in heard] == [channel]


def test_an_append_of_a_version_already_recorded_is_a_record_conflict_and_writes_nothing(
    registry: Registry,
    settings: Settings,
) -> None:
    recorder = registry.oversight.recorder
    originator = uuid.uuid4()
    first = [StoredEvent(originator, 1, "t", b"")]
    recorder.insert_events(first)
    head = recorder.max_notification_id()
    with pytest.raises(RecordConflictError):
        recorder.insert_events([StoredEvent(originator, 2, "t", b""), StoredEvent(originator, 1, "t", b"")])
    assert recorder.max_notification_id() == head
    assert [event.originator_version for event in recorder.select_events(originator)] == [1]


def test_the_positions_of_an_append_are_those_of_its_events_in_order(registry: Registry, settings: Settings) -> None:
    recorder = registry.oversight.recorder
    events = [StoredEvent(uuid.uuid4(), 1, f"t{n}", b"") for n in range(5)]
    positions = list(recorder.insert_events(events) or [])
    logged = recorder.select_notifications(start=positions[0], limit=10)
    assert [(note.id, note.topic) for note in logged] == [(p, e.topic) for p, e in zip(positions, events, strict=True)]


def test_a_store_without_an_applications_append_function_is_refused_at_start_and_its_appends_say_not_migrated(
    registry: Registry, settings: Settings
) -> None:
    """Any application's, not only the marriage log's: a migration stopped half way leaves the later ones without."""
    with connect(settings) as connection:
        connection.execute(f"DROP FUNCTION {append_function_name(recorder_of(registry.oversight).events_table_name)}")
    with pytest.raises(StoreProblem, match="not migrated: run `registry db migrate`"):
        check_store(settings)
    with pytest.raises(ProgrammingError) as refused:
        read_once(registry)
    assert store_not_migrated(refused.value)  # the API answers 503 naming the migration, not 500


def test_an_append_gives_up_on_a_lock_held_longer_than_its_lock_timeout(registry: Registry, settings: Settings) -> None:
    """A writer stuck holding the log's lock fails appends after LOCK_TIMEOUT_SECONDS rather than hanging them."""
    recorder = recorder_of(registry.oversight)
    with connect(settings) as held, connect(settings) as appending:
        held.execute(f"LOCK TABLE {recorder.events_table_name} IN EXCLUSIVE MODE")
        appending.execute("SET statement_timeout = '15s'")  # without the function's own timeout: QueryCanceled
        started = time.monotonic()
        with pytest.raises(psycopg.errors.LockNotAvailable):
            appending.execute(
                f"SELECT * FROM {append_function_name(recorder.events_table_name)}"
                f"(ARRAY[ROW(%s, 1, 'waits', '')]::{recorder.stored_event_type_name}[])",
                (uuid.uuid4(),),
            )
        assert LOCK_TIMEOUT_SECONDS <= time.monotonic() - started < LOCK_TIMEOUT_SECONDS + 5


def test_an_append_held_back_by_a_stuck_lock_fails_within_its_retry_budget(
    registry: Registry, settings: Settings
) -> None:
    """A session holding the log's lock fails the command after two lock timeouts (a 503), not the library's ten."""
    recorder = recorder_of(registry.oversight)
    with connect(settings) as held:
        held.execute(f"LOCK TABLE {recorder.events_table_name} IN EXCLUSIVE MODE")
        started = time.monotonic()
        with pytest.raises(OperationalError):
            read_once(registry)
        waited = time.monotonic() - started
    assert RETRY_BUDGET_SECONDS <= waited < RETRY_BUDGET_SECONDS + LOCK_TIMEOUT_SECONDS + 2
