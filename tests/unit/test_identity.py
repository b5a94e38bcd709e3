"""Resident identity numbers (GB 11643) and other identity documents."""

from datetime import date

import pytest

from registry.common.errors import InvalidInput
from registry.common.identity import ResidentIdentityNumber, identify, resident_id_check_character

TODAY = date(2026, 11, 22)
# The example number published with GB 11643-1999.
STANDARD_EXAMPLE = "11010519491231002X"


def codes(error: InvalidInput) -> list[str]:
    return [failure.code for failure in error.failures]


def test_the_standard_example_is_valid_and_gives_birth_date_and_sex() -> None:
    number = ResidentIdentityNumber.parse(STANDARD_EXAMPLE, today=TODAY)
    assert number.birth_date == date(1949, 12, 31)
    assert number.sex == "female"


def test_an_odd_sequence_digit_means_male() -> None:
    body = "33078219900101001"
    assert ResidentIdentityNumber.parse(body + resident_id_check_character(body), today=TODAY).sex == "male"


def test_a_lower_case_x_check_character_is_accepted() -> None:
    assert ResidentIdentityNumber.parse(STANDARD_EXAMPLE.lower(), today=TODAY).number == STANDARD_EXAMPLE


@pytest.mark.parametrize(
    "raw", ["", "1101051949123100", "11010519491231002XX", "11010519491231002A", "01010519491231002X"]
)
def test_a_malformed_number_is_rejected(raw: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        ResidentIdentityNumber.parse(raw, today=TODAY)
    assert codes(caught.value) == ["identity-number-malformed"]


def test_an_impossible_birth_date_is_rejected() -> None:
    body = "33078219900230001"  # 30 February
    with pytest.raises(InvalidInput) as caught:
        ResidentIdentityNumber.parse(body + resident_id_check_character(body), today=TODAY)
    assert codes(caught.value) == ["identity-number-birth-date-impossible"]


def test_a_birth_date_in_the_future_is_rejected() -> None:
    body = "33078220261123001"
    with pytest.raises(InvalidInput) as caught:
        ResidentIdentityNumber.parse(body + resident_id_check_character(body), today=TODAY)
    assert codes(caught.value) == ["identity-number-birth-date-impossible"]


def test_a_wrong_check_character_is_rejected_without_echoing_the_number() -> None:
    wrong = STANDARD_EXAMPLE[:17] + "1"
    with pytest.raises(InvalidInput) as caught:
        ResidentIdentityNumber.parse(wrong, today=TODAY)
    assert codes(caught.value) == ["identity-number-check-character-wrong"]
    assert wrong not in str(caught.value) and wrong[:17] not in str(caught.value)


def test_a_passport_holder_states_birth_date_and_sex() -> None:
    person = identify(
        document_type="foreign-passport",
        document_number="e1234567",
        nationality="kor",
        name="Kim",
        birth_date=date(1995, 5, 5),
        sex="female",
        today=TODAY,
    )
    assert (person.document_number, person.nationality, person.sex) == ("E1234567", "KOR", "female")


def test_a_permit_holder_without_birth_date_or_sex_is_rejected_naming_both() -> None:
    with pytest.raises(InvalidInput) as caught:
        identify(document_type="hk-macao-permit", document_number="H12345678", name="陈", today=TODAY)
    assert codes(caught.value) == ["birth-date-required", "sex-required"]


def test_a_stated_birth_date_that_contradicts_the_resident_number_is_rejected() -> None:
    with pytest.raises(InvalidInput) as caught:
        identify(
            document_type="resident-id",
            document_number=STANDARD_EXAMPLE,
            name="王",
            birth_date=date(1950, 1, 1),
            today=TODAY,
        )
    assert codes(caught.value) == ["birth-date-mismatch"]


def test_a_resident_number_under_another_document_type_is_refused_so_one_person_has_one_key() -> None:
    with pytest.raises(InvalidInput) as caught:
        identify(document_type="hk-macao-permit", document_number=STANDARD_EXAMPLE, name="王", today=TODAY,
                 birth_date=date(1990, 1, 1), sex="male")  # fmt: skip
    assert "document-number-is-a-resident-id" in codes(caught.value)


def test_a_chinese_citizen_cannot_register_with_a_foreign_passport() -> None:
    with pytest.raises(InvalidInput) as caught:
        identify(document_type="foreign-passport", document_number="E12345678", nationality="CHN", name="王",
                 birth_date=date(1990, 1, 1), sex="male", today=TODAY)  # fmt: skip
    assert codes(caught.value) == ["chinese-citizen-passport"]


def test_a_permit_number_must_have_the_permits_format() -> None:
    with pytest.raises(InvalidInput) as caught:
        identify(document_type="taiwan-permit", document_number="ABC", name="陈", birth_date=date(1990, 1, 1),
                 sex="female", today=TODAY)  # fmt: skip
    assert codes(caught.value) == ["document-number-malformed"]
