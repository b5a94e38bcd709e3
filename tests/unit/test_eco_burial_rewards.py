"""Eco-burial rewards: the amount in force on the burial date, records that fit, one reward per deceased."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from registry.burial.claim import BurialRecord, Claimant, CremationRecord, RewardClaim, RewardIndex
from registry.burial.schedule import DEFAULT_SCHEDULE, RewardSchedule, ScheduleEntry, amount_in_force
from registry.common.errors import InvalidInput, NotEligible, WrongState
from tests.support import act

DIED = date(2026, 10, 1)
TODAY = date(2026, 11, 22)
KIN = Claimant("王小明", "child", "6222000000000000", "kin-ref")


def claim(kind: str = "sea-burial", buried: date = date(2026, 10, 10), amount: int = 600_000) -> RewardClaim:
    return RewardClaim.file(
        act(TODAY), death_id=uuid4(), died_on=DIED, claimant=KIN,
        cremation=CremationRecord("火化2026-1", "义乌市殡仪馆", date(2026, 10, 3)),
        burial=BurialRecord(kind, "东海", buried), amount_fen=amount, today=TODAY,
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
