"""Who may register a death, and when a death takes effect: given a certificate, when..., then..."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from registry.common.actors import Actor
from registry.common.errors import Forbidden, WrongState
from registry.deaths.benefits import BenefitEnds
from registry.deaths.death import AWAITING_CONFIRMATION, IN_EFFECT, REJECTED, Death, DeathReport
from tests.given import given, when
from tests.support import CLERK, SUPERVISOR, act, person

DAY = date(2026, 11, 20)
HOSPITAL = Actor("doctor-1", "hospital", "330782-hospital-1")
POLICE = Actor("officer-1", "police", "330782-police")
DESK = Actor("staff-5", "department", "social-security")
MEDICAL = DeathReport("medical", "浙医死证2026-0001", DAY, "义乌市中心医院", True)
POLICE_CERTIFICATE = DeathReport("police", "公死证2026-0001", DAY, "义乌市中心医院", True)
A_DAY_EARLIER_AT_HOME = DeathReport("police", "公死证9", date(2026, 11, 19), "家中", True)


def registration(by: Actor, report: DeathReport = MEDICAL) -> Callable[[], Death]:
    """The command that registers the death of a man born in 1940 on a certificate."""
    deceased = person(date(1940, 1, 1), "male")
    return lambda: Death.register(act(DAY, by=by), deceased=deceased, deceased_ref="r", report=report, today=DAY)


def registered(by: Actor, report: DeathReport = MEDICAL) -> Death:
    return registration(by, report)()


def confirm(by: Actor = SUPERVISOR, reason: str = "certificate checked with the hospital") -> Callable[[Death], None]:
    return lambda death: death.confirm(act(DAY, by=by), reason=reason)


def reject(
    by: Actor = SUPERVISOR, reason: str = "the certificate belongs to another person"
) -> Callable[[Death], None]:
    return lambda death: death.reject(act(DAY, by=by), reason=reason)


def report(by: Actor, certificate: DeathReport) -> Callable[[Death], bool]:
    return lambda death: death.receive_report(act(DAY, by=by), certificate, today=DAY)


def resolve(decision: str, reason: str) -> Callable[[Death], None]:
    return lambda death: death.resolve_review(act(DAY, by=SUPERVISOR), decision=decision, reason=reason)


def test_a_hospitals_registration_on_its_medical_certificate_takes_effect_at_once() -> None:
    outcome = when(registration(HOSPITAL))
    _, waived = outcome.then(Death.Registered, Death.FuneralFeeWaived)
    assert (outcome.subject.state, outcome.subject.is_effective, waived.basis) == (IN_EFFECT, True, "died-in-city")


def test_the_polices_registration_on_its_police_certificate_takes_effect_at_once() -> None:
    outcome = when(registration(POLICE, POLICE_CERTIFICATE))
    outcome.then(Death.Registered, Death.FuneralFeeWaived)
    assert outcome.subject.is_effective


def test_a_hospital_may_not_register_on_a_police_certificate_nor_the_police_on_a_medical_one() -> None:
    when(registration(HOSPITAL, POLICE_CERTIFICATE)).then(Forbidden, "certificate-not-issued-by-reporter")
    when(registration(POLICE, MEDICAL)).then(Forbidden, "certificate-not-issued-by-reporter")


def test_no_other_role_may_register_a_death() -> None:
    when(registration(DESK)).then(Forbidden, "death-report-role")


def test_a_clerks_registration_waits_for_a_supervisors_confirmation_with_nothing_following_from_it() -> None:
    outcome = when(registration(CLERK))
    outcome.then(Death.Registered)  # no funeral-fee waiver yet
    death = outcome.subject
    assert (death.state, death.is_effective, death.funeral_fee_waived) == (AWAITING_CONFIRMATION, False, False)
    with pytest.raises(WrongState) as caught:
        death.check_effective()
    assert [f.code for f in caught.value.failures] == ["death-awaiting-confirmation"]


def test_a_supervisors_confirmation_puts_a_clerks_registration_in_effect() -> None:
    outcome = given(registered(CLERK)).when(confirm())
    confirmed, waived = outcome.then(Death.Confirmed, Death.FuneralFeeWaived)
    assert (confirmed.died_on, waived.basis) == (DAY, "died-in-city")
    death = outcome.subject
    assert (death.state, death.is_effective, death.funeral_fee_waived) == (IN_EFFECT, True, True)


def test_only_a_supervisor_confirms_or_rejects_a_clerks_registration() -> None:
    history = given(registered(CLERK))
    history.when(confirm(by=CLERK, reason="my own")).then(Forbidden, "supervisor-required")
    history.when(reject(by=HOSPITAL, reason="not ours")).then(Forbidden, "supervisor-required")
    assert history.aggregate.state == AWAITING_CONFIRMATION


def test_a_rejected_registration_never_takes_effect() -> None:
    outcome = given(registered(CLERK)).when(reject())
    outcome.then(Death.Rejected)
    assert outcome.subject.state == REJECTED
    assert outcome.subject.rejection_reason == "the certificate belongs to another person"
    history = given(registered(CLERK), reject())
    history.when(confirm(reason="changed my mind")).then(WrongState, "death-rejected")
    history.when(
        lambda death: death.record_payment(
            act(DAY, by=DESK), benefit="pension", paid_for=DAY, amount_fen=1, ends=BenefitEnds()
        )
    ).then(WrongState, "death-registration-rejected")


def test_a_registration_in_effect_is_neither_confirmed_nor_rejected_again() -> None:
    history = given(registered(HOSPITAL))
    history.when(reject(reason="too late")).then(WrongState, "death-in-effect")
    history.when(confirm(reason="again")).then(WrongState, "death-in-effect")


def test_the_issuing_bodys_agreeing_certificate_confirms_a_clerks_registration() -> None:
    outcome = given(registered(CLERK)).when(report(HOSPITAL, MEDICAL))
    outcome.then(Death.DuplicateReceived, Death.Confirmed, Death.FuneralFeeWaived)
    assert outcome.returned is False and outcome.subject.state == IN_EFFECT


def test_another_clerks_agreeing_entry_does_not_confirm_a_clerks_registration() -> None:
    outcome = given(registered(CLERK)).when(report(CLERK, MEDICAL))
    outcome.then(Death.DuplicateReceived)
    assert outcome.subject.state == AWAITING_CONFIRMATION


def test_a_death_flagged_for_review_is_not_in_effect_until_the_review() -> None:
    outcome = given(registered(HOSPITAL)).when(report(POLICE, A_DAY_EARLIER_AT_HOME))
    outcome.then(Death.ConflictFlagged)
    assert outcome.returned is True and not outcome.subject.is_effective
    with pytest.raises(WrongState) as caught:
        outcome.subject.on_record(city_resident=True)
    assert [f.code for f in caught.value.failures] == ["death-under-review"]
    flagged = given(registered(HOSPITAL), report(POLICE, A_DAY_EARLIER_AT_HOME))
    kept = flagged.when(resolve("keep", "the hospital's record is right"))
    kept.then(Death.ReviewResolved)
    assert kept.subject.is_effective and kept.subject.on_record(city_resident=True).died_on == DAY


def test_a_confirmation_waits_for_the_review_of_a_conflicting_certificate() -> None:
    conflicting = report(HOSPITAL, DeathReport("medical", "x", date(2026, 11, 19), "家中", True))
    flagged = given(registered(CLERK), conflicting)
    flagged.when(confirm(reason="looks right")).then(WrongState, "death-under-review")
    corrected = given(registered(CLERK), conflicting, resolve("correct", "the hospital's date"))
    confirmed = corrected.when(confirm(reason="now right"))
    confirmed.then(Death.Confirmed, Death.FuneralFeeWaived)
    assert confirmed.subject.is_effective and confirmed.subject.report.died_on == date(2026, 11, 19)
