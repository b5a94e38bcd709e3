"""Bodies of the place-name, door-plate and address APIs."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from api.schemas.common import Input, Output, Reason, ShortText

NameText = Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
Kind = Literal[
    "road", "estate", "building", "bridge", "square-park", "village-community", "natural-feature", "township"
]
Distance = Annotated[float, msgspec.Meta(ge=0, le=100_000, description="metres from the road's start")]


class PlaceNameCreate(Input, kw_only=True):
    name: NameText
    kind: Kind
    origin_and_meaning: Reason
    planning_reference: Annotated[str, msgspec.Meta(max_length=100)] = ""
    planning_permit_issued: bool = False


class PlaceNameStep(Input, kw_only=True):
    note: Annotated[str, msgspec.Meta(max_length=1000)] = ""
    rule: Literal["personal-name", "reviewer"] = "reviewer"


class PlaceNameRename(Input, kw_only=True):
    name: NameText
    reason: Reason


class PlaceNameRead(Output, kw_only=True):
    id: UUID
    version: int
    name: str
    kind: str
    scope: str
    state: str
    former_names: list[str]
    notice_last_day: date | None
    filing_due_on: date | None


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


class SignDue(Output, kw_only=True):
    plate_id: str
    road_name: str
    label: str
    sign_due_on: date
    overdue: bool


class DwellingCreate(Input, kw_only=True):
    building: Annotated[str, msgspec.Meta(max_length=10, pattern=r"^[0-9A-Za-z\-]*$")] = ""
    unit: Annotated[str, msgspec.Meta(max_length=10, pattern=r"^[0-9A-Za-z\-]*$")] = ""
    room: Annotated[str, msgspec.Meta(min_length=1, max_length=10, pattern=r"^[0-9A-Za-z\-]+$")]
