"""Eco-burial rewards on SQLite and PostgreSQL: amounts in force, one per deceased, the bundle task, the ledger."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest
from eventsourcing.persistence import StoredEvent

from projections.catalog import ReadSide
from registry.burial.claim import BurialRecord, Claimant, CremationRecord, DeathFacts, RewardClaim
from registry.burial.rules import RewardRules
from registry.burial.schedule import ScheduleEntry
from registry.common.actors import Actor
from registry.common.errors import Forbidden, NotEligible
from registry.deaths.bundle import BundleCase, NextOfKin
from registry.deaths.death import DeathReport
from registry.deaths.policies import EcoBurialTaskPolicy
from registry.deaths.services import DeceasedFacts
from registry.settings import Settings
from registry.system import Registry, open_registry
from tests.deaths_support import CITY, ELSEWHERE, resident_of
from tests.support import OTHER_CLERK, SUPERVISOR, act, person

DIED = date(2026, 10, 1)
TODAY = date(2026, 11, 22)
HOSPITAL = Actor("doctor-1", "hospital", "330782-hospital-1")
KIN = Claimant("王小明", "child", "6222000000000000", "kin-ref")


def death(registry: Registry, eco_bundle: bool = False, division: str = CITY, in_city: bool = True):  # type: ignore[no-untyped-def]
    report = DeathReport("medical", "浙医死证2026-7", DIED, "义乌市中心医院" if in_city else "杭州市", in_city)
    death_id = registry.deaths.register_death(act(DIED, by=HOSPITAL), deceased=resident_of(division),
                                              report=report)[0].aggregate_id  # fmt: skip
    if eco_bundle:
        kin = NextOfKin("王小明", "child", "13800000000", "6222000000000000", "kin-ref")
        registry.deaths.apply_for_bundle(
            act(DIED), death_id=death_id, applicant=kin, facts=DeceasedFacts(eco_burial=True)
        )
    return death_id


def file(registry: Registry, death_id, kind: str = "sea-burial", buried: date = date(2026, 10, 10)):  # type: ignore[no-untyped-def]
    return registry.burial.file_claim(
        act(TODAY), death_id=death_id, claimant=KIN,
        cremation=CremationRecord("火化2026-1", "义乌市殡仪馆", date(2026, 10, 3)),
        burial=BurialRecord(kind, "东海", buried),
    ).aggregate_id  # fmt: skip


def test_the_amount_is_the_one_in_force_on_the_burial_date(registry: Registry) -> None:
    raised = ScheduleEntry(date(2026, 10, 15), {"sea-burial": 800_000})
    registry.burial.add_schedule_entry(act(TODAY, by=SUPERVISOR), raised, reason="2026 budget")
    before = file(registry, death(registry), buried=date(2026, 10, 14))
    after = file(registry, death(registry), buried=date(2026, 10, 15))
    assert (registry.burial.claim(before).amount_fen, registry.burial.claim(after).amount_fen) == (600_000, 800_000)


def test_one_reward_per_deceased_and_the_refusal_names_no_other_familys_claim(registry: Registry) -> None:
    death_id = death(registry)
    first = file(registry, death_id)
    with pytest.raises(NotEligible) as caught:
        file(registry, death_id, kind="tree-burial")
    assert caught.value.failures[0].code == "reward-already-claimed"
    assert str(first) not in caught.value.detail


def test_a_paid_reward_completes_the_bundle_task_exactly_once(registry: Registry) -> None:
    death_id = death(registry, eco_bundle=True)
    claim_id = file(registry, death_id)
    registry.burial.approve_claim(act(TODAY), claim_id)
    registry.burial.pay_claim(act(TODAY), claim_id, payment_reference="PAY-2026-0001")
    assert EcoBurialTaskPolicy(registry.burial, registry.deaths).catch_up() == 1
    task = registry.deaths.case(BundleCase.id_for(death_id)).tasks["eco-burial-reward"]
    assert (task.state, "PAY-2026-0001" in (task.reference or "")) == ("completed", True)
    restarted = open_registry(registry.settings)
    try:
        assert EcoBurialTaskPolicy(restarted.burial, restarted.deaths).catch_up() == 0
    finally:
        restarted.close()


def test_the_ledger_and_uptake_follow_claims_and_deaths(registry: Registry) -> None:
    claim_id = file(registry, death(registry))
    death(registry)
    registry.burial.approve_claim(act(TODAY), claim_id)
    registry.burial.pay_claim(act(TODAY), claim_id, payment_reference="PAY-1")
    read_side = ReadSide(registry)
    try:
        read_side.catch_up()
        ledger = read_side.store.query(
            "SELECT month, burial_kind, approved_fen, paid_fen, recovered_fen FROM rewards_ledger"
        )
        assert ledger == [("2026-11", "sea-burial", 600_000, 600_000, 0)]
        uptake = dict(((m, k), c) for m, k, c in read_side.store.query("SELECT month, kind, count FROM burial_uptake"))
        assert uptake == {("2026-10", "deaths"): 2, ("2026-10", "sea-burial"): 1}
    finally:
        read_side.close()


def test_uptake_counts_a_clerks_registration_once_confirmed_and_a_rejected_one_never(registry: Registry) -> None:
    report = DeathReport("medical", "浙医死证2026-8", DIED, "义乌市中心医院", True)
    confirmed, rejected = (
        registry.deaths.register_death(act(DIED), deceased=person(date(1940, 1, 1), "male"), report=report)[0]
        for _ in range(2)
    )
    read_side = ReadSide(registry)
    try:
        read_side.catch_up()
        assert read_side.store.query("SELECT month, kind, count FROM burial_uptake") == []
        registry.deaths.confirm_death(act(DIED, by=SUPERVISOR), confirmed.aggregate_id, reason="checked")
        registry.deaths.reject_death(act(DIED, by=SUPERVISOR), rejected.aggregate_id, reason="wrong person")
        read_side.catch_up()
        assert read_side.store.query("SELECT month, kind, count FROM burial_uptake") == [("2026-10", "deaths", 1)]
    finally:
        read_side.close()


def test_a_reward_is_approved_and_paid_only_at_the_claims_office(registry: Registry) -> None:
    claim_id = file(registry, death(registry))  # filed by a clerk of office 330782001
    with pytest.raises(Forbidden) as caught:
        registry.burial.approve_claim(act(TODAY, by=OTHER_CLERK), claim_id)
    assert caught.value.failures[0].code == "claim-office"
    registry.burial.approve_claim(act(TODAY), claim_id)
    with pytest.raises(Forbidden):
        registry.burial.pay_claim(act(TODAY, by=OTHER_CLERK), claim_id, payment_reference="PAY-9")
    assert registry.burial.claim(claim_id).state == "approved"


def test_eligibility_is_local_household_by_default_and_any_death_in_the_city_if_configured(
    registry: Registry, store_env: dict[str, str]
) -> None:
    outsider_died_here = death(registry, division=ELSEWHERE)
    with pytest.raises(NotEligible) as caught:
        file(registry, outsider_died_here)
    assert [f.code for f in caught.value.failures] == ["reward-not-eligible"]
    assert registry.burial.claim(file(registry, death(registry, in_city=False))).eligible_as == "local-household"
    configured = open_registry(Settings.from_env({**store_env, "REGISTRY_ECO_BURIAL_ELIGIBILITY": "any-death-in-city",
                                                  "REGISTRY_ECO_BURIAL_AMOUNT_DATE": "cremation"}))  # fmt: skip
    try:
        claim = configured.burial.claim(file(configured, outsider_died_here))
        assert (claim.eligible_as, claim.amount_on) == ("died-in-city", date(2026, 10, 3))
        with pytest.raises(NotEligible):
            file(configured, death(configured, division=ELSEWHERE, in_city=False))
    finally:
        configured.close()


def test_a_claim_stored_as_version_1_loads_with_its_office_and_the_burial_date(registry: Registry) -> None:
    schedule: list[ScheduleEntry] = []
    facts = DeathFacts(DIED, died_in_city=True, city_resident=True)
    citizen = Actor("kin-ref", "citizen")
    stored = []
    for filer in (act(TODAY), act(TODAY, by=citizen)):
        claim = RewardClaim.file(filer, death_id=uuid4(), death=facts, claimant=KIN,
                                 cremation=CremationRecord("火化1", "义乌市殡仪馆", date(2026, 10, 3)),
                                 burial=BurialRecord("tree-burial", "林地", date(2026, 10, 9)), schedule=schedule,
                                 rules=RewardRules(amount_date="cremation"), today=TODAY)  # fmt: skip
        [filed] = claim.collect_events()
        leave_out = {"originator_id", "originator_version", "office", "amount_on", "eligible_as"}
        state = {k: v for k, v in vars(filed).items() if k not in leave_out}
        mapper = registry.burial.mapper
        assert mapper.cipher is not None
        stored.append(StoredEvent(filed.originator_id, 1, "burial:RewardClaim.Filed",
                                  mapper.cipher.encrypt(mapper.transcoder.encode(state))))  # fmt: skip
    registry.burial.recorder.insert_events(stored)
    by_clerk, by_citizen = (registry.burial.claim(e.originator_id) for e in stored)  # type: ignore[arg-type]
    assert (by_clerk.office, by_clerk.amount_on, by_clerk.eligible_as) == ("330782001", date(2026, 10, 9),
                                                                            "not-checked")  # fmt: skip
    assert by_citizen.office == "330782-civil-affairs"
