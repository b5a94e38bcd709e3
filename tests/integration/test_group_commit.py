"""Group commit: concurrent commands decided apart and saved together, each keeping its own result."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import TypeVar
from uuid import UUID

import pytest
from eventsourcing.domain import BaseAggregate
from eventsourcing.persistence import PersistenceError

from registry.common.application import CommandResult
from registry.common.errors import ConcurrentChange
from registry.marriage.certificates import MARRIAGE_CERTIFICATE, CertificateBook
from registry.marriage.marriage import Marriage
from registry.system import Registry
from tests.support import BOTH_PRESENT, act, person

DAY = date(2026, 11, 22)
RACERS = 8
T = TypeVar("T")


@pytest.fixture
def grouped(registry: Registry) -> Registry:
    """The registry with a generous window: commands being decided together are written together."""
    writer = registry.marriage.group_writer
    assert writer is not None, "group commit is on by default"
    writer.max_wait = 2.0
    return registry


class Race:
    """Commands released together whose first decisions all wait for each other, so that all are being decided
    when the first is ready to be saved (a re-decision does not wait)."""

    def __init__(self, size: int) -> None:
        self.barrier = threading.Barrier(size)
        self.waited = threading.local()

    def gate(self) -> None:
        if not getattr(self.waited, "done", False):
            self.waited.done = True
            self.barrier.wait()

    def run(self, calls: Sequence[Callable[[], T]]) -> list[T | BaseException]:
        """Each call's result or error, in order."""

        def run(call: Callable[[], T]) -> T | BaseException:
            self.waited.done = False
            try:
                return call()
            except BaseException as error:  # the test looks at each caller's error
                return error

        with ThreadPoolExecutor(len(calls)) as pool:
            return list(pool.map(run, calls))


def race(commands: Sequence[Callable[[Race], Callable[[], T]]]) -> list[T | BaseException]:
    together = Race(len(commands))
    return together.run([command(together) for command in commands])


def apply(registry: Registry, key: str | None = None) -> Callable[[Race], Callable[[], CommandResult]]:
    man, woman = person(date(1990, 1, 1), "male"), person(date(1992, 2, 2), "female")

    def command(together: Race) -> Callable[[], CommandResult]:
        def decide() -> Sequence[BaseAggregate[UUID]]:
            together.gate()
            return [Marriage.apply_for(act(DAY), party_a=man, party_b=woman, office_designated=False)]

        return lambda: registry.marriage.execute(act(DAY, key=key), decide, request_fingerprint="r")

    return command


def issue_from(registry: Registry, office: str, decided: list[str]) -> Callable[[Race], Callable[[], CommandResult]]:
    """A command that draws one number from an office's book, noting each time it is decided."""
    marriage = registry.marriage
    day_act = act(DAY)

    def command(together: Race) -> Callable[[], CommandResult]:
        def decide() -> Sequence[BaseAggregate[UUID]]:
            decided.append(office)
            book_id = CertificateBook.id_for(MARRIAGE_CERTIFICATE, office, DAY.year)
            book = marriage.find(book_id, CertificateBook)
            if book is None:
                book = CertificateBook.open(day_act, kind=MARRIAGE_CERTIFICATE, office=office, year=DAY.year)
            together.gate()
            book.issue(day_act, 1)
            return [book]

        return lambda: marriage.execute(day_act, decide)

    return command


def test_concurrent_commands_are_saved_in_fewer_transactions_than_commands(grouped: Registry) -> None:
    writer = grouped.marriage.group_writer
    assert writer is not None
    groups_before, commands_before = writer.groups, writer.commands
    results = race([apply(grouped) for _ in range(RACERS)])
    assert all(isinstance(result, CommandResult) for result in results)
    assert writer.commands - commands_before == RACERS
    assert writer.groups - groups_before == 1


def test_a_conflict_inside_a_group_re_decides_only_the_conflicting_command(grouped: Registry) -> None:
    decided: list[str] = []
    race([issue_from(grouped, "330782900", decided)])  # the shared book exists before the race
    decided.clear()
    offices = ["330782900", "330782900", *(f"33078291{n}" for n in range(RACERS - 2))]
    results = race([issue_from(grouped, office, decided) for office in offices])
    assert all(isinstance(result, CommandResult) for result in results)
    assert sorted(decided) == sorted([*offices, "330782900"])  # the two on one book: one decided again
    book = grouped.marriage.find(CertificateBook.id_for(MARRIAGE_CERTIFICATE, "330782900", DAY.year), CertificateBook)
    assert book is not None and book.issued == 3


def test_idempotent_repeats_inside_and_across_groups_return_the_first_result(grouped: Registry) -> None:
    repeat = apply(grouped, key="same-key")
    results = race([repeat] * 4)
    assert all(isinstance(result, CommandResult) for result in results)
    firsts = {(r.aggregate_id, r.version) for r in results if isinstance(r, CommandResult)}
    assert len(firsts) == 1
    assert sum(not r.replayed for r in results if isinstance(r, CommandResult)) == 1
    (later,) = race([repeat])
    assert isinstance(later, CommandResult)
    assert later.replayed and (later.aggregate_id, later.version) in firsts


def test_each_command_gets_the_log_position_of_its_own_events(grouped: Registry) -> None:
    results = [r for r in race([apply(grouped) for _ in range(RACERS)]) if isinstance(r, CommandResult)]
    assert len({r.position for r in results}) == RACERS
    recorder = grouped.marriage.recorder
    for result in results:
        (notification,) = recorder.select_notifications(start=result.position, limit=1)
        assert notification.originator_id == result.aggregate_id
        assert grouped.marriage.marriage(result.aggregate_id).version == result.version


def test_commit_order_equals_insert_order_so_a_reader_never_skips_a_position(grouped: Registry) -> None:
    grouped.marriage.group_writer.max_wait = 0.002  # type: ignore[union-attr]
    recorder = grouped.marriage.recorder
    seen: list[list[int]] = []
    writing = threading.Event()

    def read() -> None:
        while not writing.is_set():
            seen.append([n.id for n in recorder.select_notifications(start=1, limit=10_000)])

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for _ in range(5):
            race([apply(grouped) for _ in range(RACERS)])
    finally:
        writing.set()
        reader.join()
    final = [n.id for n in recorder.select_notifications(start=1, limit=10_000)]
    for ids in seen:
        head = max(ids, default=0)
        assert ids == [i for i in final if i <= head], "a reader saw a position before an earlier one committed"


def inject_fault(registry: Registry, aggregate_id: UUID) -> None:
    """A database trigger that fails any insert of this aggregate's events (a real fault, not a mock)."""
    recorder = registry.marriage.recorder
    table = recorder.events_table_name  # type: ignore[attr-defined]
    datastore = recorder.datastore  # type: ignore[attr-defined]
    with datastore.transaction(commit=True) as cursor:
        if registry.datastore is None:
            cursor.execute(
                f"CREATE TRIGGER fault BEFORE INSERT ON {table} WHEN NEW.originator_id = '{aggregate_id.hex}' "
                "BEGIN SELECT json('an injected fault'); END"
            )
        else:
            schema = datastore.schema
            cursor.execute(
                f"CREATE FUNCTION {schema}.fault() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                f"IF NEW.originator_id = '{aggregate_id}' THEN RAISE EXCEPTION 'an injected fault'; END IF; "
                f"RETURN NEW; END $$; CREATE TRIGGER fault BEFORE INSERT ON {schema}.{table} "
                f"FOR EACH ROW EXECUTE FUNCTION {schema}.fault()"
            )


def test_a_failing_transaction_fails_every_command_of_the_group_and_saves_nothing(grouped: Registry) -> None:
    faulty = "330782999"
    inject_fault(grouped, CertificateBook.id_for(MARRIAGE_CERTIFICATE, faulty, DAY.year))
    head = grouped.marriage.recorder.max_notification_id()
    decided: list[str] = []
    offices = [faulty, *(f"33078292{n}" for n in range(RACERS - 1))]
    results = race([issue_from(grouped, office, decided) for office in offices])
    assert all(isinstance(result, PersistenceError) for result in results), results
    assert not any(isinstance(result, ConcurrentChange) for result in results)
    assert grouped.marriage.recorder.max_notification_id() == head
    for office in offices:
        assert (
            grouped.marriage.find(CertificateBook.id_for(MARRIAGE_CERTIFICATE, office, DAY.year), CertificateBook)
            is None
        )
    grouped.marriage.group_writer = None  # the single path gives the same error
    (alone,) = race([issue_from(grouped, faulty, decided)])
    assert type(alone) is type(results[0])


def test_a_registration_is_found_at_the_version_and_position_it_answered(grouped: Registry) -> None:
    applied = [r for r in race([apply(grouped) for _ in range(4)]) if isinstance(r, CommandResult)]
    register = grouped.marriage.register_marriage
    registered = Race(4).run(
        [lambda m=m.aggregate_id: register(act(DAY), m, attendance=BOTH_PRESENT) for m in applied]  # type: ignore[misc]
    )
    for result in registered:
        assert isinstance(result, CommandResult)
        marriage = grouped.marriage.marriage(result.aggregate_id)
        assert isinstance(marriage, Marriage) and marriage.version == result.version
        assert (grouped.marriage.recorder.max_notification_id() or 0) >= result.position


def test_a_command_that_saved_events_takes_its_position_from_them_without_asking_for_the_log_head(
    registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One round trip less a command: the log's head is asked for only by a command that saved nothing."""
    recorder, asked = registry.marriage.recorder, []
    real_head = recorder.max_notification_id

    def head() -> int | None:
        asked.append(1)
        return real_head()

    monkeypatch.setattr(recorder, "max_notification_id", head)
    man, woman = person(date(1990, 1, 1), "male"), person(date(1992, 2, 2), "female")
    result = registry.marriage.execute(
        act(DAY), lambda: [Marriage.apply_for(act(DAY), party_a=man, party_b=woman, office_designated=False)]
    )
    assert (result.position, asked) == (real_head(), [])
    unchanged = registry.marriage.execute(act(DAY), lambda: [registry.marriage.marriage(result.aggregate_id)])
    assert (unchanged.position, asked) == (result.position, [1])
