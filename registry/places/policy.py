"""The naming policy of this city: who approves each kind of name, the built-up areas, the generic parts (通名) and
the banned entries. Defaults follow the Place Name Regulations 2022 where they say; the rest are local choices,
each configurable (registry/settings.py)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from registry.common.errors import Failure, InvalidInput
from registry.places.jurisdiction import AREA_KINDS, CITY, KINDS, PROVINCE, index_key
from registry.places.spelling import split, written

CITY_GOVERNMENT = f"{CITY}-government"
CIVIL_AFFAIRS = f"{CITY}-civil-affairs"

# Art. 12. Roads and streets: the city government. Estates and buildings of locational significance: the housing
# and urban-rural development department, after civil affairs' opinion. Townships: the provincial government.
# Bridges and other facilities: their competent department after asking the local government (local choice: the
# transport bureau). Villages and communities: as the province rules (default: the city government). Parks,
# squares and natural features: as national and provincial rules say (local choice: the city government).
DEFAULT_AUTHORITIES = {
    "road": CITY_GOVERNMENT,
    "estate": f"{CITY}-housing",
    "building": f"{CITY}-housing",
    "bridge": f"{CITY}-transport",
    "township": f"{PROVINCE}-government",
    "village-community": CITY_GOVERNMENT,
    "square-park": CITY_GOVERNMENT,
    "natural-feature": CITY_GOVERNMENT,
}
# Art. 12: whose opinion the approving body must have asked first (by law, not configurable).
CONSULTED = {"estate": CIVIL_AFFAIRS, "building": CIVIL_AFFAIRS, "bridge": CITY_GOVERNMENT}

# Built-up areas (建成区, art. 9): a local choice. Until the city configures its areas, the whole city is one area:
# a wider scope than the law's, so that no duplicate the law forbids is missed (it may flag more homophones).
DEFAULT_AREAS = {"city": "义乌市 (the whole city until its built-up areas are configured)"}

# Generic parts (通名) per kind, longest match first: a local choice, documented in the README.
DEFAULT_GENERICS: dict[str, tuple[str, ...]] = {
    "road": ("大道", "大街", "路", "街", "巷", "弄"),
    "estate": ("小区", "花园", "家园", "公寓", "新村", "苑", "园", "府", "庭", "湾", "城"),
    "building": ("大厦", "大楼", "中心", "广场", "楼", "座"),
    "bridge": ("大桥", "桥"),
    "square-park": ("广场", "公园", "游园"),
    "village-community": ("社区", "村"),
    "township": ("街道", "镇", "乡"),
    "natural-feature": ("水库", "山", "岭", "峰", "江", "溪", "河", "湖", "塘", "岛"),
}

# Banned entries (art. 9; implementing measures arts. 3-4): examples of each rule, to be replaced by the city's list
# (REGISTRY_BANNED_PLACE_NAMES). A reviewer may accept a name whose characters have no link with an entry.
BANNED_RULES = (
    "leader-name", "personal-name", "foreign-personal-name", "foreign-place-name", "company-or-trademark-name",
)  # fmt: skip
DEFAULT_BANNED = (
    "毛泽东=leader-name,周恩来=leader-name,邓小平=leader-name,"
    "华盛顿=foreign-personal-name,拿破仑=foreign-personal-name,莎士比亚=foreign-personal-name,"
    "曼哈顿=foreign-place-name,威尼斯=foreign-place-name,维也纳=foreign-place-name,"
    "万达=company-or-trademark-name,碧桂园=company-or-trademark-name"
)
DEFAULT_CONSULTATION_DAYS = 15  # art. 11 leaves the length to local rules

OFFICE = re.compile(r"^\d{2}(\d{4})?-[a-z][a-z-]*$")


def pairs(text: str, separator: str = ",") -> dict[str, str]:
    """ "key=value,key=value" as a dict; a part without "=" is a mistake, not skipped."""
    found = {}
    for part in (p.strip() for p in text.split(separator)):
        if not part:
            continue
        key, equals, value = part.partition("=")
        if not equals or not key.strip() or not value.strip():
            raise ValueError(f"{part!r} is not key=value")
        found[key.strip()] = value.strip()
    return found


@dataclass(frozen=True)
class NamingPolicy:
    """What the city configured about naming, validated once at start-up."""

    authorities: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_AUTHORITIES))
    areas: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_AREAS))
    generics: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: dict(DEFAULT_GENERICS))
    banned: Mapping[str, str] = field(default_factory=dict)  # compared form of an entry -> its rule
    consultation_days: int = DEFAULT_CONSULTATION_DAYS

    @classmethod
    def configured(
        cls, *, banned: str | None = None, authorities: str | None = None, areas: str | None = None,
        generics: str | None = None, consultation_days: int = DEFAULT_CONSULTATION_DAYS,
    ) -> NamingPolicy:  # fmt: skip
        """From the settings' texts; a mistake raises ValueError naming it (the registry does not start)."""
        chosen_authorities = {**DEFAULT_AUTHORITIES, **pairs(authorities or "")}
        for kind, office in chosen_authorities.items():
            if kind not in KINDS or not OFFICE.match(office):
                raise ValueError(f"place-name authority {kind}={office}: a kind of {KINDS} and an office like 330782-x")
        chosen_areas = pairs(areas) if areas else dict(DEFAULT_AREAS)
        chosen_generics = dict(DEFAULT_GENERICS)
        for kind, suffixes in pairs(generics or "", ";").items():
            if kind not in KINDS:
                raise ValueError(f"generic parts for {kind!r}: not a kind of {KINDS}")
            chosen_generics[kind] = tuple(written(s).compared for s in suffixes.split("|") if s)
        entries = {}
        for entry, rule in pairs(banned if banned is not None else DEFAULT_BANNED).items():
            if rule not in BANNED_RULES:
                raise ValueError(f"banned place name {entry}={rule}: rules are {', '.join(BANNED_RULES)}")
            entries[written(entry).compared] = rule
        if consultation_days < 1:
            raise ValueError("the public consultation lasts at least one day")
        return cls(chosen_authorities, chosen_areas, chosen_generics, entries, consultation_days)

    def authority_for(self, kind: str) -> str:
        return self.authorities[kind]

    def consulted_for(self, kind: str) -> str | None:
        return CONSULTED.get(kind)

    def split(self, kind: str, compared: str) -> tuple[str, str]:
        return split(compared, self.generics.get(kind, ()))

    def banned_in(self, compared: str) -> dict[str, str]:
        """Each banned entry the name contains, with its rule."""
        return {entry: rule for entry, rule in self.banned.items() if entry in compared}

    def area_for(self, kind: str, area: str | None) -> str:
        """The built-up area a road, estate or building is in ("" for other kinds): named, or the only one."""
        if kind not in AREA_KINDS:
            return ""
        if area is None and len(self.areas) == 1:
            return next(iter(self.areas))
        if area is None or area not in self.areas:
            known = ", ".join(f"{code} ({name})" for code, name in self.areas.items())
            raise InvalidInput([Failure("built-up-area-unknown", f"name the built-up area it is in: {known}")])
        return area

    def index_keys(self, kind: str, area: str, sound: str) -> list[str]:
        """Where the name is held: its scope and kind, by the sound of its specific part.

        A road, estate or building recorded before built-up areas existed (area "") is held in every area, as the
        whole city was its scope then.
        """
        if kind in AREA_KINDS and not area:
            return [index_key(kind, code, sound) for code in self.areas]
        return [index_key(kind, area, sound)]
