"""Where a place name applies and to whom it answers: kinds, scopes of uniqueness (art. 9), periods and filing
destinations (arts. 13, 14), for the city 330782 in the province 33."""

from __future__ import annotations

CITY, PROVINCE = "330782", "33"
KINDS = ("road", "estate", "building", "bridge", "square-park", "village-community", "natural-feature", "township")
AREA_KINDS = ("road", "estate", "building")  # compared within a built-up area (art. 9)
NAMED_BEFORE_PERMIT = ("estate", "building")
ANNOUNCEMENT_DAYS = 15  # art. 14: announced to the public within 15 days of approval
FILING_DAYS = 15  # art. 13: filed within 15 days of approval


def scope_of(kind: str, area: str) -> str:
    """Art. 9: townships within the province, villages and communities within the county, roads, estates and
    buildings within their built-up area; other kinds within the county (a local choice)."""
    if kind == "township":
        return f"province:{PROVINCE}"
    if kind in AREA_KINDS:
        return f"area:{area}" if area else f"city:{CITY}"
    return f"county:{CITY}"


def index_key(kind: str, area: str, sound: str) -> str:
    """The key of the index that holds every name of a kind in a scope whose specific part sounds so."""
    return f"{scope_of(kind, area)}/{kind}/{sound}"


def level_up(division: str) -> str | None:
    """The administrative division one level up (330782 -> 330700 -> 33); None above a province."""
    if len(division) == 6 and not division.endswith("00"):
        return division[:4] + "00"
    if len(division) == 6:
        return division[:2]
    return None


def filing_destination(authority: str) -> str:
    """Art. 13: a government files with the government one level up, civil affairs with civil affairs one level up,
    any other department with civil affairs at its own level."""
    division, _, body = authority.partition("-")
    if body in ("government", "civil-affairs"):
        above = level_up(division)
        if above is None:
            return "state-council" if body == "government" else "ministry-of-civil-affairs"
        return f"{above}-{body}"
    return f"{division}-civil-affairs"
