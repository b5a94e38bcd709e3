"""The document types of regs art 8 other than the resident identity number: each its own format and checks."""

from __future__ import annotations

from datetime import date

import pytest

from registry.common.errors import InvalidInput
from registry.common.identity import DOCUMENT_TYPES, RESIDENT_ID, Person, identify, resident_id_check_character
from registry.deaths.services import DeceasedFacts, KnownFacts, plan_services

TODAY = date(2026, 11, 22)
RESIDENT = "11010519491231002X"  # the example of GB 11643-1999


def gb11643(first_17: str) -> str:
    return first_17 + resident_id_check_character(first_17)


HONG_KONG = gb11643("81000019900101001")  # a man born 1 January 1990
MACAO = gb11643("82000019920202002")  # a woman born 2 February 1992
TAIWAN = gb11643("83000019880808004")  # a woman born 8 August 1988
CARD_2023 = "932682198501010017"  # issued in Jiangsu (32) to a Saudi national (682), born 1 January 1985
CARD_2017 = "KAZ110090123105"


def codes(error: InvalidInput) -> list[str]:
    return [failure.code for failure in error.failures]


def refused(**fields: object) -> list[str]:
    with pytest.raises(InvalidInput) as caught:
        identify(name="测试", today=TODAY, **fields)  # type: ignore[arg-type]
    return codes(caught.value)


# -- residence permits of Hong Kong, Macao and Taiwan residents (港澳台居民居住证) ----------------------------------


@pytest.mark.parametrize(
    ("document_type", "number", "born", "sex"),
    [
        ("hk-macao-resident-permit", HONG_KONG, date(1990, 1, 1), "male"),
        ("hk-macao-resident-permit", MACAO, date(1992, 2, 2), "female"),
        ("taiwan-resident-permit", TAIWAN, date(1988, 8, 8), "female"),
    ],
)
def test_a_residence_permit_gives_birth_date_and_sex_like_a_resident_number(
    document_type: str, number: str, born: date, sex: str
) -> None:
    person = identify(document_type=document_type, document_number=number, name="陈", today=TODAY)
    assert (person.birth_date, person.sex, person.nationality) == (born, sex, "CHN")
    assert person.document_key == f"{document_type}:CHN:{number}"
    assert not person.is_mainland_resident


@pytest.mark.parametrize(("number", "holder"), [(HONG_KONG, "hk-macao"), (MACAO, "hk-macao"), (TAIWAN, "taiwan")])
def test_a_residence_permit_number_is_never_accepted_as_a_mainland_resident_number(number: str, holder: str) -> None:
    assert refused(document_type="resident-id", document_number=number) == [
        f"document-number-is-a-{holder}-resident-permit"
    ]


def test_a_mainland_resident_number_is_never_accepted_as_a_residence_permit() -> None:
    assert refused(document_type="hk-macao-resident-permit", document_number=RESIDENT) == [
        "document-number-is-a-resident-id"
    ]
    assert refused(document_type="taiwan-resident-permit", document_number=RESIDENT) == [
        "document-number-is-a-resident-id"
    ]


def test_a_taiwan_residents_permit_is_not_a_hong_kong_or_macao_residents_and_vice_versa() -> None:
    assert refused(document_type="hk-macao-resident-permit", document_number=TAIWAN) == [
        "document-number-is-a-taiwan-resident-permit"
    ]
    assert refused(document_type="taiwan-resident-permit", document_number=HONG_KONG) == [
        "document-number-is-a-hk-macao-resident-permit"
    ]


def test_a_residence_permit_with_a_wrong_check_character_is_refused() -> None:
    wrong = HONG_KONG[:17] + ("0" if HONG_KONG[17] != "0" else "1")
    assert refused(document_type="hk-macao-resident-permit", document_number=wrong) == [
        "identity-number-check-character-wrong"
    ]


def test_a_residence_permit_number_must_start_with_its_regions_code() -> None:
    wrong = "33079919900101001" + ("0" if resident_id_check_character("33079919900101001") != "0" else "1")
    assert refused(document_type="taiwan-resident-permit", document_number=wrong) == [
        "residence-permit-prefix-wrong",
        "identity-number-check-character-wrong",
    ]


def test_a_stated_birth_date_or_sex_must_agree_with_the_residence_permit() -> None:
    fields = {"document_type": "hk-macao-resident-permit", "document_number": HONG_KONG}
    assert refused(**fields, birth_date=date(1990, 1, 2), sex="female") == ["birth-date-mismatch", "sex-mismatch"]


def test_a_residence_permit_holder_is_a_chinese_citizen() -> None:
    assert refused(document_type="hk-macao-resident-permit", document_number=HONG_KONG, nationality="GBR") == [
        "nationality-mismatch"
    ]


def test_a_residence_permit_born_today_is_accepted_and_born_tomorrow_is_refused() -> None:
    today = gb11643("81000020261122001")
    assert identify(document_type="hk-macao-resident-permit", document_number=today, name="陈", today=TODAY).sex
    tomorrow = gb11643("81000020261123001")
    assert refused(document_type="hk-macao-resident-permit", document_number=tomorrow) == [
        "identity-number-birth-date-impossible"
    ]


# -- overseas Chinese: the Chinese passport ---------------------------------------------------------------------


@pytest.mark.parametrize("number", ["E12345678", "EA1234567", "e12345678", "\uff25\uff21\uff11234567"])
def test_a_chinese_passport_is_e_and_8_digits_or_e_a_letter_and_7_digits(number: str) -> None:
    person = identify(document_type="chinese-passport", document_number=number, name="林", birth_date=date(1990, 1, 1),
                      sex="female", today=TODAY)  # fmt: skip
    assert person.document_key.startswith("chinese-passport:CHN:E") and person.document_number.isascii()


@pytest.mark.parametrize("number", ["E1234567", "E123456789", "EAB123456", "K12345678", "G12345678"])
def test_a_chinese_passport_number_of_another_shape_or_the_expired_g_series_is_refused(number: str) -> None:
    assert refused(document_type="chinese-passport", document_number=number, birth_date=date(1990, 1, 1),
                   sex="female") == ["document-number-malformed"]  # fmt: skip


def test_a_chinese_passport_holder_is_a_chinese_citizen_and_states_birth_date_and_sex() -> None:
    assert refused(document_type="chinese-passport", document_number="E12345678", nationality="USA") == [
        "nationality-mismatch",
        "birth-date-required",
        "sex-required",
    ]


def test_a_chinese_passport_and_a_foreign_passport_with_the_same_number_are_different_documents() -> None:
    born = date(1990, 1, 1)
    chinese = identify(document_type="chinese-passport", document_number="E12345678", name="林", birth_date=born,
                       sex="male", today=TODAY)  # fmt: skip
    foreign = identify(document_type="foreign-passport", document_number="E12345678", nationality="SGP", name="Lim",
                       birth_date=born, sex="male", today=TODAY)  # fmt: skip
    assert chinese.document_key != foreign.document_key


# -- foreigners: the permanent-residence card (外国人永久居留身份证) ----------------------------------------------


def test_a_2023_permanent_residence_card_is_checked_like_a_resident_number_and_agrees_on_the_birth_date() -> None:
    person = identify(document_type="foreign-permanent-residence-card", document_number=CARD_2023, nationality="SAU",
                      name="Ahmed", birth_date=date(1985, 1, 1), sex="male", today=TODAY)  # fmt: skip
    assert person.document_key == f"foreign-permanent-residence-card:SAU:{CARD_2023}"
    fields = {"document_type": "foreign-permanent-residence-card", "nationality": "SAU", "sex": "male"}
    assert refused(**fields, document_number=CARD_2023, birth_date=date(1985, 1, 2)) == ["birth-date-mismatch"]
    assert refused(**fields, document_number=CARD_2023[:17] + "1", birth_date=date(1985, 1, 1)) == [
        "identity-number-check-character-wrong"
    ]


def test_a_2023_card_issued_by_no_province_is_refused() -> None:
    number = gb11643("90068219850101001")
    failures = refused(document_type="foreign-permanent-residence-card", document_number=number, nationality="SAU",
                       birth_date=date(1985, 1, 1), sex="male")  # fmt: skip
    assert failures == ["permanent-residence-card-province-unknown"]


def test_a_2017_permanent_residence_card_starts_with_its_holders_nationality() -> None:
    fields = {"document_type": "foreign-permanent-residence-card", "document_number": CARD_2017,
              "birth_date": date(1990, 12, 31), "sex": "male"}  # fmt: skip
    assert identify(name="Nur", today=TODAY, nationality="KAZ", **fields).nationality == "KAZ"  # type: ignore[arg-type]
    assert refused(nationality="UZB", **fields) == ["nationality-mismatch"]


def test_a_permanent_residence_card_number_is_never_accepted_as_a_resident_number_or_the_reverse() -> None:
    assert refused(document_type="resident-id", document_number=CARD_2023) == [
        "document-number-is-a-foreign-permanent-residence-card"
    ]
    assert refused(document_type="foreign-permanent-residence-card", document_number=RESIDENT, nationality="SAU",
                   birth_date=date(1949, 12, 31), sex="female") == ["document-number-is-a-resident-id"]  # fmt: skip


@pytest.mark.parametrize("number", ["KA110090123105", "932682198501010", "ABCDEFGHIJKLMNO", "832682198501010017"])
def test_a_permanent_residence_card_number_of_neither_shape_is_refused(number: str) -> None:
    assert "document-number-malformed" in refused(
        document_type="foreign-permanent-residence-card", document_number=number, nationality="SAU",
        birth_date=date(1985, 1, 1), sex="male",
    )  # fmt: skip


def test_a_permanent_residence_card_holder_is_not_a_chinese_citizen() -> None:
    assert refused(document_type="foreign-permanent-residence-card", document_number=CARD_2023, nationality="CHN",
                   birth_date=date(1985, 1, 1), sex="male") == ["nationality-mismatch"]  # fmt: skip


# -- what the types mean elsewhere --------------------------------------------------------------------------------


def test_a_travel_permit_holder_is_a_chinese_citizen() -> None:
    assert refused(document_type="hk-macao-permit", document_number="H12345678", nationality="HKG",
                   birth_date=date(1990, 1, 1), sex="male") == ["nationality-mismatch"]  # fmt: skip


def test_an_unknown_document_type_is_refused_naming_the_known_ones() -> None:
    with pytest.raises(InvalidInput) as caught:
        identify(document_type="driving-licence", document_number="X1", name="王", birth_date=date(1990, 1, 1),
                 sex="male", today=TODAY)  # fmt: skip
    assert codes(caught.value) == ["document-type-unknown"]
    assert all(document_type in caught.value.detail for document_type in DOCUMENT_TYPES)


@pytest.mark.parametrize("document_type", [t for t in DOCUMENT_TYPES if t != RESIDENT_ID])
def test_only_a_mainland_resident_number_opens_household_registration_cancellation_at_death(
    document_type: str,
) -> None:
    known = KnownFacts(document_type=document_type, died_in_city=True, marital_status="unmarried")
    services = [plan.service for plan in plan_services(DeceasedFacts(), known)]
    assert "household-registration-cancellation" not in services
    resident = KnownFacts(document_type=RESIDENT_ID, died_in_city=True, marital_status="unmarried")
    assert "household-registration-cancellation" in [plan.service for plan in plan_services(DeceasedFacts(), resident)]


def test_a_person_keeps_the_type_that_identified_them() -> None:
    person = identify(document_type="taiwan-resident-permit", document_number=TAIWAN, name="陈", today=TODAY)
    assert isinstance(person, Person) and person.document_type == "taiwan-resident-permit"
