"""Read models on SQLite and PostgreSQL: exact, exactly once, rebuildable."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from eventsourcing.application import Application

from projections.catalog import ReadSide
from projections.runner import Follower, Policy, ProjectionService
from projections.store import ViewStore, set_position
from registry.marriage.values import CourtJudgment
from registry.system import Registry
from tests.support import BOTH_PRESENT, COURT, OTHER_CLERK, act, person

DAY = date(2026, 11, 22)
VIEW_TABLES = ("audit_trail", "audit_trail_persons", "marital_status", "marriage_worklist")


def some_history(registry: Registry) -> dict[str, object]:
    """Two marriages (one then divorced by a court), a pending application, a divorce in cooling-off."""
    man, woman, other = (
        person(date(1990, 1, 1), "male"),
        person(date(1992, 2, 2), "female"),
        person(date(1993, 3, 3), "female"),
    )
    first = registry.marriage.apply_for_marriage(act(DAY), party_a=man, party_b=woman).aggregate_id
    registry.marriage.register_marriage(act(DAY), first, attendance=BOTH_PRESENT)
    judgment = CourtJudgment("义乌市人民法院", "(2026)浙0782民初1号", DAY)
    registry.marriage.record_judgment(act(DAY, by=COURT), first, kind="divorce", judgment=judgment, reason="")
    second = registry.marriage.apply_for_marriage(act(DAY), party_a=man, party_b=other).aggregate_id
    registry.marriage.register_marriage(act(DAY), second, attendance=BOTH_PRESENT)
    divorce = registry.marriage.file_divorce(act(DAY + timedelta(days=1)), marriage_id=second, attendance=BOTH_PRESENT)
    pending = registry.marriage.apply_for_marriage(
        act(DAY, by=OTHER_CLERK), party_a=person(date(1991, 1, 1), "male"), party_b=person(date(1991, 2, 1), "female")
    ).aggregate_id
    return {
        "man": man,
        "woman": woman,
        "other": other,
        "second": second,
        "divorce": divorce.aggregate_id,
        "pending": pending,
    }


def dump(read_side: ReadSide) -> dict[str, list[tuple[object, ...]]]:
    return {table: sorted(read_side.store.query(f"SELECT * FROM {table}"), key=repr) for table in VIEW_TABLES}


def test_the_marital_status_index_follows_marriages_divorces_and_remarriages(
    registry: Registry, read_side: ReadSide
) -> None:
    history = some_history(registry)
    read_side.catch_up()
    keys = registry.marriage.person_keys
    rows = {
        ref: (status, spouse)
        for ref, status, spouse in read_side.store.query("SELECT person_ref, status, spouse_ref FROM marital_status")
    }
    man, woman, other = (keys.ref(p.document_key) for p in (history["man"], history["woman"], history["other"]))  # type: ignore[attr-defined]
    assert rows[man] == ("married", other)
    assert rows[other] == ("married", man)
    assert rows[woman] == ("divorced", None)


def test_the_index_never_holds_an_identity_number(registry: Registry, read_side: ReadSide) -> None:
    history = some_history(registry)
    read_side.catch_up()
    text = repr(dump(read_side))
    for who in ("man", "woman", "other"):
        assert history[who].document_number not in text  # type: ignore[attr-defined]


def test_the_worklist_shows_open_items_per_office_with_window_dates(registry: Registry, read_side: ReadSide) -> None:
    history = some_history(registry)
    read_side.catch_up()
    rows = read_side.store.query("SELECT record_id, office, kind, withdrawal_deadline FROM marriage_worklist")
    assert sorted(rows) == sorted(
        [
            (str(history["divorce"]), "330782001", "divorce", (DAY + timedelta(days=31)).isoformat()),
            (str(history["pending"]), "330782002", "marriage-application", None),
        ]
    )


def test_the_worklist_counts_the_windows_as_the_divorce_does_past_rest_days_and_leaves_unknown_ones_unstated(
    registry: Registry, read_side: ReadSide
) -> None:
    man, woman = person(date(1990, 1, 1), "male"), person(date(1992, 2, 2), "female")
    marriage = registry.marriage.apply_for_marriage(act(date(2025, 12, 1)), party_a=man, party_b=woman).aggregate_id
    registry.marriage.register_marriage(act(date(2025, 12, 1)), marriage, attendance=BOTH_PRESENT)
    spring = registry.marriage.file_divorce(act(date(2026, 1, 20)), marriage_id=marriage, attendance=BOTH_PRESENT)
    registry.marriage.withdraw_divorce(act(date(2026, 2, 1)), spring.aggregate_id, party="a")
    other = registry.marriage.apply_for_marriage(
        act(date(2025, 12, 1)), party_a=person(date(1991, 1, 1), "male"), party_b=person(date(1993, 1, 1), "female")
    ).aggregate_id
    registry.marriage.register_marriage(act(date(2025, 12, 1)), other, attendance=BOTH_PRESENT)
    december = registry.marriage.file_divorce(act(date(2026, 12, 15)), marriage_id=other, attendance=BOTH_PRESENT)
    again = registry.marriage.file_divorce(act(date(2026, 1, 20)), marriage_id=marriage, attendance=BOTH_PRESENT)
    read_side.catch_up()
    rows = dict(
        (record_id, (withdrawal, deadline))
        for record_id, withdrawal, deadline in read_side.store.query(
            "SELECT record_id, withdrawal_deadline, registration_deadline FROM marriage_worklist WHERE kind = 'divorce'"
        )
    )
    assert rows == {
        str(again.aggregate_id): ("2026-02-24", "2026-03-26"),  # day 30 falls in the Spring Festival
        str(december.aggregate_id): (None, None),  # reaches 2027, whose calendar is not configured
    }


def test_the_audit_trail_has_one_row_per_event_with_actor_and_request(registry: Registry, read_side: ReadSide) -> None:
    some_history(registry)
    read_side.catch_up()
    head = registry.marriage.recorder.max_notification_id()
    rows = read_side.store.query(
        "SELECT position, actor_id, actor_office, request_id FROM audit_trail ORDER BY position"
    )
    assert [r[0] for r in rows] == list(range(1, (head or 0) + 1))
    assert all(r[1] and r[2] and r[3] for r in rows)
    assert read_side.position("marriage") == head


def test_processing_twice_changes_nothing(registry: Registry, read_side: ReadSide) -> None:
    some_history(registry)
    read_side.catch_up()
    before = dump(read_side)
    assert read_side.catch_up() == 0
    assert dump(read_side) == before


def test_a_rebuild_equals_the_live_view_and_takes_over(registry: Registry, read_side: ReadSide) -> None:
    for _ in range(2):  # the second round rebuilds over tables a first rebuild swapped in
        some_history(registry)
        read_side.catch_up()
        live = dump(read_side)
        for name in ("audit_trail", "marital_status", "marriage_worklist"):
            read_side.rebuild(name)
        assert dump(read_side) == live
        assert read_side.position("marriage") == registry.marriage.recorder.max_notification_id()


def test_a_reissued_certificate_shows_in_the_index_and_the_status_stays(
    registry: Registry, read_side: ReadSide
) -> None:
    history = some_history(registry)
    read_side.catch_up()
    result = registry.marriage.reissue_certificate(act(DAY), history["second"], party="b", reason="lost")  # type: ignore[arg-type]
    read_side.catch_up()
    new_number = registry.marriage.marriage(result.aggregate_id).certificates["b"]
    ref = registry.marriage.person_keys.ref(history["other"].document_key)  # type: ignore[attr-defined]
    rows = read_side.store.query("SELECT status, certificate FROM marital_status WHERE person_ref = ?", (ref,))
    assert rows == [("married", new_number)]


class CrashHalfway(Exception):
    """Stands for the rebuilding process dying after its first committed batch."""


def crash_after_first_batch(_: int) -> None:
    raise CrashHalfway


def test_a_rebuild_that_dies_halfway_leaves_the_live_view_serving_and_a_second_rebuild_completes(
    registry: Registry, read_side: ReadSide
) -> None:
    some_history(registry)
    read_side.catch_up()
    live, positions = dump(read_side), read_side.store.positions()
    for name in ("audit_trail", "marital_status"):
        with pytest.raises(CrashHalfway):
            read_side.rebuild(name, on_batch=crash_after_first_batch)
        assert dump(read_side) == live
        assert {k: v for k, v in read_side.store.positions().items() if "__rebuild" not in k} == positions
        read_side.rebuild(name)
        assert dump(read_side) == live
    assert not [k for k in read_side.store.positions() if "__rebuild" in k]


def rounds_applying(service: ProjectionService, monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Run a round; the read models it opened a transaction for, and how many each."""
    applying: Counter[str] = Counter()
    apply_next = Follower.apply_next

    def spy(follower: Follower, store: ViewStore, limit: int, *rest: Any) -> int:
        applying[follower.tracking_name] += 1
        return apply_next(follower, store, limit, *rest)

    with monkeypatch.context() as patch:
        patch.setattr(Follower, "apply_next", spy)
        service.run_round()
    return applying


def test_a_round_opens_no_transaction_for_a_read_model_already_at_the_head_of_its_log(
    registry: Registry, read_side: ReadSide, monkeypatch: pytest.MonkeyPatch
) -> None:
    some_history(registry)
    service = ProjectionService(read_side.store, read_side.followers, read_side.policies)
    service.run_round()

    assert rounds_applying(service, monkeypatch) == Counter()

    registry.marriage.apply_for_marriage(
        act(DAY), party_a=person(date(1985, 5, 5), "male"), party_b=person(date(1986, 6, 6), "female")
    )
    marriage_followers = {f.tracking_name for f in read_side.followers if f.application.name == "marriage"}
    # One transaction each: the batch that brings the new events ends at the head, so none is opened to find nothing.
    assert rounds_applying(service, monkeypatch) == Counter(marriage_followers)
    assert all(read_side.store.position(name) == registry.marriage.recorder.max_notification_id() for name in
               marriage_followers)  # fmt: skip


def caught_up_before_a_new_application(registry: Registry, read_side: ReadSide) -> ProjectionService:
    """A service whose read models are at the head of some history, and one new application since."""
    some_history(registry)
    service = ProjectionService(read_side.store, read_side.followers, read_side.policies)
    service.run_round()
    registry.marriage.apply_for_marriage(
        act(DAY), party_a=person(date(1985, 5, 5), "male"), party_b=person(date(1986, 6, 6), "female")
    )
    return service


def test_a_round_reads_a_log_once_for_the_read_models_at_one_position_and_decodes_each_event_once(
    registry: Registry, read_side: ReadSide, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = caught_up_before_a_new_application(registry, read_side)
    recorder, mapper = registry.marriage.recorder, registry.marriage.mapper
    reads: list[int | None] = []
    decoded: list[int] = []
    select_notifications, to_domain_event = recorder.select_notifications, mapper.to_domain_event

    def read_spy(*args: Any, **kwargs: Any) -> Any:
        reads.append(kwargs.get("start"))
        return select_notifications(*args, **kwargs)

    def decode_spy(stored: Any) -> Any:
        decoded.append(stored.id)
        return to_domain_event(stored)

    monkeypatch.setattr(recorder, "select_notifications", read_spy)
    monkeypatch.setattr(mapper, "to_domain_event", decode_spy)
    service.run_round()

    followers = [f for f in read_side.followers if f.application.name == "marriage"]
    assert len(followers) > 1 and len(reads) == 1
    assert decoded and len(decoded) == len(set(decoded))
    assert {read_side.store.position(f.tracking_name) for f in followers} == {recorder.max_notification_id()}


def test_a_round_told_which_logs_moved_asks_no_other_log_for_its_head_and_runs_no_policy_of_another_log(
    registry: Registry, read_side: ReadSide, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = caught_up_before_a_new_application(registry, read_side)
    asked: list[str] = []
    ran: list[str] = []

    def asking(application: Application[Any]) -> Callable[[], int | None]:
        head = application.recorder.max_notification_id

        def spy() -> int | None:
            asked.append(application.name)
            return head()

        return spy

    def running(policy: Policy) -> Callable[[], int]:
        def spy() -> int:
            ran.append(type(policy).__name__)
            return 0

        return spy

    for application in registry.applications().values():
        monkeypatch.setattr(application.recorder, "max_notification_id", asking(application))
    for policy in read_side.policies:
        monkeypatch.setattr(policy, "catch_up", running(policy))

    service.run_round(moved={"marriage"})

    assert asked == ["marriage"] and ran == []
    marriage_followers = [f.tracking_name for f in read_side.followers if f.application.name == "marriage"]
    assert {read_side.store.position(name) for name in marriage_followers} == {
        registry.marriage.recorder.max_notification_id()
    }


def test_a_read_model_set_back_by_hand_is_caught_up_from_there_in_the_next_round(
    registry: Registry, read_side: ReadSide
) -> None:
    some_history(registry)
    service = ProjectionService(read_side.store, read_side.followers, read_side.policies)
    service.run_round()
    live = dump(read_side)["marital_status"]
    with read_side.store.transaction() as cursor:
        cursor.execute("DELETE FROM marital_status")
        set_position(cursor, "marital_status/marriage", 0)

    service.run_round()

    assert dump(read_side)["marital_status"] == live
    assert read_side.store.position("marital_status/marriage") == registry.marriage.recorder.max_notification_id()


def test_a_rebuild_of_a_log_longer_than_one_replay_batch_equals_the_live_view(
    registry: Registry, read_side: ReadSide, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("projections.rebuild.REPLAY_BATCH", 5)  # several batches from a short history
    some_history(registry)
    read_side.catch_up()
    live, batches = dump(read_side), list[int]()
    read_side.rebuild("marital_status", on_batch=batches.append)
    read_side.rebuild("audit_trail")
    assert dump(read_side) == live
    assert len(batches) > 1


def test_the_views_are_the_same_whether_each_batch_holds_one_event_or_the_whole_history(
    registry: Registry, read_side: ReadSide
) -> None:
    """A batch reads back only what earlier batches wrote (a person's marriages, a marriage's parties and
    certificates): one event per batch reads everything back, one batch for everything reads nothing back."""
    history = some_history(registry)
    registry.marriage.reissue_certificate(act(DAY), history["second"], party="a", reason="lost")  # type: ignore[arg-type]
    for follower in read_side.followers:
        follower.batch_size = 1
    read_side.catch_up()
    one_at_a_time = dump(read_side)
    for name in ("audit_trail", "marital_status", "marriage_worklist"):
        read_side.rebuild(name)  # one replay batch holds the whole history
    assert dump(read_side) == one_at_a_time
    assert len(one_at_a_time["marital_status"]) == 3


def index_names(read_side: ReadSide) -> set[str]:
    """The names of the read models' secondary indexes (primary keys and SQLite's own indexes left out)."""
    if read_side.store.is_postgres:
        rows = read_side.store.query("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()")
    else:
        rows = read_side.store.query("SELECT name FROM sqlite_master WHERE type = 'index'")
    return {name for (name,) in rows if not re.search(r"_pkey\d*$", name) and not name.startswith("sqlite_autoindex")}


def test_a_rebuilt_view_has_every_index_of_the_live_view_under_the_live_names(
    registry: Registry, read_side: ReadSide
) -> None:
    some_history(registry)
    read_side.catch_up()
    migrated = index_names(read_side)
    assert {"audit_trail_actor", "audit_trail_office", "audit_trail_aggregate"} <= migrated
    for _ in range(2):  # the second rebuild replaces tables and indexes the first swapped in
        for name in ("audit_trail", "marital_status", "marriage_worklist"):
            read_side.rebuild(name)
        assert index_names(read_side) == migrated
