"""When a death takes effect, on SQLite and PostgreSQL: widowing, the bundle and payments wait for it, exactly once."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import StoredEvent

from projections.catalog import ReadSide
from projections.worklists.queries import pending_death_decisions
from registry.burial.claim import BurialRecord, Claimant, CremationRecord
from registry.common.actors import Actor
from registry.common.errors import WrongState
from registry.common.identity import Person
from registry.deaths.application import AWAITING, CONFIRMED, REGISTERED
from registry.deaths.bundle import NextOfKin
from registry.deaths.death import Death, DeathIndex, DeathReport
from registry.deaths.policies import WidowhoodPolicy
from registry.deaths.services import DeceasedFacts
from registry.system import Registry, open_registry
from tests.support import BOTH_PRESENT, CLERK, SUPERVISOR, act, person

DIED = date(2026, 11, 19)
HOSPITAL = Actor("doctor-1", "hospital", "330782-hospital-1")
POLICE = Actor("officer-1", "police", "330782-police")
DESK = Actor("staff-5", "department", "social-security")
KIN = NextOfKin("王小明", "child", "13800000000", "6222000000000000", "kin-ref")


def report(died_on: date = DIED, place: str = "义乌市中心医院", kind: str = "medical") -> DeathReport:
    return DeathReport(kind, "浙医死证2026-0001", died_on, place, True)


def married(registry: Registry) -> tuple[UUID, Person, Person]:
    man, woman = person(date(1950, 1, 1), "male", "王大"), person(date(1952, 2, 2), "female", "李二")
    marriage = registry.marriage.apply_for_marriage(act(date(2020, 5, 20)), party_a=man, party_b=woman).aggregate_id
    registry.marriage.register_marriage(act(date(2020, 5, 20)), marriage, attendance=BOTH_PRESENT)
    return marriage, man, woman


def status_of(registry: Registry, someone: Person) -> str:
    return registry.marriage.marital_status(someone.document_key).status  # type: ignore[union-attr]


def policy(registry: Registry) -> WidowhoodPolicy:
    return WidowhoodPolicy(registry.deaths, registry.marriage)


def test_a_clerks_registration_widows_nobody_until_a_supervisor_confirms_it_then_exactly_once_across_a_restart(
    registry: Registry,
) -> None:
    marriage_id, man, woman = married(registry)
    result, outcome = registry.deaths.register_death(act(DIED, by=CLERK), deceased=man, report=report())
    assert outcome == AWAITING
    policy(registry).catch_up()
    assert status_of(registry, woman) == "married"
    assert registry.deaths.date_of_death(man.document_key) is None
    registry.deaths.confirm_death(act(DIED, by=SUPERVISOR), result.aggregate_id, reason="checked with the hospital")
    assert policy(registry).catch_up() == 1
    assert status_of(registry, woman) == "widowed"
    assert registry.marriage.marriage(marriage_id).ended_on == DIED
    assert registry.deaths.date_of_death(man.document_key) == DIED
    head = registry.marriage.recorder.max_notification_id()
    restarted = open_registry(registry.settings)  # a new process: it knows only what was saved
    try:
        assert WidowhoodPolicy(restarted.deaths, restarted.marriage).catch_up() == 0
        assert restarted.marriage.recorder.max_notification_id() == head
    finally:
        restarted.close()


def test_a_rejected_clerk_registration_never_widows_and_a_later_certificate_registers_the_death_afresh(
    registry: Registry,
) -> None:
    marriage_id, man, woman = married(registry)
    wrong, _ = registry.deaths.register_death(act(DIED, by=CLERK), deceased=man, report=report())
    registry.deaths.reject_death(act(DIED, by=SUPERVISOR), wrong.aggregate_id, reason="another man's certificate")
    policy(registry).catch_up()
    assert status_of(registry, woman) == "married"
    assert registry.deaths.date_of_death(man.document_key) is None
    later = date(2026, 11, 21)
    right, outcome = registry.deaths.register_death(act(later, by=HOSPITAL), deceased=man, report=report(later))
    assert outcome == REGISTERED and right.aggregate_id != wrong.aggregate_id
    policy(registry).catch_up()
    assert status_of(registry, woman) == "widowed"
    assert registry.marriage.marriage(marriage_id).ended_on == later


def test_the_issuing_bodys_certificate_confirms_a_clerks_registration_and_widows(registry: Registry) -> None:
    _, man, woman = married(registry)
    registry.deaths.register_death(act(DIED, by=CLERK), deceased=man, report=report())
    _, outcome = registry.deaths.register_death(act(DIED, by=HOSPITAL), deceased=man, report=report())
    assert outcome == CONFIRMED
    policy(registry).catch_up()
    assert status_of(registry, woman) == "widowed"


def test_a_clerks_registration_flagged_for_review_widows_only_once_reviewed_and_confirmed(registry: Registry) -> None:
    marriage_id, man, woman = married(registry)
    death, _ = registry.deaths.register_death(act(DIED, by=CLERK), deceased=man, report=report())
    earlier = date(2026, 11, 18)
    registry.deaths.register_death(act(DIED, by=POLICE), deceased=man, report=report(earlier, "家中", "police"))
    registry.deaths.resolve_review(act(DIED, by=SUPERVISOR), death.aggregate_id, decision="correct",
                                   reason="the police established the date")  # fmt: skip
    policy(registry).catch_up()
    assert status_of(registry, woman) == "married"  # reviewed, but still awaiting confirmation
    registry.deaths.confirm_death(act(DIED, by=SUPERVISOR), death.aggregate_id, reason="checked")
    policy(registry).catch_up()
    assert status_of(registry, woman) == "widowed"
    assert registry.marriage.marriage(marriage_id).ended_on == earlier


def test_the_widowing_follows_the_deaths_log_not_the_moment_the_policy_runs(registry: Registry) -> None:
    marriage_id, man, woman = married(registry)
    registry.deaths.register_death(act(DIED, by=HOSPITAL), deceased=man, report=report())
    registry.deaths.register_death(act(DIED, by=POLICE), deceased=man, report=report(date(2026, 11, 18), "家中",
                                                                                      "police"))  # fmt: skip
    policy(registry).catch_up()  # late: the conflict came after the death was in effect
    assert status_of(registry, woman) == "widowed"
    assert registry.marriage.marriage(marriage_id).ended_on == DIED


def test_a_review_correcting_the_date_after_the_widowing_widows_nobody_again(registry: Registry) -> None:
    marriage_id, man, woman = married(registry)
    death, _ = registry.deaths.register_death(act(DIED, by=HOSPITAL), deceased=man, report=report())
    policy(registry).catch_up()
    widowed_at = registry.marriage.recorder.max_notification_id()
    earlier = date(2026, 11, 18)
    registry.deaths.register_death(act(DIED, by=POLICE), deceased=man, report=report(earlier, "家中", "police"))
    registry.deaths.resolve_review(act(DIED, by=SUPERVISOR), death.aggregate_id, decision="correct",
                                   reason="the police established the date")  # fmt: skip
    assert policy(registry).catch_up() == 1  # the resolution is processed, and changes nothing
    assert registry.marriage.recorder.max_notification_id() == widowed_at
    assert status_of(registry, woman) == "widowed"
    assert registry.marriage.marriage(marriage_id).ended_on == DIED  # the widowing keeps its date (notes/deaths.md)
    assert registry.deaths.death(death.aggregate_id).report.died_on == earlier


def test_the_bundle_benefit_payments_and_a_reward_claim_wait_for_a_death_in_effect(registry: Registry) -> None:
    death, _ = registry.deaths.register_death(act(DIED, by=CLERK), deceased=person(date(1940, 1, 1), "male"),
                                              report=report())  # fmt: skip
    death_id = death.aggregate_id
    attempts: list[Any] = [
        lambda: registry.deaths.apply_for_bundle(act(DIED), death_id=death_id, applicant=KIN, facts=DeceasedFacts()),
        lambda: registry.deaths.record_payment(
            act(DIED, by=DESK), death_id, benefit="pension", paid_for=DIED, amount_fen=100
        ),
        lambda: registry.burial.file_claim(
            act(DIED),
            death_id=death_id,
            claimant=Claimant("王小明", "child", "6222000000000000", "kin-ref"),
            cremation=CremationRecord("火化1", "义乌市殡仪馆", DIED),
            burial=BurialRecord("sea-burial", "东海", DIED),
        ),
    ]
    for attempt in attempts:
        with pytest.raises(WrongState) as caught:
            attempt()
        assert [f.code for f in caught.value.failures] == ["death-awaiting-confirmation"]
    registry.deaths.confirm_death(act(DIED, by=SUPERVISOR), death_id, reason="checked")
    assert registry.deaths.apply_for_bundle(act(DIED), death_id=death_id, applicant=KIN, facts=DeceasedFacts())


def store_as_version_1(registry: Registry, events: list[Any], dropped: dict[str, set[str]]) -> None:
    """Store events the way version 1 did: without the fields version 2 added, and without a class_version."""
    mapper = registry.deaths.mapper
    assert mapper.cipher is not None
    stored = []
    for event in events:
        leave_out = {"originator_id", "originator_version", *dropped.get(type(event).__name__, set())}
        state = {k: v for k, v in vars(event).items() if k not in leave_out}
        stored.append(StoredEvent(event.originator_id, event.originator_version, type(event).TOPIC,
                                  mapper.cipher.encrypt(mapper.transcoder.encode(state))))  # fmt: skip
    registry.deaths.recorder.insert_events(stored)


def test_a_death_stored_before_confirmation_existed_loads_in_effect_and_widows(registry: Registry) -> None:
    _, man, woman = married(registry)
    ref = registry.deaths.person_keys.ref(man.document_key)
    death = Death.register(act(DIED, by=CLERK), deceased=man, deceased_ref=ref, report=report(), today=DIED)
    death.waive_funeral_fee(act(DIED, by=CLERK), basis="x")  # version 1 waived at once for a death in the city
    registered, waived = death.collect_events()
    index = DeathIndex.claim(act(DIED, by=CLERK), ref, death.id)
    store_as_version_1(
        registry, [registered, waived, *index.collect_events()],
        {"Registered": {"awaits_confirmation"}, "FuneralFeeWaived": {"basis"}},
    )  # fmt: skip
    loaded = registry.deaths.death(death.id)
    assert (loaded.state, loaded.funeral_fee_basis, loaded.registered_by) == ("in-effect", "died-in-city", CLERK)
    assert registry.deaths.date_of_death(man.document_key) == DIED
    policy(registry).catch_up()
    assert status_of(registry, woman) == "widowed"


def test_a_benefit_payment_stored_as_version_1_loads_without_a_last_payable_day(registry: Registry) -> None:
    death, _ = registry.deaths.register_death(act(DIED, by=HOSPITAL), deceased=person(date(1940, 1, 1), "male"),
                                              report=report())  # fmt: skip
    aggregate = copy.deepcopy(registry.deaths.death(death.aggregate_id))  # never change the application's cached copy
    aggregate.record_payment(act(DIED, by=DESK), benefit="pension", paid_for=date(2026, 11, 25), amount_fen=100,
                             ends=registry.deaths.benefit_ends)  # fmt: skip
    store_as_version_1(registry, aggregate.collect_events(), {"BenefitPaymentRecorded": {"payable_until"}})
    [payment] = registry.deaths.death(death.aggregate_id).payments
    assert (payment.flagged_for_recovery, payment.payable_until) == (True, None)


def test_the_supervisors_worklist_holds_every_decision_owed_until_it_is_made(registry: Registry) -> None:
    entered, _ = registry.deaths.register_death(act(DIED, by=CLERK), deceased=person(date(1940, 1, 1), "male"),
                                                report=report())  # fmt: skip
    disputed_person = person(date(1941, 1, 1), "male")
    disputed, _ = registry.deaths.register_death(act(DIED, by=HOSPITAL), deceased=disputed_person, report=report())
    registry.deaths.register_death(act(DIED, by=POLICE), deceased=disputed_person,
                                   report=report(date(2026, 11, 18), "家中", "police"))  # fmt: skip
    read_side = ReadSide(registry)
    try:
        read_side.catch_up()
        owed = {(d.death_id, d.kind, d.raised_by_role) for d in pending_death_decisions(read_side.store)[0]}
        assert owed == {(str(entered.aggregate_id), "confirmation", "clerk"),
                        (str(disputed.aggregate_id), "review", "police")}  # fmt: skip
        registry.deaths.confirm_death(act(DIED, by=SUPERVISOR), entered.aggregate_id, reason="checked")
        registry.deaths.resolve_review(act(DIED, by=SUPERVISOR), disputed.aggregate_id, decision="keep",
                                       reason="the hospital's record")  # fmt: skip
        wrong_person = person(date(1942, 1, 1), "male")
        wrong, _ = registry.deaths.register_death(act(DIED, by=CLERK), deceased=wrong_person, report=report())
        registry.deaths.register_death(act(DIED, by=CLERK), deceased=wrong_person, report=report(place="家中"))
        read_side.catch_up()
        assert {d.kind for d in pending_death_decisions(read_side.store)[0]} == {"confirmation", "review"}
        registry.deaths.reject_death(act(DIED, by=SUPERVISOR), wrong.aggregate_id, reason="not this person")
        read_side.catch_up()
        assert pending_death_decisions(read_side.store) == ([], None)
    finally:
        read_side.close()
