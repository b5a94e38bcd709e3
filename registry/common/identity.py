"""Identity documents of the people the registry serves (GB 11643 resident identity numbers and others)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

from registry.common.errors import Failure, InvalidInput

Sex = Literal["male", "female"]
DocumentType = Literal["resident-id", "hk-macao-permit", "taiwan-permit", "foreign-passport"]

RESIDENT_ID = "resident-id"
_RESIDENT_ID_SHAPE = re.compile(r"^[1-9]\d{5}\d{8}\d{3}[0-9X]$")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARACTERS = "10X98765432"


def resident_id_check_character(first_17_digits: str) -> str:
    """The ISO 7064 MOD 11-2 check character of the first 17 digits of a resident identity number."""
    total = sum(int(digit) * weight for digit, weight in zip(first_17_digits, _WEIGHTS, strict=True))
    return _CHECK_CHARACTERS[total % 11]


@dataclass(frozen=True)
class ResidentIdentityNumber:
    """An 18-character mainland resident identity number, validated, with what it encodes."""

    number: str
    birth_date: date
    sex: Sex

    @classmethod
    def parse(cls, raw: str, *, today: date) -> ResidentIdentityNumber:
        """Validate a resident identity number; the error never repeats the number itself."""
        number = raw.strip().upper()
        if not _RESIDENT_ID_SHAPE.match(number):
            raise InvalidInput(
                [Failure("identity-number-malformed", "must be 18 characters: 17 digits then a digit or X")]
            )
        try:
            birth_date = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
        except ValueError:
            raise InvalidInput(
                [Failure("identity-number-birth-date-impossible", "the birth date it encodes does not exist")]
            ) from None
        if birth_date > today or birth_date.year < 1900:
            raise InvalidInput(
                [Failure("identity-number-birth-date-impossible", "the birth date it encodes is out of range")]
            )
        if resident_id_check_character(number[:17]) != number[17]:
            raise InvalidInput([Failure("identity-number-check-character-wrong", "the check character does not match")])
        sex: Sex = "male" if int(number[16]) % 2 == 1 else "female"
        return cls(number=number, birth_date=birth_date, sex=sex)


@dataclass(frozen=True)
class Person:
    """Who a party is: their identity document, name, and the birth date and sex that count for the law."""

    document_type: str
    document_number: str
    nationality: str
    name: str
    birth_date: date
    sex: str

    @property
    def document_key(self) -> str:
        """The natural key of the person: document type, nationality and number."""
        return document_key(self.document_type, self.document_number, self.nationality)


def document_key(document_type: str, document_number: str, nationality: str) -> str:
    """The natural key of an identity document (resident numbers are always Chinese)."""
    nationality = "CHN" if document_type == RESIDENT_ID else nationality.upper()
    return f"{document_type}:{nationality}:{document_number.strip().upper()}"


def validated_document_key(document_type: str, document_number: str, nationality: str, *, today: date) -> str:
    """The document key of a document given alone (no name), validating a resident identity number."""
    if document_type == RESIDENT_ID:
        document_number = ResidentIdentityNumber.parse(document_number, today=today).number
    return document_key(document_type, document_number, nationality)


OTHER_DOCUMENT_SHAPES = {
    "hk-macao-permit": re.compile(r"^[HM]\d{8}(\d{2})?$"),
    "taiwan-permit": re.compile(r"^\d{8}$"),
    "foreign-passport": re.compile(r"^[A-Z0-9]{5,20}$"),
}


def check_other_document(document_type: str, number: str, nationality: str) -> list[Failure]:
    """One person, one key: a mainland resident's number is never accepted under another document type."""
    failures = []
    shape = OTHER_DOCUMENT_SHAPES.get(document_type)
    if shape is None:
        failures.append(
            Failure("document-type-unknown", f"document types: {RESIDENT_ID}, {', '.join(OTHER_DOCUMENT_SHAPES)}")
        )
    elif not shape.match(number):
        failures.append(Failure("document-number-malformed", f"not the number format of a {document_type}"))
    if _RESIDENT_ID_SHAPE.match(number) and resident_id_check_character(number[:17]) == number[17]:
        failures.append(
            Failure("document-number-is-a-resident-id", "a resident identity number is registered as resident-id")
        )
    if document_type == "foreign-passport" and nationality == "CHN":
        failures.append(
            Failure("chinese-citizen-passport", "a mainland resident registers with the resident identity number")
        )
    return failures


def identify(
    *,
    document_type: str,
    document_number: str,
    name: str,
    today: date,
    nationality: str = "CHN",
    birth_date: date | None = None,
    sex: str | None = None,
) -> Person:
    """Build a Person: a resident number gives birth date and sex; other documents must state them."""
    if document_type == RESIDENT_ID:
        resident = ResidentIdentityNumber.parse(document_number, today=today)
        failures = []
        if birth_date is not None and birth_date != resident.birth_date:
            failures.append(Failure("birth-date-mismatch", "differs from the identity number's birth date"))
        if sex is not None and sex != resident.sex:
            failures.append(Failure("sex-mismatch", "differs from the identity number's sex"))
        if failures:
            raise InvalidInput(failures)
        return Person(RESIDENT_ID, resident.number, "CHN", name, resident.birth_date, resident.sex)
    failures = check_other_document(document_type, document_number.strip().upper(), nationality.upper())
    if birth_date is None:
        failures.append(Failure("birth-date-required", f"a {document_type} holder must state a birth date"))
    elif birth_date > today:
        failures.append(Failure("birth-date-in-future", "the birth date is after today"))
    if sex not in ("male", "female"):
        failures.append(Failure("sex-required", f"a {document_type} holder must state sex: male or female"))
    if not document_number.strip():
        failures.append(Failure("document-number-required", "the document number is empty"))
    if failures:
        raise InvalidInput(failures)
    assert birth_date is not None and sex is not None  # narrowed by the checks above
    return Person(document_type, document_number.strip().upper(), nationality.upper(), name, birth_date, sex)
