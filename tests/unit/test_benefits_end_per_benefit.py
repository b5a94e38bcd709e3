"""When each benefit ends after a death: welfare allowances from the month after, others the day after."""

from __future__ import annotations

from datetime import date

import pytest

from registry.common.actors import Actor
from registry.common.errors import InvalidInput
from registry.deaths.benefits import BenefitEnds, parse_benefit_ends
from registry.deaths.death import Death, DeathReport
from registry.deaths.services import DeceasedFacts, KnownFacts, plan_services
from tests.support import act, person

DIED = date(2026, 11, 19)
HOSPITAL = Actor("doctor-1", "hospital", "330782-hospital-1")
DESK = Actor("staff-7", "department", "civil-affairs")


def flagged(benefit: str, paid_for: date, ends: BenefitEnds | None = None) -> bool:
    death = Death.register(act(DIED, by=HOSPITAL), deceased=person(date(1940, 1, 1), "male"), deceased_ref="r",
                           report=DeathReport("medical", "x", DIED, "义乌", True), today=DIED)  # fmt: skip
    payment = death.record_payment(act(DIED, by=DESK), benefit=benefit, paid_for=paid_for, amount_fen=50_000,
                                   ends=ends or BenefitEnds())  # fmt: skip
    return payment.flagged_for_recovery


@pytest.mark.parametrize(
    "allowance", ["subsistence-allowance", "extreme-poverty-support", "elderly-allowance", "disability-allowance"]
)
def test_a_welfare_allowance_for_the_last_day_of_the_month_of_death_is_not_flagged(allowance: str) -> None:
    assert flagged(allowance, date(2026, 11, 30)) is False


@pytest.mark.parametrize(
    "allowance", ["subsistence-allowance", "extreme-poverty-support", "elderly-allowance", "disability-allowance"]
)
def test_a_welfare_allowance_for_the_first_day_of_the_next_month_is_flagged(allowance: str) -> None:
    assert flagged(allowance, date(2026, 12, 1)) is True


def test_any_other_benefit_ends_the_day_after_the_death() -> None:
    assert (flagged("pension", DIED), flagged("pension", date(2026, 11, 20))) == (False, True)


def test_a_configured_benefit_ends_by_its_configured_rule() -> None:
    ends = parse_benefit_ends("pension=month-after-death, elderly-allowance=day-after-death")
    assert (flagged("pension", date(2026, 11, 30), ends), flagged("pension", date(2026, 12, 1), ends)) == (False, True)
    assert flagged("elderly-allowance", date(2026, 11, 20), ends) is True
    assert flagged("subsistence-allowance", date(2026, 11, 30), ends) is False  # the defaults stay unless overridden


def test_the_month_rule_knows_february_and_december() -> None:
    ends = BenefitEnds()
    assert ends.last_payable_day("elderly-allowance", date(2028, 2, 3)) == date(2028, 2, 29)
    assert ends.last_payable_day("elderly-allowance", date(2026, 12, 31)) == date(2026, 12, 31)


@pytest.mark.parametrize("text", ["pension=weekly", "Pension=day-after-death", "pension"])
def test_a_malformed_benefit_table_is_refused_at_start(text: str) -> None:
    with pytest.raises(ValueError, match="REGISTRY_BENEFIT_ENDS"):
        parse_benefit_ends(text)


def test_a_payment_names_its_benefit_by_code() -> None:
    with pytest.raises(InvalidInput) as caught:
        flagged("Old-age Pension", DIED)
    assert caught.value.failures[0].code == "benefit-code"


def test_the_task_that_ends_the_allowances_says_when_each_ends() -> None:
    known = KnownFacts(document_type="resident-id", died_in_city=True, marital_status="unmarried")
    facts = DeceasedFacts(subsistence_allowance=True, elderly_allowance=True)
    ends = parse_benefit_ends("elderly-allowance=day-after-death")
    [task] = [p for p in plan_services(facts, known, ends) if p.service == "welfare-allowances-end"]
    assert task.reason == (
        "end the allowances: subsistence allowance from the month after the death; elderly allowance at the death"
    )
