"""A reply lost after its commit: the append is tried again on a new connection, finds its own events stored, and
answers with their positions, so the command is recorded once and its caller told so (not decided a second time).
Only events identical to the ones sent count as its own: someone else's at the same version are still a conflict.
The network is real: the registry talks to PostgreSQL through a proxy that loses one reply or one request
(reply_dropping_proxy)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from uuid import UUID, uuid4

import pytest
from eventsourcing.persistence import RecordConflictError, StoredEvent

from projections.catalog import migrate_all
from registry.adapters.postgres_append import append_function_name
from registry.deaths.death import DeathReport
from registry.deaths.policies import WidowhoodPolicy
from registry.marriage.marriage import Marriage
from registry.settings import Settings
from registry.system import Registry, open_registry
from tests.reply_dropping_proxy import ReplyDroppingProxy
from tests.support import BOTH_PRESENT, SUPERVISOR, act, person, recorder_of

DAY = date(2026, 11, 24)
pytestmark = pytest.mark.parametrize("store_env", ["postgres"], indirect=True)  # a reply over TCP: PostgreSQL


@pytest.fixture
def proxy(settings: Settings) -> Iterator[ReplyDroppingProxy]:
    """A proxy to the test's PostgreSQL server."""
    connection = settings.postgres_connection()
    proxy = ReplyDroppingProxy((connection["host"], connection["port"]))
    yield proxy
    proxy.close()


@pytest.fixture
def behind_the_proxy(store_env: dict[str, str], settings: Settings, proxy: ReplyDroppingProxy) -> Iterator[Registry]:
    """The registry, migrated directly, talking to its events' database through the proxy."""
    migrate_all(settings)
    connection = settings.postgres_connection()
    direct, through = f"@{connection['host']}:{connection['port']}/", f"@127.0.0.1:{proxy.port}/"
    url = store_env["REGISTRY_DATABASE_URL"]
    assert direct in url
    opened = open_registry(Settings.from_env({**store_env, "REGISTRY_DATABASE_URL": url.replace(direct, through)}))
    yield opened
    opened.close()


def test_a_command_whose_reply_is_lost_after_its_commit_is_recorded_once(
    behind_the_proxy: Registry, proxy: ReplyDroppingProxy
) -> None:
    marriage = behind_the_proxy.marriage
    man, woman = person(date(1990, 1, 1), "male"), person(date(1992, 2, 2), "female")
    proxy.drop_the_reply_to(append_function_name(recorder_of(marriage).events_table_name))
    result = marriage.apply_for_marriage(act(DAY), party_a=man, party_b=woman)
    assert proxy.dropped == 1
    stored = list(marriage.recorder.select_notifications(start=1, limit=100))
    assert [note.id for note in stored] == [result.position]  # one application, at the position the caller was told
    assert marriage.find(result.aggregate_id, Marriage) is not None


@pytest.fixture
def other_writer(behind_the_proxy: Registry, settings: Settings) -> Iterator[Registry]:
    """Another process's registry on the same store, not behind the proxy."""
    opened = open_registry(settings)
    yield opened
    opened.close()


def events(originator: UUID, *, versions: range, state: bytes) -> list[StoredEvent]:
    """Stored events of one originator (the state as it would be stored: no cipher at this level)."""
    return [StoredEvent(originator, version, "test:Event", state) for version in versions]


def test_a_lost_reply_answers_with_the_positions_of_every_event_in_order(
    behind_the_proxy: Registry, proxy: ReplyDroppingProxy
) -> None:
    recorder = recorder_of(behind_the_proxy.places)
    for _ in range(4):  # the pool's connections have prepared the append: the proxy finds it by name
        recorder.insert_events(events(uuid4(), versions=range(1, 2), state=b"earlier"))
    proxy.drop_the_reply_to(append_function_name(recorder.events_table_name))
    positions = recorder.insert_events(events(uuid4(), versions=range(1, 4), state=b"sent"))
    assert proxy.dropped == 1
    stored = recorder.select_notifications(start=1, limit=100)
    assert positions == [note.id for note in stored if note.state == b"sent"]
    assert len(stored) == 7


def test_a_connection_lost_again_while_the_append_looks_for_its_own_events_is_tried_again(
    behind_the_proxy: Registry, proxy: ReplyDroppingProxy
) -> None:
    recorder = recorder_of(behind_the_proxy.places)
    proxy.drop_the_reply_to(append_function_name(recorder.events_table_name))
    proxy.drop_the_request_to("AS same")  # the look for its own events, after the duplicate
    positions = recorder.insert_events(events(uuid4(), versions=range(1, 3), state=b"sent"))
    assert proxy.dropped == 2
    assert positions == [note.id for note in recorder.select_notifications(start=1, limit=100)]
    assert positions is not None and len(positions) == 2


def test_after_a_lost_request_another_writers_event_at_the_same_version_is_still_a_conflict(
    behind_the_proxy: Registry, proxy: ReplyDroppingProxy, other_writer: Registry
) -> None:
    recorder = recorder_of(behind_the_proxy.places)
    originator = uuid4()
    theirs = events(originator, versions=range(1, 2), state=b"theirs")
    proxy.drop_the_request_to(
        append_function_name(recorder.events_table_name),
        meanwhile=lambda: other_writer.places.recorder.insert_events(theirs),
    )
    with pytest.raises(RecordConflictError):
        recorder.insert_events(events(originator, versions=range(1, 2), state=b"ours"))
    assert proxy.dropped == 1
    assert [note.state for note in recorder.select_notifications(start=1, limit=100)] == [b"theirs"]


def test_after_a_lost_request_events_stored_only_in_part_as_sent_are_still_a_conflict(
    behind_the_proxy: Registry, proxy: ReplyDroppingProxy, other_writer: Registry
) -> None:
    """Every event must be stored as sent: an append commits all of its events or none."""
    recorder = recorder_of(behind_the_proxy.places)
    ours = events(uuid4(), versions=range(1, 3), state=b"ours")
    proxy.drop_the_request_to(
        append_function_name(recorder.events_table_name),
        meanwhile=lambda: other_writer.places.recorder.insert_events(ours[:1]),  # the same first event, no second
    )
    with pytest.raises(RecordConflictError):
        recorder.insert_events(ours)
    assert proxy.dropped == 1
    assert len(recorder.select_notifications(start=1, limit=100)) == 1


def test_an_append_that_meets_identical_events_on_its_first_try_is_a_conflict(behind_the_proxy: Registry) -> None:
    """Only a try after a failed one can have been committed already: a first try's duplicate is another's."""
    recorder = behind_the_proxy.places.recorder
    same = events(uuid4(), versions=range(1, 2), state=b"same")
    recorder.insert_events(same)
    with pytest.raises(RecordConflictError):
        recorder.insert_events(same)


def test_a_policys_reaction_whose_commit_reply_is_lost_is_recorded_once(
    behind_the_proxy: Registry, proxy: ReplyDroppingProxy
) -> None:
    """A reaction commits with its tracking row the library's way; on the next try the tracking row is already there,
    which the policy takes as another runner having gone first, and the next round starts after it."""
    registry = behind_the_proxy
    man, woman = person(date(1950, 1, 1), "male"), person(date(1952, 2, 2), "female")
    marriage_id = registry.marriage.apply_for_marriage(act(DAY), party_a=man, party_b=woman).aggregate_id
    registry.marriage.register_marriage(act(DAY), marriage_id, attendance=BOTH_PRESENT)
    death = registry.deaths.register_death(
        act(DAY), deceased=man, report=DeathReport("medical", "c-1", DAY, "医院", True)
    )
    policy = WidowhoodPolicy(registry.deaths, registry.marriage)
    policy.catch_up()  # the registration awaits a supervisor: nothing to do yet
    registry.deaths.confirm_death(act(DAY, by=SUPERVISOR), death[0].aggregate_id, reason="checked with the hospital")
    head = recorder_of(registry.marriage).max_notification_id() or 0
    proxy.drop_the_reply_to("COMMIT")
    assert policy.catch_up() == 0  # the reaction commits, its reply is lost: the retry meets its own tracking row
    assert proxy.dropped == 1
    assert WidowhoodPolicy(registry.deaths, registry.marriage).catch_up() == 0  # the next round: nothing left
    reaction = registry.marriage.recorder.select_notifications(start=head + 1, limit=100)
    assert sorted(note.topic.rpartition(".")[2] for note in reaction) == ["EndedByDeath", "MarriageEnded"]
    assert registry.marriage.marital_status(woman.document_key).status == "widowed"  # type: ignore[union-attr]
