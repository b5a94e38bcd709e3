"""Bodies of the place-name, door-plate and address APIs."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from api.schemas.common import Input, Output, Reason, ShortText

NameText = Annotated[
    str,
    msgspec.Meta(
        min_length=1, max_length=40, description="checked and normalised by the registry", examples=["丹溪路"]
    ),
]
AreaCode = Annotated[str, msgspec.Meta(min_length=1, max_length=40, pattern=r"^[a-z0-9-]+$", examples=["choujiang"])]
Note = Annotated[str, msgspec.Meta(max_length=1000)]
RefusalRule = Literal[
    "reviewer", "personal-name", "leader-name", "foreign-personal-name", "foreign-place-name",
    "company-or-trademark-name", "name-duplicate",
]  # fmt: skip
Kind = Literal[
    "road", "estate", "building", "bridge", "square-park", "village-community", "natural-feature", "township"
]
Distance = Annotated[float, msgspec.Meta(ge=0, le=100_000, description="metres from the road's start")]


class PlaceNameCreate(Input, kw_only=True):
    multi_line_fields = frozenset({"origin_and_meaning"})

    name: NameText
    kind: Kind
    origin_and_meaning: Reason
    planning_reference: Annotated[str, msgspec.Meta(max_length=100)] = ""
    planning_permit_issued: bool = False
    area: AreaCode | None = None  # the built-up area of a road, estate or building (needed if several are configured)
    built_and_unnamed: bool = False  # an estate or building already built and still unnamed


class PlaceNameStep(Input, kw_only=True):
    """note: the experts' opinion (review), the consulted body's opinion (opinion), the reason (refusal), where it
    was announced (announcement); no_link_reasons: per banned entry, why the characters have no link with it
    (review); homophone_reason: the authority's reason to approve a name that sounds like another (approval)."""

    multi_line_fields = frozenset({"note"})

    note: Note = ""
    rule: RefusalRule = "reviewer"
    no_link_reasons: Annotated[dict[NameText, Reason], msgspec.Meta(max_length=20)] = msgspec.field(
        default_factory=dict
    )
    homophone_reason: Note = ""


class PlaceNameRename(Input, kw_only=True):
    name: NameText
    reason: Reason
    homophone_reason: Note = ""


class PlaceNameRead(Output, kw_only=True):
    id: UUID
    version: int
    name: str
    kind: str
    scope: str
    area: str
    specific: str
    state: str
    former_names: list[str]
    banned_entries: dict[str, str]  # entry -> rule, found in the name when proposed
    no_link_reasons: dict[str, str]  # the reviewer's reasons for accepting them
    homophones_when_proposed: list[str]
    approving_authority: str
    consulted: str | None
    opinions: dict[str, str]
    notice_last_day: date | None
    approved_on: date | None
    announcement_due_on: date | None
    announced_on: date | None
    filing_due_on: date | None
    filing_to: str
    filed_on: date | None


class PlateCreate(Input, kw_only=True):
    road_id: UUID
    side: Literal["left", "right"]
    distance: Distance
    building_ref: ShortText
    town: ShortText
    estate: Annotated[str, msgspec.Meta(max_length=40)] = ""
    applied_on: date | None = None


class SpareCreate(Input, kw_only=True):
    side: Literal["left", "right"]
    count: Annotated[int, msgspec.Meta(ge=1, le=50)]
    from_distance: Distance
    to_distance: Distance


class PlateEvent(Input, kw_only=True):
    reason: Annotated[str, msgspec.Meta(max_length=1000)] = ""


class PlateRead(Output, kw_only=True):
    id: UUID
    version: int
    address: str
    road_id: UUID
    label: str
    via: str
    certificate: str
    assigned_on: date
    application_due_on: date | None
    sign_due_on: date
    sign_installed_on: date | None
    retired_on: date | None
    dwellings: list[str]


class AddressRow(Output, kw_only=True):
    plate_id: str
    address: str
    valid_from: date
    valid_to: date | None


class AddressChange(Output, kw_only=True):
    position: int
    recorded_at: datetime
    operation: str
    plate_id: str
    address: str


class FeedPage(Output, kw_only=True):
    changes: list[AddressChange]
    next_after: int | None


class FeedHead(Output, kw_only=True):
    position: int


class Snapshot(Output, kw_only=True):
    position: int
    addresses: dict[str, str]
    next_after: str | None


class AddressPage(Output, kw_only=True):
    items: list[AddressRow]
    next_after: str | None


class SignDue(Output, kw_only=True):
    plate_id: str
    road_name: str
    label: str
    sign_due_on: date
    overdue: bool


class SignDuePage(Output, kw_only=True):
    items: list[SignDue]
    next_after: str | None


class DwellingCreate(Input, kw_only=True):
    building: Annotated[str, msgspec.Meta(max_length=10, pattern=r"^[0-9A-Za-z\-]*$")] = ""
    unit: Annotated[str, msgspec.Meta(max_length=10, pattern=r"^[0-9A-Za-z\-]*$")] = ""
    room: Annotated[str, msgspec.Meta(min_length=1, max_length=10, pattern=r"^[0-9A-Za-z\-]+$")]


class AnnouncementDue(Output, kw_only=True):
    place_id: str
    name: str
    kind: str
    approving_authority: str
    approved_on: date
    announcement_due_on: date | None  # null: approved before the registry tracked announcements
    announced_on: date | None
    announcement_overdue: bool
    filing_to: str
    filing_due_on: date | None
    filed_on: date | None
    filing_overdue: bool


class AnnouncementDuePage(Output, kw_only=True):
    items: list[AnnouncementDue]
    next_after: str | None
