"""Eco-burial rewards: the amount in force on the burial date, records that fit, one reward per deceased."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from registry.burial.claim import BurialRecord, Claimant, CremationRecord, DeathFacts, RewardClaim, RewardIndex
from registry.burial.rules import RewardRules
from registry.burial.schedule import DEFAULT_SCHEDULE, RewardSchedule, ScheduleEntry, amount_in_force
from registry.common.actors import Actor
from registry.common.errors import Forbidden, InvalidInput, NotEligible, WrongState
from tests.support import CLERK, act

DIED = date(2026, 10, 1)
TODAY = date(2026, 11, 22)
KIN = Claimant("王小明", "child", "6222000000000000", "kin-ref")
RESIDENT_DIED_HERE = DeathFacts(DIED, died_in_city=True, city_resident=True)
DEFAULT_RULES = RewardRules()


def claim(
    kind: str = "sea-burial", buried: date = date(2026, 10, 10), *, death: DeathFacts = RESIDENT_DIED_HERE,
    rules: RewardRules = DEFAULT_RULES, schedule: list[ScheduleEntry] | None = None, by: Actor = CLERK,
) -> RewardClaim:  # fmt: skip
    return RewardClaim.file(
        act(TODAY, by=by), death_id=uuid4(), death=death, claimant=KIN,
        cremation=CremationRecord("火化2026-1", "义乌市殡仪馆", date(2026, 10, 3)),
        burial=BurialRecord(kind, "东海", buried), schedule=schedule or [], rules=rules, today=TODAY,
    )  # fmt: skip


def test_the_default_schedule_pays_sea_burial_and_ash_scattering_most() -> None:
    amounts = DEFAULT_SCHEDULE.amounts_fen
    assert (amounts["sea-burial"], amounts["ash-scattering"], amounts["tree-burial"], amounts["wall-niche-burial"]) == (
        600_000, 600_000, 300_000, 50_000,
    )  # fmt: skip


def test_a_policy_change_applies_to_burials_from_its_date_and_not_before() -> None:
    raised = ScheduleEntry(date(2026, 11, 1), {"sea-burial": 800_000})
    assert amount_in_force([raised], "sea-burial", date(2026, 10, 31)) == 600_000
    assert amount_in_force([raised], "sea-burial", date(2026, 11, 1)) == 800_000


def test_a_schedule_entry_with_an_unknown_kind_or_negative_amount_is_refused() -> None:
    schedule = RewardSchedule.start(act(TODAY))
    with pytest.raises(InvalidInput) as caught:
        schedule.add_entry(
            act(TODAY), ScheduleEntry(date(2027, 1, 1), {"moon-burial": 1, "sea-burial": -5}), reason="x"
        )
    assert [f.code for f in caught.value.failures] == ["reward-kind-unknown", "reward-amount-negative"]


def test_a_traditional_cemetery_burial_earns_no_reward() -> None:
    with pytest.raises(NotEligible) as caught:
        claim(kind="traditional-cemetery")
    assert [f.code for f in caught.value.failures] == ["burial-not-eco"]


def test_a_burial_before_the_cremation_is_refused() -> None:
    with pytest.raises(NotEligible) as caught:
        claim(buried=date(2026, 10, 2))
    assert [f.code for f in caught.value.failures] == ["burial-dates-out-of-order"]


def test_a_claim_is_approved_then_paid_then_recovered_if_wrong() -> None:
    reward = claim()
    with pytest.raises(WrongState):
        reward.pay(act(TODAY), payment_reference="PAY-1")
    reward.approve(act(TODAY))
    reward.pay(act(TODAY), payment_reference="PAY-1")
    reward.recover(act(TODAY), reason="the family had already received a reward elsewhere")
    assert reward.state == "recovered"


def test_a_second_claim_for_the_same_deceased_is_refused_without_naming_the_first() -> None:
    first = claim()
    index = RewardIndex.open(act(TODAY), first.death_id)
    index.claim(act(TODAY), first.id, current=None)
    with pytest.raises(NotEligible) as caught:
        index.claim(act(TODAY), uuid4(), current=first)
    assert caught.value.failures[0].code == "reward-already-claimed"
    assert str(first.id) not in caught.value.detail  # another family's claim id is not told


def test_a_rejected_claim_frees_the_place() -> None:
    first = claim()
    first.reject(act(TODAY), reason="burial record unreadable")
    index = RewardIndex.open(act(TODAY), first.death_id)
    index.claim(act(TODAY), uuid4(), current=first)


CITIZEN = Actor("kin-ref", "citizen")
CIVIL_AFFAIRS_CLERK = Actor("clerk-9", "clerk", "330782-civil-affairs")
OTHER_CLERK = Actor("clerk-2", "clerk", "330782002")


def test_a_clerks_claim_is_filed_at_the_clerks_office_and_a_citizens_at_the_configured_office() -> None:
    assert claim(by=CLERK).office == CLERK.office
    assert claim(by=CITIZEN).office == "330782-civil-affairs"
    assert claim(by=CITIZEN, rules=RewardRules(citizen_office="330782001")).office == "330782001"


def test_only_clerks_and_supervisors_of_the_claims_office_approve_it() -> None:
    reward = claim(by=CITIZEN)
    city_supervisor = Actor("supervisor-1", "supervisor", "330782")
    hospital = Actor("doctor-1", "hospital", "330782-civil-affairs")
    for outsider in (OTHER_CLERK, city_supervisor, CITIZEN, hospital):
        with pytest.raises(Forbidden) as caught:
            reward.approve(act(TODAY, by=outsider))
        assert caught.value.failures[0].code == "claim-office"
    reward.approve(act(TODAY, by=Actor("supervisor-2", "supervisor", "330782-civil-affairs")))
    assert reward.state == "approved"


def test_only_the_claims_office_rejects_it() -> None:
    reward = claim(by=CITIZEN)
    with pytest.raises(Forbidden):
        reward.reject(act(TODAY, by=OTHER_CLERK), reason="not ours to refuse")
    reward.reject(act(TODAY, by=CIVIL_AFFAIRS_CLERK), reason="the burial record is not the city's")
    assert reward.state == "rejected"


def test_payment_and_recovery_are_for_the_claims_office_too() -> None:
    reward = claim(by=CITIZEN)
    reward.approve(act(TODAY, by=CIVIL_AFFAIRS_CLERK))
    with pytest.raises(Forbidden):
        reward.pay(act(TODAY, by=OTHER_CLERK), payment_reference="PAY-1")
    reward.pay(act(TODAY, by=CIVIL_AFFAIRS_CLERK), payment_reference="PAY-1")
    with pytest.raises(Forbidden):
        reward.recover(act(TODAY, by=OTHER_CLERK), reason="wrong")
    reward.recover(act(TODAY, by=CIVIL_AFFAIRS_CLERK), reason="paid twice")
    assert reward.state == "recovered"


def test_by_default_only_a_deceased_with_a_city_household_is_eligible() -> None:
    outsider_died_here = DeathFacts(DIED, died_in_city=True, city_resident=False)
    with pytest.raises(NotEligible) as caught:
        claim(death=outsider_died_here)
    assert [f.code for f in caught.value.failures] == ["reward-not-eligible"]
    resident_died_elsewhere = DeathFacts(DIED, died_in_city=False, city_resident=True)
    assert claim(death=resident_died_elsewhere).eligible_as == "local-household"


def test_with_any_death_in_the_city_a_non_resident_who_died_here_is_eligible_and_one_who_died_elsewhere_not() -> None:
    rules = RewardRules(eligibility="any-death-in-city")
    assert claim(death=DeathFacts(DIED, True, False), rules=rules).eligible_as == "died-in-city"
    assert claim(death=DeathFacts(DIED, False, True), rules=rules).eligible_as == "local-household"
    with pytest.raises(NotEligible):
        claim(death=DeathFacts(DIED, False, False), rules=rules)


def test_an_ineligible_claim_lists_every_failed_condition() -> None:
    with pytest.raises(NotEligible) as caught:
        claim(kind="traditional-cemetery", death=DeathFacts(DIED, True, False))
    assert [f.code for f in caught.value.failures] == ["reward-not-eligible", "burial-not-eco"]


def test_the_amount_keys_on_the_burial_date_by_default_and_on_the_cremation_date_if_configured() -> None:
    raised = [ScheduleEntry(date(2026, 10, 5), {"sea-burial": 800_000})]  # between cremation (3rd) and burial (10th)
    by_burial = claim(schedule=raised)
    by_cremation = claim(schedule=raised, rules=RewardRules(amount_date="cremation"))
    assert (by_burial.amount_fen, by_burial.amount_on) == (800_000, date(2026, 10, 10))
    assert (by_cremation.amount_fen, by_cremation.amount_on) == (600_000, date(2026, 10, 3))


@pytest.mark.parametrize(
    ("eligibility", "amount_date", "office"),
    [("everyone", "burial", "x"), ("local-household", "death", "x"), ("local-household", "burial", " ")],
)
def test_an_unknown_reward_rule_stops_the_registry_at_start(eligibility: str, amount_date: str, office: str) -> None:
    with pytest.raises(ValueError, match="REGISTRY_"):
        RewardRules(eligibility, amount_date, office)
