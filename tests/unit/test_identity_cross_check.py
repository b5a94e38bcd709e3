"""Our resident-number validator against python-stdnum's (stdnum.cn.ric) on thousands of generated numbers.

Both must agree wherever both apply. Where they do not apply alike, on purpose (each a test of its own below):
- stdnum also requires the division code to have been in use in the birth year; we do not (people born before their
  county got its code were numbered with it later), so numbers that only that rule refuses are left out;
- 810000 and 820000 are on the division list (Hong Kong, Macao) and stdnum accepts them; for us a number with those
  prefixes and a right check character is a residence permit, never a resident number;
- stdnum does not refuse a birth date in the future or before 1900; generated dates stay within those bounds.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta

import pytest
from stdnum import numdb
from stdnum.cn import ric
from stdnum.exceptions import InvalidComponent, ValidationError

from registry.common.divisions import division_known
from registry.common.errors import InvalidInput
from registry.common.identity import ResidentIdentityNumber, resident_id_check_character

TODAY = date(2026, 11, 22)
NUMBERS = 10_000
OTHER_SCRIPTS = {"full-width": 0xFF10, "arabic-indic": 0x0660, "devanagari": 0x0966}


def official_codes() -> list[str]:
    """Every division code of stdnum's list, current and historical (walked for test data only)."""
    codes = []
    for _, low, high, _, children in numdb.get("cn/loc").prefixes:
        for province in range(int(low), int(high) + 1):
            for _, child_low, child_high, props, _ in children:
                if "county" in props:
                    codes.extend(f"{province:02d}{n:04d}" for n in range(int(child_low), int(child_high) + 1))
    return [code for code in codes if code[:2] not in ("81", "82")]


def valid_number(rng: random.Random, codes: list[str]) -> str:
    birth = date(1900, 1, 1) + timedelta(days=rng.randrange((TODAY - date(1900, 1, 1)).days + 1))
    body = f"{rng.choice(codes)}{birth:%Y%m%d}{rng.randrange(1000):03d}"
    return body + resident_id_check_character(body)


def corrupted(rng: random.Random, number: str) -> tuple[str, str]:
    """A number with one kind of damage, and the name of that damage."""
    kind = rng.choice(["check", "date", "division", "length", "letter", *OTHER_SCRIPTS])
    if kind == "check":
        return number[:17] + rng.choice([c for c in "0123456789X" if c != number[17]]), kind
    if kind == "date":
        body = number[:10] + rng.choice(["1301", "0230", "0431", "0000", "0100"]) + number[14:17]
        return body + resident_id_check_character(body), kind
    if kind == "division":
        code = rng.choice([c for c in (f"{rng.randrange(110000, 999999)}" for _ in range(50)) if not division_known(c)])
        body = code + number[6:17]
        return body + resident_id_check_character(body), kind
    if kind == "length":
        return (number[:-1] if rng.random() < 0.5 else number + "1"), kind
    if kind == "letter":
        position = rng.randrange(17)
        return number[:position] + rng.choice("ABCXYZ") + number[position + 1 :], kind
    positions = rng.sample([i for i, c in enumerate(number) if c.isdigit()], k=rng.randint(1, 3))
    script = OTHER_SCRIPTS[kind]
    return "".join(chr(script + int(c)) if i in positions else c for i, c in enumerate(number)), kind


def ours(number: str) -> str | None:
    try:
        return ResidentIdentityNumber.parse(number, today=TODAY).number
    except InvalidInput:
        return None


def theirs(number: str) -> str | None:
    try:
        return str(ric.validate(number))
    except (ValidationError, KeyError):  # stdnum 2.2 raises KeyError for an unknown code in a known province
        return None


def only_stdnum_birth_year_rule_refuses(number: str) -> bool:
    """stdnum refuses a division code not in use in the birth year; a rule we do not apply."""
    ascii_form = number.translate({code: code - 0xFEE0 for code in range(0xFF10, 0xFF1A)})
    if theirs(number) is not None or not (ascii_form.isascii() and ours(number)):
        return False
    try:
        ric.get_birth_place(ascii_form)
    except (InvalidComponent, KeyError):
        return True
    return False


def test_our_validator_and_stdnums_agree_on_thousands_of_valid_and_corrupted_numbers() -> None:
    rng = random.Random(20261122)
    codes = official_codes()
    compared: Counter[str] = Counter()
    disagreements = []
    for _ in range(NUMBERS):
        number, kind = valid_number(rng, codes), "valid"
        if rng.random() < 0.6:
            number, kind = corrupted(rng, number)
        if only_stdnum_birth_year_rule_refuses(number):
            compared["left out: stdnum's birth-year rule"] += 1
            continue
        if ours(number) != theirs(number):
            disagreements.append((kind, number, ours(number), theirs(number)))
        compared[kind] += 1
    print(dict(compared))
    assert disagreements == []
    assert compared["valid"] > 1500 and all(compared[kind] > 200 for kind in ("check", "date", "division"))
    assert all(compared[script] > 200 for script in OTHER_SCRIPTS)


def test_full_width_digits_are_read_as_ascii_by_both() -> None:
    number = "11010519491231002X"
    full_width = number[:17].translate({c: c + 0xFEE0 for c in range(0x30, 0x3A)}) + "X"
    assert ours(full_width) == theirs(full_width) == number


def test_a_code_not_yet_in_use_in_the_birth_year_is_refused_by_stdnum_only() -> None:
    body = "33078219600101001"  # Yiwu's code dates from 1989
    number = body + resident_id_check_character(body)
    assert (ours(number), theirs(number)) == (number, None)


@pytest.mark.parametrize("prefix", ["810000", "820000"])
def test_a_hong_kong_or_macao_prefix_with_a_right_check_character_is_a_residence_permit_for_us(prefix: str) -> None:
    body = f"{prefix}19990101001"
    number = body + resident_id_check_character(body)
    assert (ours(number), theirs(number)) == (None, number)
