"""On SQLite and PostgreSQL: couples with a party who is not a mainland resident, at designated offices only.

The store of these tests designates office 330782001 (REGISTRY_DESIGNATED_OFFICES) and not 330782002.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from registry.common.errors import NotEligible
from registry.common.identity import Person, identify
from registry.settings import Settings
from registry.system import Registry
from tests.support import BOTH_PRESENT, OFFICE, OTHER_CLERK, PRESENT, act, person

DAY = date(2026, 11, 22)
CERTIFIED = replace(PRESENT, declaration_certified=True)


@pytest.fixture
def store_env(store_env: dict[str, str]) -> dict[str, str]:
    return {**store_env, "REGISTRY_DESIGNATED_OFFICES": f" {OFFICE} ,"}


def foreigner(number: str = "M12345678") -> Person:
    return identify(document_type="foreign-passport", document_number=number, nationality="KOR", name="Kim",
                    birth_date=date(1996, 4, 4), sex="female", today=DAY)  # fmt: skip


def codes(error: NotEligible) -> list[str]:
    return [failure.code for failure in error.failures]


def test_the_designated_offices_setting_is_read_as_a_list_of_codes(settings: Settings) -> None:
    assert settings.designated_offices == frozenset({OFFICE})


def test_a_designated_office_files_and_registers_a_marriage_with_a_foreigner(registry: Registry) -> None:
    man, woman = person(date(1995, 1, 1), "male"), foreigner()
    filed = registry.marriage.apply_for_marriage(act(DAY), party_a=man, party_b=woman)
    registry.marriage.register_marriage(act(DAY), filed.aggregate_id, attendance=(PRESENT, CERTIFIED))
    assert registry.marriage.marriage(filed.aggregate_id).state == "registered"
    status = registry.marriage.marital_status(woman.document_key)
    assert status is not None and status.status == "married"


def test_an_office_not_designated_refuses_the_application_and_writes_nothing(registry: Registry) -> None:
    head = registry.marriage.recorder.max_notification_id()
    with pytest.raises(NotEligible) as caught:
        registry.marriage.apply_for_marriage(
            act(DAY, by=OTHER_CLERK), party_a=person(date(1995, 1, 1), "male"), party_b=foreigner()
        )
    assert codes(caught.value) == ["office-not-designated"]
    assert registry.marriage.recorder.max_notification_id() == head


def test_registration_without_the_certified_declaration_is_refused_naming_it(registry: Registry) -> None:
    filed = registry.marriage.apply_for_marriage(act(DAY), party_a=person(date(1995, 1, 1), "male"),
                                                 party_b=foreigner())  # fmt: skip
    with pytest.raises(NotEligible) as caught:
        registry.marriage.register_marriage(act(DAY), filed.aggregate_id, attendance=BOTH_PRESENT)
    assert codes(caught.value) == ["certified-declaration-missing"]
    refused = registry.marriage.marriage(filed.aggregate_id)
    assert refused.state == "refused" and [f.code for f in refused.refusal_findings] == codes(caught.value)


def test_two_mainland_residents_still_marry_at_an_office_not_designated(registry: Registry) -> None:
    man, woman = person(date(1995, 1, 1), "male"), person(date(1996, 1, 1), "female")
    filed = registry.marriage.apply_for_marriage(act(DAY, by=OTHER_CLERK), party_a=man, party_b=woman)
    registry.marriage.register_marriage(act(DAY, by=OTHER_CLERK), filed.aggregate_id, attendance=BOTH_PRESENT)
    assert registry.marriage.marriage(filed.aggregate_id).state == "registered"


def test_a_divorce_of_a_marriage_with_a_foreigner_is_filed_only_at_a_designated_office(registry: Registry) -> None:
    filed = registry.marriage.apply_for_marriage(act(DAY), party_a=person(date(1995, 1, 1), "male"),
                                                 party_b=foreigner())  # fmt: skip
    registry.marriage.register_marriage(act(DAY), filed.aggregate_id, attendance=(PRESENT, CERTIFIED))
    with pytest.raises(NotEligible) as caught:
        registry.marriage.file_divorce(act(DAY, by=OTHER_CLERK), marriage_id=filed.aggregate_id,
                                       attendance=BOTH_PRESENT)  # fmt: skip
    assert codes(caught.value) == ["office-not-designated"]
    registry.marriage.file_divorce(act(DAY), marriage_id=filed.aggregate_id, attendance=BOTH_PRESENT)


def test_a_full_width_number_and_its_ascii_form_are_one_person_who_cannot_marry_twice(registry: Registry) -> None:
    man = person(date(1995, 1, 1), "male")
    full_width = man.document_number.translate({c: c + 0xFEE0 for c in range(0x30, 0x3A)})
    same_man = identify(document_type="resident-id", document_number=full_width, name=man.name, today=DAY)
    assert same_man == man
    first = registry.marriage.apply_for_marriage(act(DAY), party_a=man, party_b=person(date(1996, 1, 1), "female"))
    registry.marriage.register_marriage(act(DAY), first.aggregate_id, attendance=BOTH_PRESENT)
    second = registry.marriage.apply_for_marriage(act(DAY), party_a=same_man,
                                                  party_b=person(date(1997, 1, 1), "female"))  # fmt: skip
    with pytest.raises(NotEligible) as caught:
        registry.marriage.register_marriage(act(DAY), second.aggregate_id, attendance=BOTH_PRESENT)
    assert codes(caught.value) == ["party-already-married"]
