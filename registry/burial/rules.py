"""Local policy for eco-burial rewards: who is eligible, which date sets the amount, where citizens' claims go.

Defaults (docs/domain.md section 7, rules E2, E3, E6): the published neighbouring schemes require local household
registration; the amount is the one in force on the burial date; a citizen's own claim goes to the city's
civil-affairs office.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from registry.common.actors import Actor, Role
from registry.common.errors import Failure

LOCAL_HOUSEHOLD = "local-household"
ANY_DEATH_IN_CITY = "any-death-in-city"
ELIGIBILITY_RULES = (LOCAL_HOUSEHOLD, ANY_DEATH_IN_CITY)
DIED_IN_CITY = "died-in-city"  # the basis of a claim eligible only under any-death-in-city

BURIAL_DATE = "burial"
CREMATION_DATE = "cremation"
AMOUNT_DATES = (BURIAL_DATE, CREMATION_DATE)

CITY_CIVIL_AFFAIRS_OFFICE = "330782-civil-affairs"


@dataclass(frozen=True)
class RewardRules:
    """The configured choices; an unknown choice stops the registry at start rather than deciding wrongly."""

    eligibility: str = LOCAL_HOUSEHOLD
    amount_date: str = BURIAL_DATE
    citizen_office: str = CITY_CIVIL_AFFAIRS_OFFICE

    def __post_init__(self) -> None:
        if self.eligibility not in ELIGIBILITY_RULES:
            raise ValueError(f"REGISTRY_ECO_BURIAL_ELIGIBILITY must be one of {', '.join(ELIGIBILITY_RULES)}")
        if self.amount_date not in AMOUNT_DATES:
            raise ValueError(f"REGISTRY_ECO_BURIAL_AMOUNT_DATE must be one of {', '.join(AMOUNT_DATES)}")
        if not self.citizen_office.strip():
            raise ValueError("REGISTRY_REWARD_OFFICE must name an office")

    def eligible_as(self, *, city_resident: bool, died_in_city: bool) -> str | None:
        """Why the deceased is eligible (local-household or died-in-city), or None."""
        if city_resident:
            return LOCAL_HOUSEHOLD
        if self.eligibility == ANY_DEATH_IN_CITY and died_in_city:
            return DIED_IN_CITY
        return None

    def ineligibility(self) -> Failure:
        who = "residents of the city (household registration 330782)"
        if self.eligibility == ANY_DEATH_IN_CITY:
            who += " and anyone who died in the city"
        return Failure("reward-not-eligible", f"the eco-burial reward is for {who}")

    def amount_on(self, *, cremated_on: date, buried_on: date) -> date:
        """The date whose schedule entry sets the amount."""
        return cremated_on if self.amount_date == CREMATION_DATE else buried_on

    def office_for(self, filer: Actor) -> str:
        """A clerk files at their own office; a citizen's own claim goes to the configured office."""
        return filer.office if filer.role == Role.CLERK else self.citizen_office
