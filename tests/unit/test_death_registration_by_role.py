"""Who may register a death, and when a death takes effect: given a certificate, when..., then..."""

from __future__ import annotations

from datetime import date

import pytest

from registry.common.actors import Actor
from registry.common.errors import Forbidden, WrongState
from registry.deaths.benefits import BenefitEnds
from registry.deaths.death import AWAITING_CONFIRMATION, IN_EFFECT, REJECTED, Death, DeathReport
from tests.support import CLERK, SUPERVISOR, act, person

DAY = date(2026, 11, 20)
HOSPITAL = Actor("doctor-1", "hospital", "330782-hospital-1")
POLICE = Actor("officer-1", "police", "330782-police")
DESK = Actor("staff-5", "department", "social-security")
MEDICAL = DeathReport("medical", "浙医死证2026-0001", DAY, "义乌市中心医院", True)
POLICE_CERTIFICATE = DeathReport("police", "公死证2026-0001", DAY, "义乌市中心医院", True)


def registered(by: Actor, report: DeathReport = MEDICAL) -> Death:
    return Death.register(act(DAY, by=by), deceased=person(date(1940, 1, 1), "male"), deceased_ref="r",
                          report=report, today=DAY)  # fmt: skip


def test_a_hospitals_registration_on_its_medical_certificate_takes_effect_at_once() -> None:
    death = registered(HOSPITAL)
    assert (death.state, death.is_effective, death.funeral_fee_waived) == (IN_EFFECT, True, True)


def test_the_polices_registration_on_its_police_certificate_takes_effect_at_once() -> None:
    assert registered(POLICE, POLICE_CERTIFICATE).is_effective


def test_a_hospital_may_not_register_on_a_police_certificate_nor_the_police_on_a_medical_one() -> None:
    with pytest.raises(Forbidden) as hospital:
        registered(HOSPITAL, POLICE_CERTIFICATE)
    with pytest.raises(Forbidden) as police:
        registered(POLICE, MEDICAL)
    assert {hospital.value.failures[0].code, police.value.failures[0].code} == {"certificate-not-issued-by-reporter"}


def test_no_other_role_may_register_a_death() -> None:
    with pytest.raises(Forbidden) as caught:
        registered(DESK)
    assert caught.value.failures[0].code == "death-report-role"


def test_a_clerks_registration_waits_for_a_supervisors_confirmation_with_nothing_following_from_it() -> None:
    death = registered(CLERK)
    assert (death.state, death.is_effective, death.funeral_fee_waived) == (AWAITING_CONFIRMATION, False, False)
    with pytest.raises(WrongState) as caught:
        death.check_effective()
    assert [f.code for f in caught.value.failures] == ["death-awaiting-confirmation"]


def test_a_supervisors_confirmation_puts_a_clerks_registration_in_effect() -> None:
    death = registered(CLERK)
    death.confirm(act(DAY, by=SUPERVISOR), reason="certificate checked with the hospital")
    assert (death.state, death.is_effective, death.funeral_fee_waived) == (IN_EFFECT, True, True)
    [*_, confirmed, waived] = death.collect_events()
    assert isinstance(confirmed, Death.Confirmed) and confirmed.died_on == DAY
    assert isinstance(waived, Death.FuneralFeeWaived) and waived.basis == "died-in-city"


def test_only_a_supervisor_confirms_or_rejects_a_clerks_registration() -> None:
    death = registered(CLERK)
    with pytest.raises(Forbidden):
        death.confirm(act(DAY, by=CLERK), reason="my own")
    with pytest.raises(Forbidden):
        death.reject(act(DAY, by=HOSPITAL), reason="not ours")
    assert death.state == AWAITING_CONFIRMATION


def test_a_rejected_registration_never_takes_effect() -> None:
    death = registered(CLERK)
    death.reject(act(DAY, by=SUPERVISOR), reason="the certificate belongs to another person")
    assert (death.state, death.rejection_reason) == (REJECTED, "the certificate belongs to another person")
    with pytest.raises(WrongState) as caught:
        death.confirm(act(DAY, by=SUPERVISOR), reason="changed my mind")
    assert [f.code for f in caught.value.failures] == ["death-rejected"]
    with pytest.raises(WrongState):
        death.record_payment(act(DAY, by=DESK), benefit="pension", paid_for=DAY, amount_fen=1, ends=BenefitEnds())


def test_a_registration_in_effect_is_neither_confirmed_nor_rejected_again() -> None:
    death = registered(HOSPITAL)
    with pytest.raises(WrongState):
        death.reject(act(DAY, by=SUPERVISOR), reason="too late")


def test_the_issuing_bodys_agreeing_certificate_confirms_a_clerks_registration() -> None:
    death = registered(CLERK)
    assert death.receive_report(act(DAY, by=HOSPITAL), MEDICAL, today=DAY) is False
    assert death.state == IN_EFFECT
    [*_, duplicate, confirmed, _waived] = death.collect_events()
    assert isinstance(duplicate, Death.DuplicateReceived) and isinstance(confirmed, Death.Confirmed)


def test_another_clerks_agreeing_entry_does_not_confirm_a_clerks_registration() -> None:
    death = registered(CLERK)
    death.receive_report(act(DAY, by=CLERK), MEDICAL, today=DAY)
    assert death.state == AWAITING_CONFIRMATION


def test_a_death_flagged_for_review_is_not_in_effect_until_the_review() -> None:
    death = registered(HOSPITAL)
    death.receive_report(act(DAY, by=POLICE), DeathReport("police", "公死证9", date(2026, 11, 19), "家中", True),
                         today=DAY)  # fmt: skip
    assert not death.is_effective
    with pytest.raises(WrongState) as caught:
        death.on_record(city_resident=True)
    assert [f.code for f in caught.value.failures] == ["death-under-review"]
    death.resolve_review(act(DAY, by=SUPERVISOR), decision="keep", reason="the hospital's record is right")
    assert death.is_effective and death.on_record(city_resident=True).died_on == DAY


def test_a_confirmation_waits_for_the_review_of_a_conflicting_certificate() -> None:
    death = registered(CLERK)
    death.receive_report(act(DAY, by=HOSPITAL), DeathReport("medical", "x", date(2026, 11, 19), "家中", True),
                         today=DAY)  # fmt: skip
    with pytest.raises(WrongState) as caught:
        death.confirm(act(DAY, by=SUPERVISOR), reason="looks right")
    assert [f.code for f in caught.value.failures] == ["death-under-review"]
    death.resolve_review(act(DAY, by=SUPERVISOR), decision="correct", reason="the hospital's date")
    death.confirm(act(DAY, by=SUPERVISOR), reason="now right")
    assert death.is_effective and death.report.died_on == date(2026, 11, 19)


def test_every_deaths_and_burial_event_has_a_stable_topic_in_its_context() -> None:
    from registry.burial.claim import RewardClaim, RewardIndex
    from registry.burial.schedule import RewardSchedule
    from registry.common.events import RegistryEvent
    from registry.deaths.bundle import BundleCase
    from registry.deaths.death import DeathIndex

    for aggregate in (Death, DeathIndex, BundleCase, RewardClaim, RewardIndex, RewardSchedule):
        events = [
            v
            for k, v in vars(aggregate).items()
            if isinstance(v, type) and issubclass(v, RegistryEvent) and k != "Event"
        ]
        assert events and all(event.TOPIC.startswith(aggregate.TOPIC + ".") for event in events), aggregate
