"""Identity documents of the people the registry serves: each type's number format, and what a number encodes.

The types the 2025 Marriage Registration Regulations (art 8) accept, each its own type:
- resident-id (居民身份证), mainland residents: GB 11643-1999, 18 characters: a division code of GB/T 2260 (checked
  against the official list with its historical codes, registry.common.divisions), the birth date, a 3-digit sequence
  (odd male, even female) and an ISO 7064 MOD 11-2 check character (0-9 or X).
- hk-macao-resident-permit / taiwan-resident-permit (港澳台居民居住证, issued since September 2018 under the State
  Council General Office's 港澳台居民居住证申领发放办法, 国办发[2018]81号): numbered by the rules of GB 11643 with the
  address code 810000 (Hong Kong) or 820000 (Macao), or 830000 (Taiwan), as the Ministry of Public Security announced
  at the launch; birth date and sex are encoded as in a resident number.
- hk-macao-permit (港澳居民来往内地通行证): H (Hong Kong) or M (Macao) and 8 digits, 2 more on the older booklet;
  taiwan-permit (台湾居民来往大陆通行证): 8 digits (the 2015 card).
- chinese-passport (普通护照), overseas Chinese: E and 8 digits (electronic passports, issued since May 2012), or E, a
  letter and 7 digits (the series that followed when E and 8 digits ran out), as the National Immigration
  Administration issues them; the earlier G series stopped in 2012 and has expired (ten years at most).
- foreign-passport: 5 to 20 letters and digits (ICAO Doc 9303 numbers, and longer national ones).
- foreign-permanent-residence-card (外国人永久居留身份证), per the National Immigration Administration's notes for
  adapting systems to the 2023 card (新版外国人永久居留身份证适配性改造要点, September 2023): the 2017 card has 15
  characters, 3 Latin letters (the nationality, ISO 3166-1 alpha-3) and 12 digits; the card issued since 1 December
  2023 has 18: 9 (foreigner), the 2-digit province code of the issuing authority, a 3-digit numeric nationality code,
  the 8-digit birth date, a 3-digit sequence and a MOD 11-2 check character, as in a resident number.

Numbers are ASCII. A number typed in full-width forms (what a Chinese input method gives in full-width mode) is the same
number and becomes ASCII before any check; any other character outside ASCII, digits of other scripts included, is
refused where a person enters a number (API, CLI). The document key (the natural key of a person) also reads
decimal digits of any script as their ASCII digit, so that a fact from another province keys the person it means:
however a number was written, one person gets one key.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Literal

from registry.common.divisions import division_known, province_known
from registry.common.errors import Failure, InvalidInput

Sex = Literal["male", "female"]
DocumentType = Literal[
    "resident-id",
    "hk-macao-resident-permit",
    "taiwan-resident-permit",
    "hk-macao-permit",
    "taiwan-permit",
    "chinese-passport",
    "foreign-passport",
    "foreign-permanent-residence-card",
]

RESIDENT_ID = "resident-id"
HK_MACAO_RESIDENT_PERMIT = "hk-macao-resident-permit"
TAIWAN_RESIDENT_PERMIT = "taiwan-resident-permit"
HK_MACAO_PERMIT = "hk-macao-permit"
TAIWAN_PERMIT = "taiwan-permit"
CHINESE_PASSPORT = "chinese-passport"
FOREIGN_PASSPORT = "foreign-passport"
FOREIGN_PERMANENT_RESIDENCE_CARD = "foreign-permanent-residence-card"
DOCUMENT_TYPES: tuple[str, ...] = (
    RESIDENT_ID, HK_MACAO_RESIDENT_PERMIT, TAIWAN_RESIDENT_PERMIT, HK_MACAO_PERMIT, TAIWAN_PERMIT, CHINESE_PASSPORT,
    FOREIGN_PASSPORT, FOREIGN_PERMANENT_RESIDENCE_CARD,
)  # fmt: skip
# Documents of Chinese citizens: the nationality is CHN, whatever else is stated.
CHINESE_CITIZEN_DOCUMENTS = frozenset(
    {RESIDENT_ID, HK_MACAO_RESIDENT_PERMIT, TAIWAN_RESIDENT_PERMIT, HK_MACAO_PERMIT, TAIWAN_PERMIT, CHINESE_PASSPORT}
)
# Keyed as CHN whatever nationality was stated. The travel permits were keyed with the stated nationality from the
# start and stay so (people stored with them must keep their key); their holders now state CHN or are refused.
_KEYED_WITH_CHN = frozenset({RESIDENT_ID, HK_MACAO_RESIDENT_PERMIT, TAIWAN_RESIDENT_PERMIT, CHINESE_PASSPORT})
_ENCODE_BIRTH_AND_SEX = frozenset({RESIDENT_ID, HK_MACAO_RESIDENT_PERMIT, TAIWAN_RESIDENT_PERMIT})
RESIDENCE_PERMIT_PREFIXES = {HK_MACAO_RESIDENT_PERMIT: ("810000", "820000"), TAIWAN_RESIDENT_PERMIT: ("830000",)}

_GB11643 = re.compile(r"[0-9]{17}[0-9X]")
_RESIDENT_ID_SHAPE = re.compile(r"[1-9][0-9]{16}[0-9X]")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARACTERS = "10X98765432"
_FULL_WIDTH_TO_ASCII = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_DEFAULT_NATIONALITY_WHEN_UNSTATED = "CHN"


def resident_id_check_character(first_17_digits: str) -> str:
    """The ISO 7064 MOD 11-2 check character of the first 17 digits of a GB 11643 number."""
    total = sum(int(digit) * weight for digit, weight in zip(first_17_digits, _WEIGHTS, strict=True))
    return _CHECK_CHARACTERS[total % 11]


def ascii_number(raw: str) -> str:
    """A number as a person typed it, as the registry keeps it: ASCII, upper case, without surrounding spaces.

    Full-width forms become their ASCII characters; anything else outside ASCII is refused, never read as a digit.
    """
    number = raw.translate(_FULL_WIDTH_TO_ASCII).strip()
    if not number.isascii():
        raise InvalidInput(
            [Failure("document-number-not-ascii", "write the number in ASCII digits and letters (0-9, A-Z)")]
        )
    return number.upper()


def _any_script_digits_to_ascii(raw: str) -> str:
    if raw.isascii():  # nearly every number: nothing to convert (read models key every event's persons by it)
        return raw
    return "".join(str(unicodedata.decimal(c)) if not c.isascii() and unicodedata.decimal(c, None) is not None
                   else c for c in raw)  # fmt: skip


def document_key(document_type: str, document_number: str, nationality: str) -> str:
    """The natural key of an identity document: type, nationality and the number in ASCII.

    Decimal digits of any script count as their ASCII digit here (facts from other provinces are keyed like the
    registry's own people); a number with any other character outside ASCII has no key and is refused.
    """
    number = ascii_number(_any_script_digits_to_ascii(document_number))
    nationality = "CHN" if document_type in _KEYED_WITH_CHN else nationality.strip().upper()
    return f"{document_type}:{nationality}:{number}"


def recognised_type(number: str) -> str | None:
    """Which GB 11643-numbered document an ASCII number is, if its check character holds: told by its prefix."""
    if not _GB11643.fullmatch(number) or resident_id_check_character(number[:17]) != number[17]:
        return None
    for document_type, prefixes in RESIDENCE_PERMIT_PREFIXES.items():
        if number[:6] in prefixes:
            return document_type
    if number[0] == "9":
        return FOREIGN_PERMANENT_RESIDENCE_CARD
    return RESIDENT_ID if division_known(number[:6]) else None


@dataclass(frozen=True)
class Document:
    """An identity document as read: its type, ASCII number, nationality, and what the number encodes."""

    document_type: str
    number: str
    nationality: str
    birth_date: date | None = None
    sex: Sex | None = None

    @property
    def key(self) -> str:
        return document_key(self.document_type, self.number, self.nationality)


@dataclass(frozen=True)
class ResidentIdentityNumber:
    """An 18-character mainland resident identity number, validated, with what it encodes."""

    number: str
    birth_date: date
    sex: Sex

    @classmethod
    def parse(cls, raw: str, *, today: date) -> ResidentIdentityNumber:
        """Validate a resident identity number naming every failed check; the error never repeats the number."""
        document, failures = read_document(RESIDENT_ID, raw, "CHN", today=today)
        if failures or document.birth_date is None or document.sex is None:
            raise InvalidInput(failures)
        return cls(number=document.number, birth_date=document.birth_date, sex=document.sex)


def read_document(document_type: str, raw: str, nationality: str, *, today: date) -> tuple[Document, list[Failure]]:
    """Read a document number by the format of its type; returns what it encodes and every failed check.

    A number that is validly another GB 11643-numbered document (a mainland resident's, a residence permit's, a
    2023 permanent-residence card's) is refused under any type but its own, so that one person has one key.
    """
    number = ascii_number(raw)
    nationality = nationality.strip().upper() or _DEFAULT_NATIONALITY_WHEN_UNSTATED
    reader = _READERS.get(document_type)
    if reader is None:
        failure = Failure("document-type-unknown", f"document types: {', '.join(DOCUMENT_TYPES)}")
        return Document(document_type, number, nationality), [failure]
    if document_type in CHINESE_CITIZEN_DOCUMENTS:
        failures = [] if nationality == "CHN" else [_nationality_mismatch(document_type, "CHN")]
        nationality = "CHN"
    elif nationality == "CHN":
        code = "chinese-citizen-passport" if document_type == FOREIGN_PASSPORT else "nationality-mismatch"
        failures = [Failure(code, "a Chinese citizen registers with a Chinese document (resident-id, a permit, "
                                  "or a chinese-passport)")]  # fmt: skip
    else:
        failures = []
    recognised = recognised_type(number)
    if recognised is not None and recognised != document_type:
        failures.append(Failure(f"document-number-is-a-{recognised}", f"that number is registered as {recognised}"))
        return Document(document_type, number, nationality), failures
    document, format_failures = reader(Document(document_type, number, nationality), today)
    return document, failures + format_failures


def _nationality_mismatch(document_type: str, expected: str) -> Failure:
    return Failure("nationality-mismatch", f"a {document_type} holder's nationality is {expected}")


def _encoded_birth_and_check(number: str, today: date) -> tuple[date | None, list[Failure]]:
    """The birth date (digits 7-14) and check character of a GB 11643 number, with what is wrong with them."""
    failures = []
    birth_date: date | None = None
    try:
        birth_date = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        failures.append(Failure("identity-number-birth-date-impossible", "the birth date it encodes does not exist"))
    if birth_date is not None and (birth_date > today or birth_date.year < 1900):
        failures.append(Failure("identity-number-birth-date-impossible", "the birth date it encodes is out of range"))
        birth_date = None
    if resident_id_check_character(number[:17]) != number[17]:
        failures.append(Failure("identity-number-check-character-wrong", "the check character does not match"))
    return birth_date, failures


def _encoded_sex(number: str) -> Sex:
    return "male" if int(number[16]) % 2 == 1 else "female"


def _read_resident_id(document: Document, today: date) -> tuple[Document, list[Failure]]:
    number = document.number
    if not _RESIDENT_ID_SHAPE.fullmatch(number):
        return document, [Failure("identity-number-malformed", "must be 18 characters: 17 digits then a digit or X")]
    birth_date, failures = _encoded_birth_and_check(number, today)
    if not division_known(number[:6]):
        failures.append(
            Failure("identity-number-division-unknown", "the first six digits are no division code, current or past")
        )
    return Document(RESIDENT_ID, number, "CHN", birth_date, _encoded_sex(number)), failures


def _read_residence_permit(document: Document, today: date) -> tuple[Document, list[Failure]]:
    number, prefixes = document.number, RESIDENCE_PERMIT_PREFIXES[document.document_type]
    if not _GB11643.fullmatch(number):
        detail = f"must be 18 characters: 17 digits then a digit or X, starting {' or '.join(prefixes)}"
        return document, [Failure("document-number-malformed", detail)]
    birth_date, failures = _encoded_birth_and_check(number, today)
    if number[:6] not in prefixes:
        detail = f"a {document.document_type} number starts {' or '.join(prefixes)}"
        failures.insert(0, Failure("residence-permit-prefix-wrong", detail))
    return Document(document.document_type, number, "CHN", birth_date, _encoded_sex(number)), failures


def _shape_reader(shape: str, detail: str) -> Callable[[Document, date], tuple[Document, list[Failure]]]:
    pattern = re.compile(shape)

    def read(document: Document, today: date) -> tuple[Document, list[Failure]]:
        return document, [] if pattern.fullmatch(document.number) else [Failure("document-number-malformed", detail)]

    return read


def _read_chinese_passport(document: Document, today: date) -> tuple[Document, list[Failure]]:
    if re.fullmatch(r"G[0-9]{8}", document.number):
        return document, [Failure("document-number-malformed", "G-series passports (issued until 2012) have expired")]
    return _shape_reader(r"E[0-9]{8}|E[A-Z][0-9]{7}", "E and 8 digits, or E, a letter and 7 digits")(document, today)


def _read_permanent_residence_card(document: Document, today: date) -> tuple[Document, list[Failure]]:
    number = document.number
    if re.fullmatch(r"[A-Z]{3}[0-9]{12}", number):  # the 2017 card
        if number[:3] != document.nationality:
            return document, [_nationality_mismatch(document.document_type, "the card's first three letters")]
        return document, []
    if not re.fullmatch(r"9[0-9]{16}[0-9X]", number):  # the 2023 card
        detail = "15 characters (3 letters, 12 digits) or, since December 2023, 18 (9, 16 digits, a digit or X)"
        return document, [Failure("document-number-malformed", detail)]
    birth_date, failures = _encoded_birth_and_check(number, today)
    if not province_known(number[1:3]):
        failures.append(Failure("permanent-residence-card-province-unknown", "digits 2-3 are no province code"))
    return Document(document.document_type, number, document.nationality, birth_date), failures


_READERS: dict[str, Callable[[Document, date], tuple[Document, list[Failure]]]] = {
    RESIDENT_ID: _read_resident_id,
    HK_MACAO_RESIDENT_PERMIT: _read_residence_permit,
    TAIWAN_RESIDENT_PERMIT: _read_residence_permit,
    HK_MACAO_PERMIT: _shape_reader(r"[HM][0-9]{8}([0-9]{2})?", "H or M, then 8 digits (10 on the older booklet)"),
    TAIWAN_PERMIT: _shape_reader(r"[0-9]{8}", "8 digits"),
    CHINESE_PASSPORT: _read_chinese_passport,
    FOREIGN_PASSPORT: _shape_reader(r"[A-Z0-9]{5,20}", "5 to 20 letters and digits"),
    FOREIGN_PERMANENT_RESIDENCE_CARD: _read_permanent_residence_card,
}


def validated_document_key(document_type: str, document_number: str, nationality: str, *, today: date) -> str:
    """The document key of a document given alone (no name), after every check of its type's number format."""
    document, failures = read_document(document_type, document_number, nationality, today=today)
    if failures:
        raise InvalidInput(failures)
    return document.key


def is_mainland_resident(document_type: str) -> bool:
    """Mainland residents register with the resident identity number; everyone else with another document."""
    return document_type == RESIDENT_ID


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

    @property
    def is_mainland_resident(self) -> bool:
        return is_mainland_resident(self.document_type)


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
    """Build a Person, naming every failed check.

    A resident number or a residence permit's number gives birth date and sex (stated ones must agree); a 2023
    permanent-residence card's gives the birth date (the stated one must agree); other documents must state both.
    """
    document, failures = read_document(document_type, document_number, nationality, today=today)
    if document.birth_date is not None and birth_date is not None and birth_date != document.birth_date:
        failures.append(Failure("birth-date-mismatch", "differs from the birth date the document number encodes"))
    if document.sex is not None and sex is not None and sex != document.sex:
        failures.append(Failure("sex-mismatch", "differs from the sex the document number encodes"))
    if document.document_type in _ENCODE_BIRTH_AND_SEX:
        birth_date, sex = document.birth_date, document.sex
    else:
        if birth_date is None:
            failures.append(Failure("birth-date-required", f"a {document_type} holder must state a birth date"))
        elif birth_date > today:
            failures.append(Failure("birth-date-in-future", "the birth date is after today"))
        if sex not in ("male", "female"):
            failures.append(Failure("sex-required", f"a {document_type} holder must state sex: male or female"))
    if failures or birth_date is None or sex is None:  # a number that passed every check encodes what it should
        raise InvalidInput(failures)
    return Person(document.document_type, document.number, document.nationality, name, birth_date, sex)
