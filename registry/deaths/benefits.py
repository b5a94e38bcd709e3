"""When each benefit ends after a death, and which payments made after it must be recovered.

Welfare allowances (subsistence, extreme-poverty support, elderly, disability) end from the month after the death
(Hunan's published rule, docs/domain.md rule B8; Zhejiang's own rule is unverified): a payment for the month of death
stands, one for a later month is flagged. Every other benefit ends the day after the death unless configured.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType

from registry.common.errors import Failure

DAY_AFTER_DEATH = "day-after-death"
MONTH_AFTER_DEATH = "month-after-death"
END_RULES = (DAY_AFTER_DEATH, MONTH_AFTER_DEATH)

SUBSISTENCE_ALLOWANCE = "subsistence-allowance"
EXTREME_POVERTY_SUPPORT = "extreme-poverty-support"
ELDERLY_ALLOWANCE = "elderly-allowance"
DISABILITY_ALLOWANCE = "disability-allowance"
WELFARE_ALLOWANCES = (SUBSISTENCE_ALLOWANCE, EXTREME_POVERTY_SUPPORT, ELDERLY_ALLOWANCE, DISABILITY_ALLOWANCE)

BENEFIT_CODE = re.compile(r"^[a-z][a-z0-9-]{0,63}$")
DEFAULT_ENDS = MappingProxyType(dict.fromkeys(WELFARE_ALLOWANCES, MONTH_AFTER_DEATH))


@dataclass(frozen=True)
class BenefitPayment:
    """A benefit paid for a date (any day of the period it pays for), and whether it must be recovered."""

    benefit: str
    paid_for: date
    amount_fen: int
    flagged_for_recovery: bool
    payable_until: date | None  # None: recorded before the last payable day was kept


@dataclass(frozen=True)
class BenefitEnds:
    """The rule for each benefit; a benefit not listed ends the day after the death."""

    rules: Mapping[str, str] = field(default_factory=lambda: DEFAULT_ENDS)

    def rule_for(self, benefit: str) -> str:
        return self.rules.get(benefit, DAY_AFTER_DEATH)

    def last_payable_day(self, benefit: str, died_on: date) -> date:
        """The last day a payment may cover: the day of death, or the last day of its month."""
        if self.rule_for(benefit) == MONTH_AFTER_DEATH:
            return died_on.replace(day=calendar.monthrange(died_on.year, died_on.month)[1])
        return died_on

    def ends(self, benefit: str) -> str:
        """In words, for the task that ends it."""
        return "from the month after the death" if self.rule_for(benefit) == MONTH_AFTER_DEATH else "at the death"


def check_benefit_code(benefit: str) -> list[Failure]:
    if BENEFIT_CODE.match(benefit):
        return []
    return [Failure("benefit-code", "a benefit is named by its code, e.g. subsistence-allowance or pension")]


def parse_benefit_ends(text: str | None) -> BenefitEnds:
    """REGISTRY_BENEFIT_ENDS: `benefit=rule,...` over the defaults (rules: day-after-death, month-after-death)."""
    rules = dict(DEFAULT_ENDS)
    for item in (text or "").split(","):
        if not item.strip():
            continue
        benefit, _, rule = (part.strip() for part in item.partition("="))
        if not BENEFIT_CODE.match(benefit) or rule not in END_RULES:
            raise ValueError(
                f"REGISTRY_BENEFIT_ENDS: {item.strip()!r} is not benefit=rule, the rule one of {', '.join(END_RULES)}"
            )
        rules[benefit] = rule
    return BenefitEnds(MappingProxyType(rules))
