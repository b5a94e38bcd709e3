"""Which follow-up services a death starts, which department handles each, why, and in how many working days."""

from __future__ import annotations

from dataclasses import dataclass

from registry.common.identity import RESIDENT_ID, Person
from registry.deaths.benefits import (
    DISABILITY_ALLOWANCE,
    ELDERLY_ALLOWANCE,
    EXTREME_POVERTY_SUPPORT,
    SUBSISTENCE_ALLOWANCE,
    BenefitEnds,
)


@dataclass(frozen=True)
class DeceasedFacts:
    """What the next of kin states on the application (the registry adds what it knows itself)."""

    medical_insurance: bool = False
    pension: bool = False
    social_insurance: bool = False
    housing_fund: bool = False
    subsistence_allowance: bool = False
    extreme_poverty_support: bool = False
    elderly_allowance: bool = False
    disability_allowance: bool = False
    disability_card: bool = False
    driving_licence: bool = False
    eco_burial: bool = False
    cremated_at_city_funeral_home: bool = False  # the funeral service checks it against its cremation record


@dataclass(frozen=True)
class KnownFacts:
    """What the registry itself knows about the deceased."""

    document_type: str
    died_in_city: bool
    marital_status: str
    city_resident: bool = False


# The city's administrative division code: a resident identity number issued here marks its household registration.
CITY_DIVISION = "330782"


def is_city_resident(deceased: Person) -> bool:
    """Household registration in the city, as the resident identity number's division code shows it.

    The number keeps the division where it was first issued, so someone who moved their household here keeps
    another code (and the reverse); only a link to the household register would tell better.
    """
    return deceased.document_type == RESIDENT_ID and deceased.document_number.startswith(CITY_DIVISION)


@dataclass(frozen=True)
class ServicePlan:
    service: str
    department: str
    reason: str
    working_days: int


# Departments by code (a department actor's office).
POLICE = "police"
MEDICAL_INSURANCE = "medical-insurance"
SOCIAL_SECURITY = "social-security"
HOUSING_FUND = "housing-fund"
CIVIL_AFFAIRS = "civil-affairs"
DISABLED_PERSONS_FEDERATION = "disabled-persons-federation"
TRAFFIC_POLICE = "traffic-police"
FUNERAL_SERVICE = "funeral-service"

FUNERAL_FEE_WAIVER = "funeral-fee-waiver"

# Working days to act; household-registration cancellation is fixed at 2 by the city's rules, the rest are defaults.
DEADLINES = {
    "household-registration-cancellation": 2,
    "medical-insurance-closure": 5,
    "pension-settlement": 10,
    "funeral-grant-and-survivor-pension": 10,
    "housing-fund-withdrawal": 5,
    "welfare-allowances-end": 5,
    "disability-card-cancellation": 5,
    "driving-licence-cancellation": 5,
    FUNERAL_FEE_WAIVER: 2,
    "eco-burial-reward": 20,
}


def plan_services(facts: DeceasedFacts, known: KnownFacts, ends: BenefitEnds | None = None) -> list[ServicePlan]:
    """One task per applicable service, each saying why it applies."""
    allowances = _allowances_ending(facts, ends or BenefitEnds())
    spouse = "; the registry shows a surviving spouse" if known.marital_status == "married" else ""
    stated = "the family states the deceased "
    candidates = [
        (known.document_type == RESIDENT_ID, "household-registration-cancellation", POLICE,
         "the deceased held a mainland household registration"),
        (facts.medical_insurance, "medical-insurance-closure", MEDICAL_INSURANCE,
         stated + "was insured: close the account and pay out its balance"),
        (facts.pension, "pension-settlement", SOCIAL_SECURITY,
         stated + "drew a pension: pay out the personal account, settle over- or under-payment"),
        (facts.social_insurance, "funeral-grant-and-survivor-pension", SOCIAL_SECURITY,
         stated + "was enrolled in social insurance: funeral grant and survivor pension" + spouse),
        (facts.housing_fund, "housing-fund-withdrawal", HOUSING_FUND, stated + "had a housing fund account"),
        (bool(allowances), "welfare-allowances-end", CIVIL_AFFAIRS,
         "end the allowances: " + "; ".join(allowances)),
        (facts.disability_card, "disability-card-cancellation", DISABLED_PERSONS_FEDERATION,
         stated + "held a disability card"),
        (facts.driving_licence, "driving-licence-cancellation", TRAFFIC_POLICE, stated + "held a driving licence"),
        (known.died_in_city, FUNERAL_FEE_WAIVER, FUNERAL_SERVICE,
         "the deceased died in the city: basic funeral fees are waived whatever the household registration"),
        (not known.died_in_city and known.city_resident and facts.cremated_at_city_funeral_home,
         FUNERAL_FEE_WAIVER, FUNERAL_SERVICE,
         "a resident of the city who died elsewhere, cremated at the city's funeral home as the family states: "
         "basic funeral fees are waived once the funeral service finds its cremation record"),
        (facts.eco_burial, "eco-burial-reward", CIVIL_AFFAIRS, "the family chose an eco-burial"),
    ]  # fmt: skip
    return [
        ServicePlan(service, department, reason, DEADLINES[service])
        for applies, service, department, reason in candidates
        if applies
    ]


def _allowances_ending(facts: DeceasedFacts, ends: BenefitEnds) -> list[str]:
    """Each welfare allowance the deceased drew, with when it ends."""
    held = (
        (SUBSISTENCE_ALLOWANCE, facts.subsistence_allowance),
        (EXTREME_POVERTY_SUPPORT, facts.extreme_poverty_support),
        (ELDERLY_ALLOWANCE, facts.elderly_allowance),
        (DISABILITY_ALLOWANCE, facts.disability_allowance),
    )
    return [f"{code.replace('-', ' ')} {ends.ends(code)}" for code, drawn in held if drawn]
