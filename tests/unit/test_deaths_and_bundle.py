"""Deaths and the bundled post-death service: given a death, when..., then..."""

from __future__ import annotations

from datetime import date

import pytest

from registry.common.actors import Actor
from registry.common.errors import Forbidden, InvalidInput, WrongState
from registry.deaths.benefits import BenefitEnds
from registry.deaths.bundle import BundleCase, NextOfKin, Task
from registry.deaths.death import Death, DeathReport
from registry.deaths.services import DeceasedFacts, KnownFacts, plan_services
from tests.support import SUPERVISOR, act, person

DAY = date(2026, 11, 20)
HOSPITAL = Actor("doctor-1", "hospital", "330782-hospital-1")
POLICE = Actor("officer-1", "police", "330782-police")
DESK = Actor("staff-5", "department", "social-security")
REPORT = DeathReport("medical", "浙医死证2026-0001", DAY, "义乌市中心医院", True)


def registered(report: DeathReport = REPORT, by: Actor = HOSPITAL) -> Death:
    return Death.register(act(DAY, by=by), deceased=person(date(1940, 1, 1), "male"), deceased_ref="r",
                          report=report, today=DAY)  # fmt: skip


def test_a_death_in_the_city_waives_the_basic_funeral_fees() -> None:
    assert registered().funeral_fee_waived


def test_a_death_outside_the_city_does_not() -> None:
    assert not registered(DeathReport("police", "公死证1", DAY, "杭州市", False), by=POLICE).funeral_fee_waived


def test_a_date_of_death_in_the_future_is_refused() -> None:
    with pytest.raises(InvalidInput):
        registered(DeathReport("medical", "x", date(2026, 11, 21), "义乌", True))


def test_an_agreeing_second_certificate_is_a_duplicate_and_a_differing_one_is_flagged() -> None:
    death = registered()
    agreeing = DeathReport("police", "公死证9", DAY, "义乌市中心医院", True)
    assert death.receive_report(act(DAY, by=POLICE), agreeing, today=DAY) is False
    assert death.pending_review is None
    differing = DeathReport("police", "公死证9", date(2026, 11, 19), "义乌", True)
    assert death.receive_report(act(DAY, by=POLICE), differing, today=DAY) is True
    assert death.pending_review is not None


def test_a_supervisor_may_correct_the_details_from_a_flagged_report() -> None:
    death = registered()
    other = DeathReport("police", "公死证9", date(2026, 11, 19), "义乌", True)
    death.receive_report(act(DAY, by=POLICE), other, today=DAY)
    with pytest.raises(Forbidden):
        death.resolve_review(act(DAY), decision="correct", reason="a clerk may not")
    death.resolve_review(act(DAY, by=SUPERVISOR), decision="correct", reason="the police certificate is right")
    assert death.report == other and death.pending_review is None
    with pytest.raises(WrongState):
        death.resolve_review(act(DAY, by=SUPERVISOR), decision="keep", reason="again")


def test_a_benefit_paid_for_a_day_after_the_death_is_flagged_for_recovery() -> None:
    death = registered()
    pay = {"benefit": "pension", "amount_fen": 150000, "ends": BenefitEnds()}
    assert death.record_payment(act(DAY, by=DESK), paid_for=DAY, **pay).flagged_for_recovery is False  # type: ignore[arg-type]
    assert death.record_payment(act(DAY, by=DESK), paid_for=date(2026, 11, 21), **pay).flagged_for_recovery is True  # type: ignore[arg-type]


def test_every_death_in_the_city_gets_the_fee_waiver_task_whatever_the_registration() -> None:
    known = KnownFacts(document_type="foreign-passport", died_in_city=True, marital_status="unmarried")
    services = [plan.service for plan in plan_services(DeceasedFacts(), known)]
    assert services == ["funeral-fee-waiver"]


def test_each_service_applies_only_with_its_fact_and_says_why() -> None:
    known = KnownFacts(document_type="resident-id", died_in_city=True, marital_status="married")
    plans = {p.service: p for p in plan_services(DeceasedFacts(social_insurance=True, elderly_allowance=True,
                                                               eco_burial=True), known)}  # fmt: skip
    assert set(plans) == {"household-registration-cancellation", "funeral-grant-and-survivor-pension",
                          "welfare-allowances-end", "funeral-fee-waiver", "eco-burial-reward"}  # fmt: skip
    assert plans["household-registration-cancellation"].working_days == 2
    assert "surviving spouse" in plans["funeral-grant-and-survivor-pension"].reason
    assert "elderly allowance" in plans["welfare-allowances-end"].reason


def case_with(*tasks: Task) -> BundleCase:
    kin = NextOfKin("王小明", "son", "13800000000", "6222000000000000", "kin-ref")
    return BundleCase.open(act(DAY), death_id=Death.register(act(DAY, by=HOSPITAL), deceased=person(
        date(1940, 1, 1), "male"), deceased_ref="r", report=REPORT, today=DAY).id, applicant=kin, tasks=list(tasks),
        applied_on=DAY)  # fmt: skip


POLICE_DESK = Actor("officer-9", "department", "police")
FUNERAL_DESK = Actor("staff-2", "department", "funeral-service")


def test_a_department_acts_only_on_its_own_tasks() -> None:
    case = case_with(Task("household-registration-cancellation", "police", "why", date(2026, 11, 24)))
    with pytest.raises(Forbidden):
        case.complete(act(DAY, by=FUNERAL_DESK), "household-registration-cancellation", reference="x")


def test_the_case_completes_when_every_task_is_completed_or_rejected() -> None:
    case = case_with(
        Task("household-registration-cancellation", "police", "why", date(2026, 11, 24)),
        Task("funeral-fee-waiver", "funeral-service", "why", date(2026, 11, 24)),
    )
    case.acknowledge(act(DAY, by=POLICE_DESK), "household-registration-cancellation")
    case.complete(act(DAY, by=POLICE_DESK), "household-registration-cancellation", reference="户销2026-1")
    assert not case.completed
    case.reject(act(DAY, by=FUNERAL_DESK), "funeral-fee-waiver", reason="cremated outside the city's funeral home")
    assert case.completed
    with pytest.raises(WrongState):
        case.complete(act(DAY, by=FUNERAL_DESK), "funeral-fee-waiver", reference="late")


def test_a_task_past_its_deadline_is_overdue() -> None:
    case = case_with(Task("household-registration-cancellation", "police", "why", date(2026, 11, 24)))
    assert case.overdue_on(date(2026, 11, 24)) == []
    assert [t.service for t in case.overdue_on(date(2026, 11, 25))] == ["household-registration-cancellation"]


def test_a_completion_needs_the_departments_reference_and_a_rejection_its_reason() -> None:
    case = case_with(Task("household-registration-cancellation", "police", "why", date(2026, 11, 24)))
    with pytest.raises(InvalidInput) as completed:
        case.complete(act(DAY, by=POLICE_DESK), "household-registration-cancellation", reference="  ")
    with pytest.raises(InvalidInput) as rejected:
        case.reject(act(DAY, by=POLICE_DESK), "household-registration-cancellation", reason="")
    assert (completed.value.failures[0].code, rejected.value.failures[0].code) == (
        "reference-required", "reason-required",
    )  # fmt: skip


def test_a_done_task_is_never_overdue() -> None:
    task = Task("funeral-fee-waiver", "funeral-service", "why", date(2026, 11, 24), state="completed")
    assert not task.is_overdue_on(date(2026, 12, 24))
