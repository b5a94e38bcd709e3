"""Administrative division codes (GB/T 2260), current and historical, from the list python-stdnum ships.

python-stdnum's `stdnum/cn/loc.dat` is compiled from the official list with each code's years of use (e.g.
110103 崇文区 until 2010). It is read here through stdnum's public `numdb` module, not copied by hand, so a
new release of the package brings new codes.

A code counts as known if it is or ever was on the list. stdnum's own RIC check also requires the code to have been in
use in the birth year; that refuses genuine numbers: people born before a county got its code (Yiwu's 330782 dates
from 1989) received numbers with that code when they were first registered there.
"""

from __future__ import annotations

from functools import cache, lru_cache

from stdnum import numdb


@cache
def _official_list() -> numdb.NumDB:
    return numdb.get("cn/loc")


@lru_cache(maxsize=16_384)  # a lookup walks the list (about 40 us); the codes people bring are few
def division_known(code: str) -> bool:
    """Whether six ASCII digits are, or ever were, an administrative division code of the official list."""
    if len(code) != 6 or not (code.isascii() and code.isdigit()):
        return False
    parts = _official_list().info(code)
    return len(parts) == 2 and "province" in parts[0][1] and "county" in parts[1][1]


def province_known(code: str) -> bool:
    """Whether two ASCII digits are a province-level code (11 Beijing ... 82 Macao) of the official list."""
    return len(code) == 2 and division_known(code + "0000")


@cache
def divisions_in(province: str) -> tuple[str, ...]:
    """Every known division code of a province, current and historical, in ascending order (for generated data)."""
    return tuple(code for code in (f"{province}{n:04d}" for n in range(10_000)) if division_known(code))
