"""Builders for the deaths and burial tests: identity numbers of a chosen division (household registration)."""

from __future__ import annotations

import itertools
from datetime import date

from registry.common.identity import Person, identify, resident_id_check_character

CITY = "330782"  # the city's division code
ELSEWHERE = "330102"  # a district of Hangzhou

_sequence = itertools.count(1)


def resident_id_of(division: str, birth: date = date(1940, 1, 1), sex: str = "male") -> str:
    """A valid resident identity number issued in `division` (tests/support.resident_id varies the division)."""
    serial = next(_sequence) % 500
    body = f"{division}{birth:%Y%m%d}{2 * serial + (1 if sex == 'male' else 0):03d}"
    return body + resident_id_check_character(body)


def resident_of(division: str, birth: date = date(1940, 1, 1), sex: str = "male", name: str = "王大") -> Person:
    return identify(document_type="resident-id", document_number=resident_id_of(division, birth, sex), name=name,
                    today=date(2100, 1, 1))  # fmt: skip
