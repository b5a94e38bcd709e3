"""Resident identity numbers (GB 11643) and other identity documents."""

from datetime import date

import pytest

from registry.common.divisions import division_known
from registry.common.errors import InvalidInput
from registry.common.identity import (
    ResidentIdentityNumber,
    document_key,
    identify,
    resident_id_check_character,
    validated_document_key,
)
from tests.support import resident_id

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


# -- ASCII only: one person, one key ------------------------------------------------------------------------------

# Translation tables from ASCII to the digits (and X) of other forms, built from code points (ruff flags the glyphs).
FULL_WIDTH = {ord(c): ord(c) + 0xFEE0 for c in "0123456789X"}
ARABIC_INDIC = {ord(str(d)): 0x0660 + d for d in range(10)}
DEVANAGARI = {ord(str(d)): 0x0966 + d for d in range(10)}


def test_a_number_typed_in_full_width_digits_is_read_as_the_same_ascii_number() -> None:
    typed = STANDARD_EXAMPLE.translate(FULL_WIDTH)
    assert ResidentIdentityNumber.parse(typed, today=TODAY).number == STANDARD_EXAMPLE


def test_one_full_width_digit_among_ascii_ones_gives_the_same_person_the_same_key() -> None:
    typed = STANDARD_EXAMPLE[:15] + STANDARD_EXAMPLE[15].translate(FULL_WIDTH) + STANDARD_EXAMPLE[16:]
    key = validated_document_key("resident-id", typed, "CHN", today=TODAY)
    assert key == validated_document_key("resident-id", STANDARD_EXAMPLE, "CHN", today=TODAY)
    assert key.isascii()


@pytest.mark.parametrize("script", [ARABIC_INDIC, DEVANAGARI], ids=["arabic-indic", "devanagari"])
def test_digits_of_other_scripts_are_refused_where_a_person_enters_a_number(script: dict[int, int]) -> None:
    typed = STANDARD_EXAMPLE[:16].translate(script) + STANDARD_EXAMPLE[16:]
    with pytest.raises(InvalidInput) as caught:
        ResidentIdentityNumber.parse(typed, today=TODAY)
    assert codes(caught.value) == ["document-number-not-ascii"]
    with pytest.raises(InvalidInput):
        validated_document_key("resident-id", typed, "CHN", today=TODAY)
    with pytest.raises(InvalidInput):
        identify(document_type="resident-id", document_number=typed, name="王", today=TODAY)


@pytest.mark.parametrize("lookalike", ["\u0425", "\u200b", "\u00b2"], ids=["cyrillic-x", "zero-width", "superscript"])
def test_a_lookalike_or_invisible_character_is_refused(lookalike: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        ResidentIdentityNumber.parse(STANDARD_EXAMPLE[:17] + lookalike, today=TODAY)
    assert codes(caught.value) == ["document-number-not-ascii"]


def test_the_key_of_a_fact_from_another_province_reads_digits_of_any_script_as_ascii() -> None:
    ascii_key = document_key("resident-id", STANDARD_EXAMPLE, "CHN")
    for script in (FULL_WIDTH, ARABIC_INDIC, DEVANAGARI):
        assert document_key("resident-id", STANDARD_EXAMPLE.translate(script), "CHN") == ascii_key


def test_the_key_of_a_number_with_a_non_digit_outside_ascii_is_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        document_key("resident-id", STANDARD_EXAMPLE[:17] + "\u0425", "CHN")
    assert codes(caught.value) == ["document-number-not-ascii"]


def test_a_trailing_newline_is_not_part_of_a_valid_number() -> None:
    assert ResidentIdentityNumber.parse(STANDARD_EXAMPLE + "\n", today=TODAY).number == STANDARD_EXAMPLE
    with pytest.raises(InvalidInput):
        ResidentIdentityNumber.parse(STANDARD_EXAMPLE[:17] + "\n" + STANDARD_EXAMPLE[17], today=TODAY)


# -- division codes: the official list, with its historical codes -------------------------------------------------


def numbered(division: str, birth: str = "19900101", sequence: str = "001") -> str:
    body = division + birth + sequence
    return body + resident_id_check_character(body)


def test_a_division_code_that_never_existed_is_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        ResidentIdentityNumber.parse(numbered("330799"), today=TODAY)
    assert codes(caught.value) == ["identity-number-division-unknown"]


def test_a_historical_division_code_is_accepted() -> None:
    # 110103 崇文区 was merged into 东城区 in 2010: its residents keep their numbers.
    assert ResidentIdentityNumber.parse(numbered("110103", "19800101"), today=TODAY).birth_date == date(1980, 1, 1)


def test_a_person_born_before_their_county_got_its_code_keeps_a_valid_number() -> None:
    # 330782 (Yiwu) dates from 1989; someone born there in 1960 was numbered with it later.
    assert ResidentIdentityNumber.parse(numbered("330782", "19600101"), today=TODAY).sex == "male"


def test_every_failed_check_of_a_resident_number_is_named_at_once() -> None:
    body = "33079919900230001"  # an unknown division and 30 February
    wrong = body + ("0" if resident_id_check_character(body) != "0" else "1")
    with pytest.raises(InvalidInput) as caught:
        ResidentIdentityNumber.parse(wrong, today=TODAY)
    assert codes(caught.value) == [
        "identity-number-birth-date-impossible",
        "identity-number-check-character-wrong",
        "identity-number-division-unknown",
    ]


def test_the_division_list_knows_the_city_and_not_the_residence_permit_prefix_of_taiwan() -> None:
    assert division_known("330782") and division_known("110103")
    assert not division_known("830000") and not division_known("330799")
    assert not division_known("330782".translate(FULL_WIDTH))


def test_generated_test_numbers_are_valid_and_distinct_past_the_first_division() -> None:
    numbers = [resident_id(date(1990, 1, 1), "male") for _ in range(1200)]
    assert len(set(numbers)) == 1200
    for number in numbers[::97] + numbers[-3:]:
        ResidentIdentityNumber.parse(number, today=TODAY)
