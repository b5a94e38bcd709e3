"""MarriageRegistry on SQLite and PostgreSQL: what one act saves together, and what a later read sees."""

from datetime import date, timedelta

import pytest

from registry.common.errors import (
    IdempotencyKeyReused,
    InvalidInput,
    NotEligible,
    NotFound,
    VersionMismatch,
    WrongState,
)
from registry.marriage.divorce import DivorceApplication
from registry.marriage.values import CourtJudgment
from registry.system import Registry
from tests.support import BOTH_PRESENT, CLERK, COURT, OTHER_CLERK, act, person

DAY = date(2026, 11, 22)


def married_couple(registry: Registry, on: date = DAY):  # type: ignore[no-untyped-def]
    man, woman = person(date(1990, 1, 1), "male"), person(date(1992, 2, 2), "female")
    filed = registry.marriage.apply_for_marriage(act(on), party_a=man, party_b=woman)
    registry.marriage.register_marriage(act(on), filed.aggregate_id, attendance=BOTH_PRESENT)
    return filed.aggregate_id, man, woman


def test_registration_makes_both_parties_married_with_numbered_certificates(registry: Registry) -> None:
    marriage_id, man, woman = married_couple(registry)
    marriage = registry.marriage.marriage(marriage_id)
    assert marriage.certificates == {"a": "J330782001-2026-000001", "b": "J330782001-2026-000002"}
    for party in (man, woman):
        status = registry.marriage.marital_status(party.document_key)
        assert status is not None and status.status == "married" and status.since == DAY


def test_certificate_numbers_continue_per_office_and_restart_per_office(registry: Registry) -> None:
    married_couple(registry)
    second, _, _ = married_couple(registry)
    man, woman = person(date(1990, 1, 1), "male"), person(date(1992, 2, 2), "female")
    elsewhere = registry.marriage.apply_for_marriage(act(DAY, by=OTHER_CLERK), party_a=man, party_b=woman)
    registry.marriage.register_marriage(act(DAY, by=OTHER_CLERK), elsewhere.aggregate_id, attendance=BOTH_PRESENT)
    assert registry.marriage.marriage(second).certificates["b"] == "J330782001-2026-000004"
    assert registry.marriage.marriage(elsewhere.aggregate_id).certificates["a"] == "J330782002-2026-000001"


def test_a_failed_registration_is_recorded_as_the_refusal_with_the_conditions_found_and_nothing_else(
    registry: Registry,
) -> None:
    _, man, _ = married_couple(registry)
    other = person(date(1993, 3, 3), "female")
    second = registry.marriage.apply_for_marriage(act(DAY), party_a=man, party_b=other)
    head = registry.marriage.recorder.max_notification_id() or 0
    with pytest.raises(NotEligible) as caught:
        registry.marriage.register_marriage(act(DAY), second.aggregate_id, attendance=BOTH_PRESENT)
    assert [f.code for f in caught.value.failures] == ["party-already-married"]
    written = registry.marriage.recorder.select_notifications(start=head, limit=10, inclusive_of_start=False)
    assert [n.topic for n in written] == ["marriage:Marriage.Refused"]  # no status, no certificate number used
    refused = registry.marriage.marriage(second.aggregate_id)
    assert refused.state == "refused" and refused.refusal_findings == caught.value.failures
    status = registry.marriage.marital_status(other.document_key)
    assert status is None  # the other party's status is untouched


def test_a_retried_failed_registration_answers_the_same_refusal_and_records_it_once(registry: Registry) -> None:
    _, man, _ = married_couple(registry)
    second = registry.marriage.apply_for_marriage(act(DAY), party_a=man, party_b=person(date(1993, 3, 3), "female"))
    retry = act(DAY, key="retry-refused-1")
    for _ in range(2):
        with pytest.raises(NotEligible) as caught:
            registry.marriage.register_marriage(retry, second.aggregate_id, attendance=BOTH_PRESENT, request="r")
        assert [f.code for f in caught.value.failures] == ["party-already-married"]
    assert [e.originator_version for e in registry.marriage.events.get(second.aggregate_id)] == [1, 2]


def test_a_clerks_refusal_naming_a_condition_the_registry_finds_met_is_refused(registry: Registry) -> None:
    filed = registry.marriage.apply_for_marriage(
        act(DAY), party_a=person(date(1990, 1, 1), "male"), party_b=person(date(1992, 2, 2), "female")
    )
    with pytest.raises(InvalidInput) as caught:
        registry.marriage.refuse_marriage(
            act(DAY), filed.aggregate_id, reason="already married", failed_conditions=["party-already-married"]
        )
    assert [f.code for f in caught.value.failures] == ["refusal-contradicts-checks"]
    registry.marriage.refuse_marriage(
        act(DAY), filed.aggregate_id, reason="the documents are forged", failed_conditions=["documents-forged"]
    )
    assert registry.marriage.marriage(filed.aggregate_id).state == "refused"


def test_a_record_shows_as_it_was_at_an_earlier_version(registry: Registry) -> None:
    marriage_id, _, _ = married_couple(registry)
    assert registry.marriage.marriage(marriage_id, version=1).state == "applied"
    assert registry.marriage.marriage(marriage_id).state == "registered"


def test_an_unknown_id_is_not_found(registry: Registry) -> None:
    import uuid

    with pytest.raises(NotFound):
        registry.marriage.marriage(uuid.uuid4())


def test_a_stale_expected_version_is_refused(registry: Registry) -> None:
    marriage_id, _, _ = married_couple(registry)
    with pytest.raises(VersionMismatch):
        registry.marriage.reissue_certificate(act(DAY), marriage_id, party="a", reason="lost", expected_version=1)


def test_a_retried_request_returns_its_first_result_and_writes_nothing(registry: Registry) -> None:
    man, woman = person(date(1990, 1, 1), "male"), person(date(1992, 2, 2), "female")
    first = registry.marriage.apply_for_marriage(act(DAY, key="k-1"), party_a=man, party_b=woman, request="body-1")
    head = registry.marriage.recorder.max_notification_id()
    again = registry.marriage.apply_for_marriage(act(DAY, key="k-1"), party_a=man, party_b=woman, request="body-1")
    assert (again.aggregate_id, again.version, again.replayed) == (first.aggregate_id, first.version, True)
    assert registry.marriage.recorder.max_notification_id() == head
    with pytest.raises(IdempotencyKeyReused):
        registry.marriage.apply_for_marriage(act(DAY, key="k-1"), party_a=man, party_b=woman, request="body-2")


def test_divorce_by_agreement_makes_both_divorced_after_cooling_off(registry: Registry) -> None:
    marriage_id, man, woman = married_couple(registry)
    filed = registry.marriage.file_divorce(act(DAY), marriage_id=marriage_id, attendance=BOTH_PRESENT)
    registry.marriage.register_divorce(act(DAY + timedelta(days=31)), filed.aggregate_id, attendance=BOTH_PRESENT)
    divorce = registry.marriage.divorce(filed.aggregate_id)
    assert divorce.certificates["a"].startswith("L330782001-2026-")
    assert registry.marriage.marriage(marriage_id).state == "dissolved"
    assert {registry.marriage.marital_status(p.document_key).status for p in (man, woman)} == {"divorced"}  # type: ignore[union-attr]


def test_a_second_divorce_application_is_refused_while_one_is_open_but_allowed_after_a_lapse(
    registry: Registry,
) -> None:
    received = date(2026, 3, 2)  # registration window to 1 May, a holiday: extended to Wednesday 6 May
    marriage_id, _, _ = married_couple(registry, on=date(2025, 12, 1))
    registry.marriage.file_divorce(act(received), marriage_id=marriage_id, attendance=BOTH_PRESENT)
    for still_open in (received + timedelta(days=5), date(2026, 5, 6)):
        with pytest.raises(WrongState):
            registry.marriage.file_divorce(act(still_open), marriage_id=marriage_id, attendance=BOTH_PRESENT)
    again = registry.marriage.file_divorce(act(date(2026, 5, 7)), marriage_id=marriage_id, attendance=BOTH_PRESENT)
    divorce = registry.marriage.divorce(again.aggregate_id)
    assert divorce.state_on(date(2026, 5, 7), registry.marriage.calendar) == "cooling-off"


def test_a_withdrawal_on_24_february_2026_of_an_application_received_on_20_january_is_accepted(
    registry: Registry,
) -> None:
    marriage_id, man, _ = married_couple(registry, on=date(2025, 12, 1))
    filed = registry.marriage.file_divorce(act(date(2026, 1, 20)), marriage_id=marriage_id, attendance=BOTH_PRESENT)
    with pytest.raises(WrongState) as early:
        registry.marriage.register_divorce(act(date(2026, 2, 24)), filed.aggregate_id, attendance=BOTH_PRESENT)
    assert early.value.failures[0].code == "divorce-cooling-off"
    registry.marriage.withdraw_divorce(act(date(2026, 2, 24)), filed.aggregate_id, party="b")
    assert registry.marriage.marital_status(man.document_key).status == "married"  # type: ignore[union-attr]


def test_a_divorce_act_that_depends_on_a_year_without_a_calendar_is_refused_and_nothing_is_recorded(
    registry: Registry,
) -> None:
    from registry.common.errors import CalendarMissing

    marriage_id, _, _ = married_couple(registry)
    filed = registry.marriage.file_divorce(act(date(2026, 12, 15)), marriage_id=marriage_id, attendance=BOTH_PRESENT)
    with pytest.raises(CalendarMissing):
        registry.marriage.withdraw_divorce(act(date(2027, 1, 15)), filed.aggregate_id, party="a")
    assert registry.marriage.divorce(filed.aggregate_id).version == 1


def test_a_year_configured_later_decides_the_windows_that_reach_it(store_env: dict[str, str]) -> None:
    from projections.catalog import migrate_all
    from registry.settings import Settings
    from registry.system import open_registry

    settings = Settings.from_env({**store_env, "REGISTRY_PUBLIC_HOLIDAYS": "2027-01-01"})  # a test-only 2027
    migrate_all(settings)
    registry = open_registry(settings)
    try:
        marriage_id, _, _ = married_couple(registry)
        filed = registry.marriage.file_divorce(
            act(date(2026, 12, 15)), marriage_id=marriage_id, attendance=BOTH_PRESENT
        )
        registry.marriage.register_divorce(act(date(2027, 1, 15)), filed.aggregate_id, attendance=BOTH_PRESENT)
        assert registry.marriage.divorce(filed.aggregate_id).windows(
            registry.marriage.calendar
        ).withdrawal_deadline == (date(2027, 1, 14))
    finally:
        registry.close()


def test_a_withdrawn_divorce_leaves_the_couple_married(registry: Registry) -> None:
    marriage_id, man, _ = married_couple(registry)
    filed = registry.marriage.file_divorce(act(DAY), marriage_id=marriage_id, attendance=BOTH_PRESENT)
    registry.marriage.withdraw_divorce(act(DAY + timedelta(days=30)), filed.aggregate_id, party="a")
    divorce = registry.marriage.divorce(filed.aggregate_id)
    assert divorce.state_on(DAY + timedelta(days=40), registry.marriage.calendar) == "withdrawn"
    assert registry.marriage.marital_status(man.document_key).status == "married"  # type: ignore[union-attr]


def test_a_court_divorce_needs_no_cooling_off_and_frees_both_to_marry(registry: Registry) -> None:
    marriage_id, man, _ = married_couple(registry)
    judgment = CourtJudgment(court="义乌市人民法院", number="(2026)浙0782民初1号", effective_on=DAY)
    registry.marriage.record_judgment(act(DAY, by=COURT), marriage_id, kind="divorce", judgment=judgment, reason="")
    assert registry.marriage.marital_status(man.document_key).status == "divorced"  # type: ignore[union-attr]
    new = registry.marriage.apply_for_marriage(act(DAY), party_a=man, party_b=person(date(1994, 4, 4), "female"))
    registry.marriage.register_marriage(act(DAY), new.aggregate_id, attendance=BOTH_PRESENT)


def test_a_void_marriage_is_annotated_not_deleted(registry: Registry) -> None:
    marriage_id, man, _ = married_couple(registry)
    judgment = CourtJudgment(court="义乌市人民法院", number="(2026)浙0782民初2号", effective_on=DAY)
    registry.marriage.record_judgment(act(DAY, by=COURT), marriage_id, kind="void", judgment=judgment, reason="bigamy")
    marriage = registry.marriage.marriage(marriage_id)
    assert (marriage.state, marriage.certificates["a"]) == ("void", "J330782001-2026-000001")
    assert registry.marriage.marital_status(man.document_key).status == "unmarried"  # type: ignore[union-attr]


def test_the_death_of_a_spouse_makes_the_survivor_widowed(registry: Registry) -> None:
    marriage_id, _, woman = married_couple(registry)
    registry.marriage.end_marriage_by_death(act(DAY), marriage_id, deceased="a", died_on=DAY)
    assert registry.marriage.marital_status(woman.document_key).status == "widowed"  # type: ignore[union-attr]


def test_every_event_records_actor_office_and_request(registry: Registry) -> None:
    married_couple(registry)
    for notification in registry.marriage.notification_log.select(start=1, limit=10):
        event = registry.marriage.mapper.to_domain_event(notification)
        assert event.actor == CLERK and event.request_id.startswith("req-")  # type: ignore[attr-defined]


def test_identity_numbers_are_not_stored_in_clear(registry: Registry) -> None:
    _, man, _ = married_couple(registry)
    for notification in registry.marriage.notification_log.select(start=1, limit=10):
        assert man.document_number.encode() not in notification.state


def test_divorce_application_state_survives_reload(registry: Registry) -> None:
    marriage_id, _, _ = married_couple(registry)
    filed = registry.marriage.file_divorce(act(DAY), marriage_id=marriage_id, attendance=BOTH_PRESENT)
    reloaded = registry.marriage.divorce(filed.aggregate_id)
    assert isinstance(reloaded, DivorceApplication) and reloaded.received_on == DAY


def test_a_long_certificate_book_is_snapshotted_and_still_reads_at_any_version(registry: Registry) -> None:
    from registry.marriage.certificates import CertificateBook

    marriage_id, _, _ = married_couple(registry)
    for _ in range(120):
        registry.marriage.reissue_certificate(act(DAY), marriage_id, party="a", reason="lost")
    book_id = CertificateBook.id_for("J", "330782001", 2026)
    assert registry.marriage.snapshots is not None
    assert [s.originator_version for s in registry.marriage.snapshots.get(book_id)] == [100]
    assert registry.marriage.load(book_id, CertificateBook, version=50).issued == 50
    assert registry.marriage.load(book_id, CertificateBook, version=110).issued == 110
    assert registry.marriage.marriage(marriage_id).certificates["a"] == "J330782001-2026-000122"


def test_a_court_judgment_cannot_take_effect_in_the_future_or_before_the_registration(registry: Registry) -> None:
    from registry.common.errors import InvalidInput

    marriage_id, _, _ = married_couple(registry)
    for day in (DAY + timedelta(days=1), DAY - timedelta(days=1)):
        judgment = CourtJudgment("义乌市人民法院", "(2026)浙0782民初3号", day)
        with pytest.raises(InvalidInput):
            registry.marriage.record_judgment(
                act(DAY, by=COURT), marriage_id, kind="divorce", judgment=judgment, reason=""
            )


def test_a_court_divorce_closes_a_pending_divorce_by_agreement(registry: Registry) -> None:
    marriage_id, _, _ = married_couple(registry)
    filed = registry.marriage.file_divorce(act(DAY), marriage_id=marriage_id, attendance=BOTH_PRESENT)
    judgment = CourtJudgment("义乌市人民法院", "(2026)浙0782民初4号", DAY)
    registry.marriage.record_judgment(act(DAY, by=COURT), marriage_id, kind="divorce", judgment=judgment, reason="")
    divorce = registry.marriage.divorce(filed.aggregate_id)
    assert divorce.state_on(DAY, registry.marriage.calendar) == "closed"
    with pytest.raises(WrongState):
        registry.marriage.withdraw_divorce(act(DAY), filed.aggregate_id, party="a")


def test_an_application_not_registered_within_the_lapse_days_lapses_and_the_couple_may_file_again(
    registry: Registry,
) -> None:
    """REGISTRY_APPLICATION_LAPSE_DAYS (default 30): day 30 still registrable, day 31 lapsed and nothing written."""
    man, woman = person(date(1990, 1, 1), "male"), person(date(1992, 2, 2), "female")
    on_time = registry.marriage.apply_for_marriage(act(DAY), party_a=man, party_b=woman)
    registry.marriage.register_marriage(act(DAY + timedelta(days=30)), on_time.aggregate_id, attendance=BOTH_PRESENT)
    assert registry.marriage.marriage(on_time.aggregate_id).state == "registered"

    other_man, other_woman = person(date(1991, 1, 1), "male"), person(date(1993, 2, 2), "female")
    late = registry.marriage.apply_for_marriage(act(DAY), party_a=other_man, party_b=other_woman)
    head = registry.marriage.recorder.max_notification_id() or 0
    with pytest.raises(WrongState) as caught:
        registry.marriage.register_marriage(act(DAY + timedelta(days=31)), late.aggregate_id, attendance=BOTH_PRESENT)
    assert [f.code for f in caught.value.failures] == ["application-lapsed"]
    with pytest.raises(WrongState):
        registry.marriage.refuse_marriage(
            act(DAY + timedelta(days=31)), late.aggregate_id, reason="no show", failed_conditions=[]
        )
    assert registry.marriage.recorder.max_notification_id() == head  # nothing written
    with pytest.raises(NotEligible) as inquiry:
        registry.dv_inquiries.file(
            act(DAY + timedelta(days=31)), marriage_id=late.aggregate_id, applicant_party="b",
            subject_document_key=other_man.document_key, subject_name=other_man.name, truthfulness_pledged=True,
            confidentiality_pledged=True,
        )  # fmt: skip
    assert [f.code for f in inquiry.value.failures] == ["marriage-application-not-pending"]

    again = registry.marriage.apply_for_marriage(act(DAY + timedelta(days=31)), party_a=other_man, party_b=other_woman)
    registry.marriage.register_marriage(act(DAY + timedelta(days=31)), again.aggregate_id, attendance=BOTH_PRESENT)
    assert registry.marriage.marriage(again.aggregate_id).state == "registered"


def test_the_application_lapse_days_are_configured(store_env: dict[str, str]) -> None:
    from projections.catalog import migrate_all
    from registry.settings import Settings
    from registry.system import open_registry

    settings = Settings.from_env({**store_env, "REGISTRY_APPLICATION_LAPSE_DAYS": "2"})
    migrate_all(settings)
    registry = open_registry(settings)
    try:
        man, woman = person(date(1990, 1, 1), "male"), person(date(1992, 2, 2), "female")
        filed = registry.marriage.apply_for_marriage(act(DAY), party_a=man, party_b=woman)
        with pytest.raises(WrongState):
            registry.marriage.register_marriage(act(DAY + timedelta(days=3)), filed.aggregate_id,
                                                attendance=BOTH_PRESENT)  # fmt: skip
        registry.marriage.register_marriage(act(DAY + timedelta(days=2)), filed.aggregate_id, attendance=BOTH_PRESENT)
    finally:
        registry.close()
