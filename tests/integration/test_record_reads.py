"""Record reads on SQLite and PostgreSQL: a shared cache readers cannot change, snapshots only where taken, state at
any version from the latest snapshot, and snapshots that stay encrypted and out of the log."""

from datetime import date
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.domain import BaseAggregate

from registry.common.application import mutate_in_turn
from registry.common.errors import NotFound
from registry.common.events import SharedAggregateChanged
from registry.marriage.certificates import CertificateBook
from registry.marriage.marriage import Marriage
from registry.system import Registry
from tests.support import BOTH_PRESENT, act, person

DAY = date(2026, 11, 22)
BOOK_ID = CertificateBook.id_for("J", "330782001", 2026)


def married(registry: Registry) -> tuple[UUID, str]:
    man, woman = person(date(1990, 1, 1), "male"), person(date(1992, 2, 2), "female")
    filed = registry.marriage.apply_for_marriage(act(DAY), party_a=man, party_b=woman)
    registry.marriage.register_marriage(act(DAY), filed.aggregate_id, attendance=BOTH_PRESENT)
    return filed.aggregate_id, man.document_number


def state(aggregate: Any) -> dict[str, Any]:
    return {k: v for k, v in vars(aggregate).items() if k != "_pending_events"}


def hide_table(recorder: Any) -> None:
    """Rename a recorder's table, so that any query of it fails (proof that a read never asked it)."""
    table = recorder.events_table_name
    schema = getattr(recorder.datastore, "schema", "")
    qualified = f'"{schema}"."{table}"' if schema else table
    with recorder.datastore.transaction(commit=True) as cursor:
        cursor.execute(f"ALTER TABLE {qualified} RENAME TO {table}_hidden")


def test_a_read_shares_the_cached_record_without_a_copy(registry: Registry) -> None:
    marriage_id, _ = married(registry)
    first = registry.marriage.read(marriage_id, Marriage)
    assert registry.marriage.read(marriage_id, Marriage) is first


def test_a_command_on_a_shared_record_is_refused_and_changes_nothing(registry: Registry) -> None:
    marriage_id, _ = married(registry)
    shared = registry.marriage.read(marriage_id, Marriage)
    before = state(shared)
    with pytest.raises(SharedAggregateChanged):
        shared.reissue_certificate(act(DAY), party="a", reason="lost", certificate="J330782001-2026-000099")
    assert registry.marriage.read(marriage_id, Marriage).version == before["_version"]
    assert list(registry.marriage.events.get(marriage_id, gt=before["_version"])) == []


def test_a_read_after_a_change_sees_it_while_an_earlier_reader_keeps_its_version(registry: Registry) -> None:
    marriage_id, _ = married(registry)
    earlier = registry.marriage.read(marriage_id, Marriage)
    kept = state(earlier)
    registry.marriage.reissue_certificate(act(DAY), marriage_id, party="a", reason="lost")
    later = registry.marriage.read(marriage_id, Marriage)
    assert later.version == earlier.version + 1
    assert state(earlier) == kept  # the cached record was replaced, never changed under its reader


def test_a_loaded_record_is_the_callers_own_copy(registry: Registry) -> None:
    marriage_id, _ = married(registry)
    shared = registry.marriage.read(marriage_id, Marriage)
    own = registry.marriage.load(marriage_id, Marriage)
    assert own is not shared and state(own) == state(shared)
    own.reissue_certificate(act(DAY), party="a", reason="lost", certificate="J330782001-2026-000099")
    assert registry.marriage.read(marriage_id, Marriage).version == shared.version


def test_a_record_of_a_class_never_snapshotted_is_read_without_looking_for_snapshots(registry: Registry) -> None:
    marriage_id, _ = married(registry)
    registry.marriage.repository.cache = None  # every read replays from the store
    assert registry.marriage.snapshots is not None
    hide_table(registry.marriage.snapshots.recorder)
    assert registry.marriage.read(marriage_id, Marriage).state == "registered"
    assert registry.marriage.load(marriage_id, Marriage, version=1).state == "applied"
    with pytest.raises(Exception):  # noqa: B017 (the store's own error for a missing table)
        registry.marriage.read(BOOK_ID, CertificateBook)  # a snapshotted class does look


def test_state_at_any_version_from_the_latest_snapshot_equals_a_full_replay(registry: Registry) -> None:
    marriage_id, _ = married(registry)
    for _ in range(210):  # the book: opened, two numbers issued, then 210 reissues
        registry.marriage.reissue_certificate(act(DAY), marriage_id, party="a", reason="lost")
    assert registry.marriage.snapshots is not None
    assert [s.originator_version for s in registry.marriage.snapshots.get(BOOK_ID)] == [100, 200]
    for version in (1, 50, 99, 100, 101, 150, 200, 212):
        replayed = mutate_in_turn(None, registry.marriage.events.get(BOOK_ID, lte=version))
        assert state(registry.marriage.read(BOOK_ID, BaseAggregate, version=version)) == state(replayed)


def test_a_version_never_reached_is_not_found(registry: Registry) -> None:
    marriage_id, _ = married(registry)
    with pytest.raises(NotFound):
        registry.marriage.read(marriage_id, Marriage, version=99)


def test_snapshots_stay_out_of_the_log_that_the_audit_trail_and_read_models_follow(registry: Registry) -> None:
    marriage_id, _ = married(registry)
    for _ in range(100):
        registry.marriage.reissue_certificate(act(DAY), marriage_id, party="a", reason="lost")
    registry.marriage.take_snapshot(marriage_id)
    assert registry.marriage.snapshots is not None
    assert list(registry.marriage.snapshots.get(BOOK_ID)) and list(registry.marriage.snapshots.get(marriage_id))
    logged = registry.marriage.recorder.select_notifications(start=1, limit=10_000)
    assert logged and not [n for n in logged if "Snapshot" in n.topic]


def test_a_snapshot_of_a_record_with_personal_data_is_encrypted_like_its_events(registry: Registry) -> None:
    marriage_id, document_number = married(registry)
    registry.marriage.take_snapshot(marriage_id)
    assert registry.marriage.snapshots is not None
    (stored,) = registry.marriage.snapshots.recorder.select_events(marriage_id)
    assert document_number.encode() not in stored.state and b"330782" not in stored.state
    (snapshot,) = registry.marriage.snapshots.get(marriage_id)
    assert state(snapshot.mutate(None)) == state(registry.marriage.read(marriage_id, Marriage))
