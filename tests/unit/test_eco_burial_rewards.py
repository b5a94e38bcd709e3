"""Eco-burial rewards: the amount in force on the burial date, records that fit, one reward per deceased."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from uuid import uuid4

import pytest

from registry.burial.claim import BurialRecord, Claimant, CremationRecord, DeathFacts, RewardClaim, RewardIndex
from registry.burial.rules import RewardRules
from registry.burial.schedule import DEFAULT_SCHEDULE, RewardSchedule, ScheduleEntry, amount_in_force
from registry.common.actors import Actor
from registry.common.errors import Forbidden, InvalidInput, NotEligible, WrongState
from tests.given import given, when
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


def filing(
    kind: str = "sea-burial", buried: date = date(2026, 10, 10), *, death: DeathFacts = RESIDENT_DIED_HERE,
    rules: RewardRules = DEFAULT_RULES, by: Actor = CLERK,
) -> Callable[[], RewardClaim]:  # fmt: skip
    """The command that files a claim (see `claim` for what it states)."""
    return lambda: claim(kind, buried, death=death, rules=rules, by=by)


def approve(by: Actor = CLERK) -> Callable[[RewardClaim], None]:
    return lambda reward: reward.approve(act(TODAY, by=by))


def pay(by: Actor = CLERK) -> Callable[[RewardClaim], None]:
    return lambda reward: reward.pay(act(TODAY, by=by), payment_reference="PAY-1")


def recover(by: Actor = CLERK, reason: str = "paid twice") -> Callable[[RewardClaim], None]:
    return lambda reward: reward.recover(act(TODAY, by=by), reason=reason)


def reject(by: Actor = CLERK, reason: str = "burial record unreadable") -> Callable[[RewardClaim], None]:
    return lambda reward: reward.reject(act(TODAY, by=by), reason=reason)


def test_a_traditional_cemetery_burial_earns_no_reward() -> None:
    when(filing(kind="traditional-cemetery")).then(NotEligible, "burial-not-eco")


def test_a_burial_before_the_cremation_is_refused() -> None:
    when(filing(buried=date(2026, 10, 2))).then(NotEligible, "burial-dates-out-of-order")


def test_a_claim_is_approved_then_paid_then_recovered_if_wrong() -> None:
    [filed] = when(filing()).then(RewardClaim.Filed)
    assert filed.amount_fen == 600_000
    given(claim()).when(pay()).then(WrongState, "claim-filed")
    given(claim()).when(approve()).then(RewardClaim.Approved)
    [paid] = given(claim(), approve()).when(pay()).then(RewardClaim.Paid)
    assert (paid.payment_reference, paid.amount_fen) == ("PAY-1", 600_000)
    recovery = given(claim(), approve(), pay()).when(recover(reason="already rewarded elsewhere"))
    [recovered] = recovery.then(RewardClaim.Recovered)
    assert (recovered.reason, recovered.amount_fen) == ("already rewarded elsewhere", 600_000)
    assert recovery.subject.state == "recovered"


def held_by(first: RewardClaim) -> RewardIndex:
    """The deceased's reward index, held by a first claim."""
    index = RewardIndex.open(act(TODAY), first.death_id)
    index.claim(act(TODAY), first.id, current=None)
    return index


def test_a_second_claim_for_the_same_deceased_is_refused_without_naming_the_first() -> None:
    first = claim()
    refusal = (
        given(held_by(first))
        .when(lambda index: index.claim(act(TODAY), uuid4(), current=first))
        .then(NotEligible, "reward-already-claimed")
    )
    assert str(first.id) not in refusal.detail  # another family's claim id is not told


def test_a_rejected_claim_frees_the_place() -> None:
    first, second = claim(), uuid4()
    history = given(held_by(first))
    history.when(lambda index: index.claim(act(TODAY), second, current=first)).then(NotEligible)
    rejected = given(first, reject()).aggregate
    outcome = history.when(lambda index: index.claim(act(TODAY), second, current=rejected))
    [claimed] = outcome.then(RewardIndex.Claimed)
    assert claimed.claim_id == second == outcome.subject.claim_id


CITIZEN = Actor("kin-ref", "citizen")
CIVIL_AFFAIRS_CLERK = Actor("clerk-9", "clerk", "330782-civil-affairs")
OTHER_CLERK = Actor("clerk-2", "clerk", "330782002")


def test_a_clerks_claim_is_filed_at_the_clerks_office_and_a_citizens_at_the_configured_office() -> None:
    assert when(filing(by=CLERK)).then(RewardClaim.Filed)[0].office == CLERK.office
    assert when(filing(by=CITIZEN)).then(RewardClaim.Filed)[0].office == "330782-civil-affairs"
    by_citizen_elsewhere = filing(by=CITIZEN, rules=RewardRules(citizen_office="330782001"))
    assert when(by_citizen_elsewhere).then(RewardClaim.Filed)[0].office == "330782001"


def test_only_clerks_and_supervisors_of_the_claims_office_approve_it() -> None:
    history = given(claim(by=CITIZEN))
    city_supervisor = Actor("supervisor-1", "supervisor", "330782")
    hospital = Actor("doctor-1", "hospital", "330782-civil-affairs")
    for outsider in (OTHER_CLERK, city_supervisor, CITIZEN, hospital):
        history.when(approve(by=outsider)).then(Forbidden, "claim-office")
    approval = history.when(approve(by=Actor("supervisor-2", "supervisor", "330782-civil-affairs")))
    approval.then(RewardClaim.Approved)
    assert approval.subject.state == "approved"


def test_only_the_claims_office_rejects_it() -> None:
    history = given(claim(by=CITIZEN))
    history.when(reject(by=OTHER_CLERK, reason="not ours to refuse")).then(Forbidden, "claim-office")
    [rejected] = history.when(reject(by=CIVIL_AFFAIRS_CLERK, reason="the burial record is not the city's")).then(
        RewardClaim.Rejected
    )
    assert rejected.reason == "the burial record is not the city's"


def test_payment_and_recovery_are_for_the_claims_office_too() -> None:
    approved = given(claim(by=CITIZEN), approve(by=CIVIL_AFFAIRS_CLERK))
    approved.when(pay(by=OTHER_CLERK)).then(Forbidden, "claim-office")
    approved.when(pay(by=CIVIL_AFFAIRS_CLERK)).then(RewardClaim.Paid)
    paid = given(claim(by=CITIZEN), approve(by=CIVIL_AFFAIRS_CLERK), pay(by=CIVIL_AFFAIRS_CLERK))
    paid.when(recover(by=OTHER_CLERK, reason="wrong")).then(Forbidden, "claim-office")
    paid.when(recover(by=CIVIL_AFFAIRS_CLERK)).then(RewardClaim.Recovered)


def test_by_default_only_a_deceased_with_a_city_household_is_eligible() -> None:
    outsider_died_here = DeathFacts(DIED, died_in_city=True, city_resident=False)
    when(filing(death=outsider_died_here)).then(NotEligible, "reward-not-eligible")
    resident_died_elsewhere = DeathFacts(DIED, died_in_city=False, city_resident=True)
    [filed] = when(filing(death=resident_died_elsewhere)).then(RewardClaim.Filed)
    assert filed.eligible_as == "local-household"


def test_with_any_death_in_the_city_a_non_resident_who_died_here_is_eligible_and_one_who_died_elsewhere_not() -> None:
    rules = RewardRules(eligibility="any-death-in-city")
    [died_here] = when(filing(death=DeathFacts(DIED, True, False), rules=rules)).then(RewardClaim.Filed)
    [resident] = when(filing(death=DeathFacts(DIED, False, True), rules=rules)).then(RewardClaim.Filed)
    assert (died_here.eligible_as, resident.eligible_as) == ("died-in-city", "local-household")
    when(filing(death=DeathFacts(DIED, False, False), rules=rules)).then(NotEligible, "reward-not-eligible")


def test_an_ineligible_claim_lists_every_failed_condition() -> None:
    when(filing(kind="traditional-cemetery", death=DeathFacts(DIED, True, False))).then(
        NotEligible, "reward-not-eligible", "burial-not-eco"
    )


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
