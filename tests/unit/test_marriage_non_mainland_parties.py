"""Marriages with a party who is not a mainland resident (regs arts 2, 8): designated offices, certified declaration."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from registry.common.errors import NotEligible
from registry.common.identity import Person, identify, resident_id_check_character
from registry.marriage.eligibility import PartyFacts
from registry.marriage.marriage import Marriage
from registry.marriage.person_status import PersonStatus
from registry.marriage.values import Attendance
from tests.support import PRESENT, act, person

DAY = date(2026, 11, 22)
NUMBERS = ("J330782001-2026-000001", "J330782001-2026-000002")
CERTIFIED = replace(PRESENT, declaration_certified=True)


def facts() -> tuple[PartyFacts, PartyFacts]:
    return (PartyFacts(PersonStatus.open(act(DAY), "ref-a")), PartyFacts(PersonStatus.open(act(DAY), "ref-b")))


def hong_kong_resident() -> Person:
    body = "81000019960404002"
    return identify(document_type="hk-macao-resident-permit", document_number=body + resident_id_check_character(body),
                    name="陈", today=DAY)  # fmt: skip


def foreigner() -> Person:
    return identify(document_type="foreign-passport", document_number="M12345678", nationality="KOR", name="Kim",
                    birth_date=date(1996, 4, 4), sex="female", today=DAY)  # fmt: skip


def overseas_chinese() -> Person:
    return identify(document_type="chinese-passport", document_number="EA1234567", name="林",
                    birth_date=date(1996, 4, 4), sex="female", today=DAY)  # fmt: skip


def codes(error: NotEligible) -> list[str]:
    return [failure.code for failure in error.failures]


@pytest.mark.parametrize("other", [hong_kong_resident, foreigner, overseas_chinese])
def test_an_application_with_a_party_who_is_not_a_mainland_resident_is_refused_at_an_office_not_designated(
    other: object,
) -> None:
    with pytest.raises(NotEligible) as caught:
        Marriage.apply_for(act(DAY), party_a=person(date(1995, 1, 1), "male"), party_b=other())  # type: ignore[operator]
    assert codes(caught.value) == ["office-not-designated"]


def test_two_mainland_residents_may_apply_at_any_office() -> None:
    marriage = Marriage.apply_for(act(DAY), party_a=person(date(1995, 1, 1), "male"),
                                  party_b=person(date(1996, 1, 1), "female"))  # fmt: skip
    assert marriage.state == "applied"


def designated_application(other: Person) -> Marriage:
    marriage = Marriage.apply_for(act(DAY), party_a=person(date(1995, 1, 1), "male"), party_b=other,
                                  office_designated=True)  # fmt: skip
    marriage.collect_events()
    return marriage


def register(marriage: Marriage, attendance: tuple[Attendance, Attendance], designated: bool = True) -> None:
    marriage.register(act(DAY), attendance=attendance, facts=facts(), certificate_numbers=NUMBERS,
                      office_designated=designated)  # fmt: skip


@pytest.mark.parametrize("other", [hong_kong_resident, foreigner, overseas_chinese])
def test_a_designated_office_registers_a_party_who_presents_the_certified_declaration(other: object) -> None:
    marriage = designated_application(other())  # type: ignore[operator]
    register(marriage, (PRESENT, CERTIFIED))
    assert marriage.state == "registered"


def test_without_the_certified_declaration_the_party_who_is_not_a_mainland_resident_is_refused() -> None:
    marriage = designated_application(foreigner())
    with pytest.raises(NotEligible) as caught:
        register(marriage, (PRESENT, PRESENT))
    assert codes(caught.value) == ["certified-declaration-missing"]
    assert caught.value.failures[0].subject == "b"
    assert marriage.collect_events() == []


def test_a_mainland_resident_needs_no_certified_declaration() -> None:
    marriage = Marriage.apply_for(act(DAY), party_a=person(date(1995, 1, 1), "male"),
                                  party_b=person(date(1996, 1, 1), "female"))  # fmt: skip
    register(marriage, (PRESENT, PRESENT), designated=False)
    assert marriage.state == "registered"


def test_an_office_no_longer_designated_refuses_the_registration_with_every_other_failure() -> None:
    marriage = designated_application(hong_kong_resident())
    absent = replace(CERTIFIED, present=False)
    with pytest.raises(NotEligible) as caught:
        register(marriage, (PRESENT, absent), designated=False)
    assert codes(caught.value) == ["office-not-designated", "party-not-present"]


def test_a_divorce_of_such_a_couple_is_handled_only_at_a_designated_office() -> None:
    marriage = designated_application(foreigner())
    register(marriage, (PRESENT, CERTIFIED))
    marriage.check_office_may_handle(True)
    with pytest.raises(NotEligible) as caught:
        marriage.check_office_may_handle(False)
    assert codes(caught.value) == ["office-not-designated"]
