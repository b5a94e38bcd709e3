"""Deaths on SQLite and PostgreSQL: one death per person, the bundle's tasks, and widowhood exactly once."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from projections.catalog import ReadSide
from projections.worklists.queries import open_tasks
from registry.common.actors import Actor
from registry.common.errors import WrongState
from registry.deaths.application import DUPLICATE, FLAGGED, REGISTERED
from registry.deaths.bundle import NextOfKin
from registry.deaths.death import DeathReport
from registry.deaths.policies import WidowhoodPolicy
from registry.deaths.services import DeceasedFacts
from registry.settings import Settings
from registry.system import Registry, open_registry
from tests.deaths_support import CITY, ELSEWHERE, resident_of
from tests.support import BOTH_PRESENT, act, person

DIED = date(2026, 11, 19)  # a Thursday
HOSPITAL = Actor("doctor-1", "hospital", "330782-hospital-1")
KIN = NextOfKin("王小明", "son", "13800000000", "6222000000000000", "kin-ref")


def report(died_on: date = DIED, place: str = "义乌市中心医院") -> DeathReport:
    return DeathReport("medical", "浙医死证2026-0001", died_on, place, True)


def married(registry: Registry):  # type: ignore[no-untyped-def]
    man, woman = person(date(1950, 1, 1), "male", "王大"), person(date(1952, 2, 2), "female", "李二")
    marriage = registry.marriage.apply_for_marriage(act(date(2020, 5, 20)), party_a=man, party_b=woman).aggregate_id
    registry.marriage.register_marriage(act(date(2020, 5, 20)), marriage, attendance=BOTH_PRESENT)
    return marriage, man, woman


def test_a_second_registration_of_the_same_death_is_recognised_not_recorded_twice(registry: Registry) -> None:
    deceased = person(date(1940, 1, 1), "male")
    first, outcome = registry.deaths.register_death(act(DIED, by=HOSPITAL), deceased=deceased, report=report())
    again, duplicate = registry.deaths.register_death(act(DIED), deceased=deceased, report=report())
    conflicting, flagged = registry.deaths.register_death(act(DIED), deceased=deceased, report=report(place="家中"))
    assert (outcome, duplicate, flagged) == (REGISTERED, DUPLICATE, FLAGGED)
    assert first.aggregate_id == again.aggregate_id == conflicting.aggregate_id
    assert registry.deaths.death(first.aggregate_id).pending_review is not None


def test_one_application_starts_every_applicable_task_with_working_day_deadlines(registry: Registry) -> None:
    deceased = person(date(1940, 1, 1), "male")
    death, _ = registry.deaths.register_death(act(DIED, by=HOSPITAL), deceased=deceased, report=report())
    facts = DeceasedFacts(pension=True, driving_licence=True, eco_burial=True)
    case_id = registry.deaths.apply_for_bundle(
        act(DIED), death_id=death.aggregate_id, applicant=KIN, facts=facts
    ).aggregate_id
    tasks = registry.deaths.case(case_id).tasks
    assert set(tasks) == {"household-registration-cancellation", "pension-settlement",
                          "driving-licence-cancellation", "funeral-fee-waiver", "eco-burial-reward"}  # fmt: skip
    assert tasks["household-registration-cancellation"].due_on == date(2026, 11, 23)  # 2 working days after Thursday
    assert tasks["household-registration-cancellation"].department == "police"
    with pytest.raises(WrongState):
        registry.deaths.apply_for_bundle(act(DIED), death_id=death.aggregate_id, applicant=KIN, facts=facts)


def test_a_resident_who_died_elsewhere_is_waived_once_the_funeral_service_finds_the_cremation(
    registry: Registry,
) -> None:
    police = Actor("officer-1", "police", "330102-police")
    in_hangzhou = DeathReport("police", "公死证2026-7", DIED, "杭州市", False)
    resident, outsider = resident_of(CITY, name="王大"), resident_of(ELSEWHERE, name="李四")
    cremated_here = DeceasedFacts(cremated_at_city_funeral_home=True)
    cases = {}
    for deceased in (resident, outsider):
        death, _ = registry.deaths.register_death(act(DIED, by=police), deceased=deceased, report=in_hangzhou)
        cases[deceased.name] = registry.deaths.apply_for_bundle(
            act(DIED), death_id=death.aggregate_id, applicant=KIN, facts=cremated_here
        ).aggregate_id
    assert "funeral-fee-waiver" not in registry.deaths.case(cases[outsider.name]).tasks
    case = registry.deaths.case(cases[resident.name])
    assert "cremated at the city's funeral home" in case.tasks["funeral-fee-waiver"].reason
    assert registry.deaths.death(case.death_id).funeral_fee_waived is False
    funeral_home = Actor("staff-2", "department", "funeral-service")
    registry.deaths.complete_task(act(DIED, by=funeral_home), case.id, "funeral-fee-waiver", reference="火化2026-31")
    death = registry.deaths.death(case.death_id)
    assert (death.funeral_fee_waived, death.funeral_fee_basis) == (True, "resident-cremated-at-city-funeral-home")


def test_the_department_worklist_shows_open_and_overdue_tasks(registry: Registry) -> None:
    deceased = person(date(1940, 1, 1), "male")
    death, _ = registry.deaths.register_death(act(DIED, by=HOSPITAL), deceased=deceased, report=report())
    case_id = registry.deaths.apply_for_bundle(act(DIED), death_id=death.aggregate_id, applicant=KIN,
                                               facts=DeceasedFacts()).aggregate_id  # fmt: skip
    police = Actor("officer-9", "department", "police")
    registry.deaths.acknowledge_task(act(DIED, by=police), case_id, "household-registration-cancellation")
    read_side = ReadSide(registry)
    try:
        read_side.catch_up()
        rows = read_side.store.query("SELECT service, state, due_on FROM department_tasks WHERE department = 'police'")
        assert rows == [("household-registration-cancellation", "acknowledged", "2026-11-23")]
    finally:
        read_side.close()


def test_the_worklist_and_the_case_agree_that_a_task_is_overdue_from_the_day_after_its_last_day(
    registry: Registry,
) -> None:
    deceased = person(date(1940, 1, 1), "male")
    death, _ = registry.deaths.register_death(act(DIED, by=HOSPITAL), deceased=deceased, report=report())
    case_id = registry.deaths.apply_for_bundle(act(DIED), death_id=death.aggregate_id, applicant=KIN,
                                               facts=DeceasedFacts()).aggregate_id  # fmt: skip
    last_day = registry.deaths.case(case_id).tasks["household-registration-cancellation"].due_on
    read_side = ReadSide(registry)
    try:
        read_side.catch_up()
        for day, overdue in ((last_day, False), (last_day + timedelta(days=1), True)):
            [row], _ = open_tasks(read_side.store, "police", day)
            case_task = registry.deaths.case(case_id).tasks[row.service]
            assert (row.overdue, case_task.is_overdue_on(day)) == (overdue, overdue)
            assert [t.service for t in open_tasks(read_side.store, "police", day, overdue_only=True)[0]] == (
                [row.service] if overdue else []
            )
    finally:
        read_side.close()


def test_the_death_of_a_married_person_widows_the_spouse_exactly_once_even_across_a_restart(registry: Registry) -> None:
    marriage_id, man, woman = married(registry)
    registry.deaths.register_death(act(DIED, by=HOSPITAL), deceased=man, report=report())
    registry.deaths.register_death(act(DIED, by=HOSPITAL), deceased=person(date(1930, 3, 3), "female"), report=report())
    policy = WidowhoodPolicy(registry.deaths, registry.marriage)
    assert policy.catch_up() == 2
    assert registry.marriage.marital_status(woman.document_key).status == "widowed"  # type: ignore[union-attr]
    assert registry.marriage.marriage(marriage_id).state == "ended-by-death"
    head = registry.marriage.recorder.max_notification_id()
    restarted = open_registry(registry.settings)  # a new process: it knows only what was saved
    try:
        assert WidowhoodPolicy(restarted.deaths, restarted.marriage).catch_up() == 0
        assert restarted.marriage.recorder.max_notification_id() == head
    finally:
        restarted.close()


def test_a_widowed_spouse_may_remarry(registry: Registry) -> None:
    _, man, woman = married(registry)
    registry.deaths.register_death(act(DIED, by=HOSPITAL), deceased=man, report=report())
    WidowhoodPolicy(registry.deaths, registry.marriage).catch_up()
    again = registry.marriage.apply_for_marriage(act(DIED), party_a=person(date(1950, 6, 6), "male"), party_b=woman)
    registry.marriage.register_marriage(act(DIED), again.aggregate_id, attendance=BOTH_PRESENT)
    assert registry.marriage.marital_status(woman.document_key).status == "married"  # type: ignore[union-attr]


def test_benefit_payments_after_the_death_are_flagged_for_recovery(registry: Registry) -> None:
    death, _ = registry.deaths.register_death(act(DIED, by=HOSPITAL), deceased=person(date(1940, 1, 1), "male"),
                                              report=report())  # fmt: skip
    desk = Actor("staff-5", "department", "social-security")
    paid_for = date(2026, 11, 30)
    registry.deaths.record_payment(act(DIED, by=desk), death.aggregate_id, benefit="pension", paid_for=paid_for,
                                   amount_fen=210000)  # fmt: skip
    [*_, payment] = registry.deaths.events.get(death.aggregate_id)
    assert payment.flagged_for_recovery is True  # type: ignore[attr-defined]


def test_each_welfare_allowance_stands_for_the_month_of_death_and_is_flagged_from_the_next_by_default(
    registry: Registry,
) -> None:
    death, _ = registry.deaths.register_death(act(DIED, by=HOSPITAL), deceased=person(date(1940, 1, 1), "male"),
                                              report=report())  # fmt: skip
    desk = Actor("staff-6", "department", "civil-affairs")
    allowances = ("subsistence-allowance", "extreme-poverty-support", "elderly-allowance", "disability-allowance")
    for benefit in allowances:
        for paid_for in (date(2026, 11, 30), date(2026, 12, 1)):
            registry.deaths.record_payment(act(DIED, by=desk), death.aggregate_id, benefit=benefit, paid_for=paid_for,
                                           amount_fen=50000)  # fmt: skip
    payments = registry.deaths.death(death.aggregate_id).payments
    assert [(p.benefit, p.paid_for.day, p.flagged_for_recovery) for p in payments] == [
        (benefit, day, day == 1) for benefit in allowances for day in (30, 1)
    ]


def test_the_configured_benefit_table_decides_which_payments_are_recovered(
    registry: Registry, store_env: dict[str, str]
) -> None:
    configured = open_registry(Settings.from_env({**store_env, "REGISTRY_BENEFIT_ENDS": "pension=month-after-death"}))
    try:
        death, _ = configured.deaths.register_death(act(DIED, by=HOSPITAL), deceased=person(date(1940, 1, 1), "male"),
                                                    report=report())  # fmt: skip
        desk = Actor("staff-5", "department", "social-security")
        for paid_for in (date(2026, 11, 30), date(2026, 12, 1)):
            configured.deaths.record_payment(act(DIED, by=desk), death.aggregate_id, benefit="pension",
                                             paid_for=paid_for, amount_fen=210000)  # fmt: skip
        payments = configured.deaths.death(death.aggregate_id).payments
        assert [(p.flagged_for_recovery, p.payable_until) for p in payments] == [
            (False, date(2026, 11, 30)), (True, date(2026, 11, 30)),
        ]  # fmt: skip
    finally:
        configured.close()


def test_a_person_registered_as_dead_cannot_be_married(registry: Registry) -> None:
    deceased = person(date(1950, 1, 1), "male")
    registry.deaths.register_death(act(DIED, by=HOSPITAL), deceased=deceased, report=report())
    filed = registry.marriage.apply_for_marriage(
        act(DIED), party_a=deceased, party_b=person(date(1952, 2, 2), "female")
    )
    from registry.common.errors import NotEligible

    with pytest.raises(NotEligible) as caught:
        registry.marriage.register_marriage(act(DIED), filed.aggregate_id, attendance=BOTH_PRESENT)
    assert [f.code for f in caught.value.failures] == ["party-deceased"]
