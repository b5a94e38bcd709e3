"""The basic funeral fee waiver: every death in the city, and residents who died elsewhere but are cremated here."""

from __future__ import annotations

from datetime import date

from registry.common.identity import identify
from registry.deaths.services import DeceasedFacts, KnownFacts, is_city_resident, plan_services
from tests.deaths_support import CITY, ELSEWHERE, resident_of

CREMATED_HERE = DeceasedFacts(cremated_at_city_funeral_home=True)


def waiver(facts: DeceasedFacts, *, died_in_city: bool, city_resident: bool) -> str | None:
    known = KnownFacts(document_type="resident-id", died_in_city=died_in_city, marital_status="unmarried",
                       city_resident=city_resident)  # fmt: skip
    return next((p.reason for p in plan_services(facts, known) if p.service == "funeral-fee-waiver"), None)


def test_a_resident_who_died_elsewhere_and_is_cremated_at_the_citys_funeral_home_has_the_fees_waived() -> None:
    reason = waiver(CREMATED_HERE, died_in_city=False, city_resident=True)
    assert reason is not None and "cremated at the city's funeral home" in reason


def test_a_resident_who_died_elsewhere_and_is_cremated_elsewhere_does_not() -> None:
    assert waiver(DeceasedFacts(), died_in_city=False, city_resident=True) is None


def test_a_non_resident_who_died_elsewhere_does_not_even_if_cremated_here() -> None:
    assert waiver(CREMATED_HERE, died_in_city=False, city_resident=False) is None


def test_anyone_who_died_in_the_city_does_whatever_the_registration_and_cremation() -> None:
    reason = waiver(DeceasedFacts(), died_in_city=True, city_resident=False)
    assert reason is not None and "died in the city" in reason


def test_the_city_household_is_read_from_the_resident_identity_numbers_division_code() -> None:
    passport = identify(document_type="foreign-passport", document_number="E12345678", nationality="USA",
                        name="Smith", today=date(2026, 1, 1), birth_date=date(1950, 1, 1), sex="male")  # fmt: skip
    assert (is_city_resident(resident_of(CITY)), is_city_resident(resident_of(ELSEWHERE))) == (True, False)
    assert is_city_resident(passport) is False
