"""Place names, door plates, the address register and its change feed."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Response, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, Parameter

from api.auth import allow
from api.context import AnyRequest, act_of, answer, expected_version, request_fingerprint
from api.limits import PLACE_NAME_STEP_BODY_MAX
from api.pages import PAGE_SIZE, After, Limit
from api.schemas.places import (
    AddressChange,
    AddressPage,
    AddressRow,
    AnnouncementDue,
    AnnouncementDuePage,
    DwellingCreate,
    FeedHead,
    FeedPage,
    PlaceNameCreate,
    PlaceNameRead,
    PlaceNameRename,
    PlaceNameStep,
    PlateCreate,
    PlateEvent,
    PlateRead,
    SignDue,
    SignDuePage,
    Snapshot,
    SpareCreate,
)
from api.views import views_of
from projections.addresses.queries import (
    AddressSearch,
    address_versions,
    changes_after,
    feed_head,
    signs_due,
    snapshot_page,
)
from projections.worklists.queries import name_duties
from registry.common.actors import Role
from registry.common.application import CommandResult
from registry.common.clock import Clock, local_date
from registry.common.errors import NotFound
from registry.places.names import PlaceName
from registry.places.plates import DoorPlate
from registry.places.policy import NamingPolicy
from registry.system import Registry

STEPS = {"review": "review", "opinion": "opinion", "refusal": "refuse", "notice": "notice", "approval": "approve",
         "announcement": "announce", "filing": "file", "use": "use"}  # fmt: skip
READERS = (Role.PLACE_NAME_OFFICER, Role.CLERK, Role.SUPERVISOR, Role.AUDITOR, Role.CONSTRUCTION)


def place_read(place: PlaceName, policy: NamingPolicy) -> PlaceNameRead:
    return PlaceNameRead(
        id=place.id, version=place.version, name=place.name, kind=place.kind, scope=place.scope, area=place.area,
        specific=place.specific, state=place.state, former_names=list(place.former_names),
        banned_entries=dict(place.banned), no_link_reasons=dict(place.no_link_reasons),
        homophones_when_proposed=list(place.homophones_when_proposed),
        approving_authority=policy.authority_for(place.kind), consulted=policy.consulted_for(place.kind),
        opinions=dict(place.opinions), notice_last_day=place.notice_last_day, approved_on=place.approved_on,
        announcement_due_on=place.announcement_due_on, announced_on=place.announced_on,
        filing_due_on=place.filing_due_on, filing_to=place.filing_to, filed_on=place.filed_on,
    )  # fmt: skip


def plate_read(plate: DoorPlate) -> PlateRead:
    return PlateRead(
        id=plate.id, version=plate.version, address=plate.address(), road_id=plate.road_id, label=plate.label,
        via=plate.via, certificate=plate.certificate, assigned_on=plate.assigned_on,
        application_due_on=plate.application_due_on, sign_due_on=plate.sign_due_on,
        sign_installed_on=plate.sign_installed_on, retired_on=plate.retired_on, dwellings=plate.dwelling_addresses(),
    )  # fmt: skip


def place_answer(registry: Registry, result: CommandResult, status: int = 200) -> Response[Any]:
    place = registry.places.subject_of(result, PlaceName)
    location = f"/v1/place-names/{place.id}" if status == 201 else None
    body = place_read(place, registry.places.policy)
    return answer(body, version=place.version, result=result, status=status, location=location)


def plate_answer(registry: Registry, result: CommandResult, status: int = 200) -> Response[Any]:
    plate = registry.places.subject_of(result, DoorPlate)
    location = f"/v1/door-plates/{plate.id}" if status == 201 else None
    return answer(plate_read(plate), version=plate.version, result=result, status=status, location=location)


class PlaceNameController(Controller):
    path = "/v1/place-names"
    tags = ("places",)

    @post("/", guards=[allow(Role.PLACE_NAME_OFFICER)], sync_to_thread=True, status_code=201)
    def propose(
        self, request: AnyRequest, data: JSONBody[PlaceNameCreate], registry: NamedDependency[Registry],
        clock: NamedDependency[Clock],
    ) -> Response[PlaceNameRead]:  # fmt: skip
        """Propose a name: refused if it hides characters or duplicates a name of its kind in its scope; a homophone
        or a banned entry is recorded, for the authority's and the reviewer's recorded reasons."""
        result = registry.places.propose(
            act_of(request, clock), name=data.name, kind=data.kind, origin_and_meaning=data.origin_and_meaning,
            planning_reference=data.planning_reference, planning_permit_issued=data.planning_permit_issued,
            area=data.area, built_and_unnamed=data.built_and_unnamed, request=request_fingerprint(request, data),
        )  # fmt: skip
        return place_answer(registry, result, status=201)

    @get("/{place_id:uuid}", guards=[allow(*READERS)], sync_to_thread=True)
    def read(self, place_id: FromPath[UUID], registry: NamedDependency[Registry]) -> Response[PlaceNameRead]:
        """A name with its state and former names."""
        place = registry.places.place(place_id)
        return answer(place_read(place, registry.places.policy), version=place.version)

    @post(
        "/{place_id:uuid}/{step:str}", guards=[allow(Role.PLACE_NAME_OFFICER)], sync_to_thread=True, status_code=200,
        request_max_body_size=PLACE_NAME_STEP_BODY_MAX,
    )  # fmt: skip
    def advance(
        self, request: AnyRequest, place_id: FromPath[UUID], step: FromPath[str], data: JSONBody[PlaceNameStep],
        registry: NamedDependency[Registry], clock: NamedDependency[Clock],
    ) -> Response[PlaceNameRead]:  # fmt: skip
        """review, opinion (the body the authority consults), refusal, notice (starts today), approval (by the
        kind's authority), announcement, filing, use."""
        if step not in STEPS:
            raise NotFound(detail=f"steps: {', '.join(STEPS)}")
        result = registry.places.advance(
            act_of(request, clock), place_id, step=STEPS[step], note=data.note, rule=data.rule,
            no_link_reasons=dict(data.no_link_reasons), homophone_reason=data.homophone_reason,
            expected_version=expected_version(request), request=request_fingerprint(request, data),
        )  # fmt: skip
        return place_answer(registry, result)

    @post("/{place_id:uuid}/renaming", guards=[allow(Role.PLACE_NAME_OFFICER)], sync_to_thread=True, status_code=200)
    def rename(
        self, request: AnyRequest, place_id: FromPath[UUID], data: JSONBody[PlaceNameRename],
        registry: NamedDependency[Registry], clock: NamedDependency[Clock],
    ) -> Response[PlaceNameRead]:  # fmt: skip
        """Rename (the old name stays in the history); a road's plates are re-addressed at once."""
        result = registry.places.rename(
            act_of(request, clock),
            place_id,
            name=data.name,
            reason=data.reason,
            homophone_reason=data.homophone_reason,
            expected_version=expected_version(request),
            request=request_fingerprint(request, data),
        )
        return place_answer(registry, result)


class DoorPlateController(Controller):
    path = "/v1"
    tags = ("places",)

    @post("/door-plates", guards=[allow(Role.PLACE_NAME_OFFICER)], sync_to_thread=True, status_code=201)
    def apply(
        self, request: AnyRequest, data: JSONBody[PlateCreate], registry: NamedDependency[Registry],
        clock: NamedDependency[Clock],
    ) -> Response[PlateRead]:  # fmt: skip
        """Assign a plate on application (applied_on: due within 10 working days)."""
        return self._assign(request, data, registry, clock)

    @post("/building-completions", guards=[allow(Role.CONSTRUCTION)], sync_to_thread=True, status_code=201)
    def completion(
        self, request: AnyRequest, data: JSONBody[PlateCreate], registry: NamedDependency[Registry],
        clock: NamedDependency[Clock],
    ) -> Response[PlateRead]:  # fmt: skip
        """A completed building gets its plate with no application at all (zero trips)."""
        return self._assign(request, data, registry, clock, zero_trip=True)

    def _assign(
        self, request: AnyRequest, data: PlateCreate, registry: Registry, clock: Clock, *, zero_trip: bool = False
    ) -> Response[Any]:
        result = registry.places.assign_plate(
            act_of(request, clock), road_id=data.road_id, side=data.side, distance=data.distance,
            building_ref=data.building_ref, town=data.town, estate=data.estate,
            applied_on=None if zero_trip else data.applied_on, request=request_fingerprint(request, data),
        )  # fmt: skip
        return plate_answer(registry, result, status=201)

    @get("/door-plates/{plate_id:uuid}", guards=[allow(*READERS)], sync_to_thread=True)
    def read(self, plate_id: FromPath[UUID], registry: NamedDependency[Registry]) -> Response[PlateRead]:
        plate = registry.places.plate(plate_id)
        return answer(plate_read(plate), version=plate.version)

    @post("/door-plates/{plate_id:uuid}/sign-installation", guards=[allow(Role.PLACE_NAME_OFFICER)],
          sync_to_thread=True, status_code=200)  # fmt: skip
    def sign(
        self, request: AnyRequest, plate_id: FromPath[UUID], registry: NamedDependency[Registry],
        clock: NamedDependency[Clock],
    ) -> Response[PlateRead]:  # fmt: skip
        """The physical sign is up (due within 60 days of assignment)."""
        result = registry.places.plate_event(
            act_of(request, clock), plate_id, what="sign", expected_version=expected_version(request),
            request=request_fingerprint(request),
        )  # fmt: skip
        return plate_answer(registry, result)

    @post("/door-plates/{plate_id:uuid}/dwellings", guards=[allow(Role.PLACE_NAME_OFFICER)], sync_to_thread=True,
          status_code=200)  # fmt: skip
    def dwelling(
        self, request: AnyRequest, plate_id: FromPath[UUID], data: JSONBody[DwellingCreate],
        registry: NamedDependency[Registry], clock: NamedDependency[Clock],
    ) -> Response[PlateRead]:  # fmt: skip
        """Add a building, unit and room under the plate; its standard address is composed from standard names."""
        result = registry.places.add_dwelling(
            act_of(request, clock), plate_id, building=data.building, unit=data.unit, room=data.room,
            expected_version=expected_version(request), request=request_fingerprint(request, data),
        )  # fmt: skip
        return plate_answer(registry, result)

    @post("/door-plates/{plate_id:uuid}/demolition", guards=[allow(Role.PLACE_NAME_OFFICER, Role.CONSTRUCTION)],
          sync_to_thread=True, status_code=200)  # fmt: skip
    def demolition(
        self, request: AnyRequest, plate_id: FromPath[UUID], data: JSONBody[PlateEvent],
        registry: NamedDependency[Registry], clock: NamedDependency[Clock],
    ) -> Response[PlateRead]:  # fmt: skip
        """The building was demolished: its plate is retired (its number is not reused)."""
        result = registry.places.plate_event(
            act_of(request, clock), plate_id, what="demolition", reason=data.reason,
            expected_version=expected_version(request), request=request_fingerprint(request, data),
        )  # fmt: skip
        return plate_answer(registry, result)

    @post("/roads/{road_id:uuid}/spare-numbers", guards=[allow(Role.PLACE_NAME_OFFICER)], sync_to_thread=True,
          status_code=200)  # fmt: skip
    def spares(
        self, request: AnyRequest, road_id: FromPath[UUID], data: JSONBody[SpareCreate],
        registry: NamedDependency[Registry], clock: NamedDependency[Clock],
    ) -> Response[PlaceNameRead]:  # fmt: skip
        """Reserve spare numbers where buildings may come (If-Match: the road's ETag; the answer is the road)."""
        result = registry.places.reserve_spares(
            act_of(request, clock), road_id=road_id, side=data.side, count=data.count,
            from_distance=data.from_distance, to_distance=data.to_distance,
            expected_version=expected_version(request), request=request_fingerprint(request, data),
        )  # fmt: skip
        place = registry.places.place(road_id)
        return answer(place_read(place, registry.places.policy), version=place.version, result=result)


class AddressController(Controller):
    path = "/v1"
    tags = ("places",)
    dependencies = {"view_position": views_of("places")}  # noqa: RUF012 (Litestar declares them as a dict)

    @get("/addresses", guards=[allow(*READERS, Role.UTILITY, Role.CITIZEN)], sync_to_thread=True)
    def search(
        self,
        state: State,
        clock: NamedDependency[Clock],
        view_position: NamedDependency[int],
        road: Annotated[str | None, Parameter(max_length=40)] = None,
        number: Annotated[str | None, Parameter(max_length=12)] = None,
        estate: Annotated[str | None, Parameter(max_length=40)] = None,
        valid_on: FromQuery[date | None] = None,
        known_on: FromQuery[datetime | None] = None,
        limit: Limit = PAGE_SIZE,
        after: After = None,
    ) -> AddressPage:
        """Addresses now, "valid on" a date, or "as the register knew them" at a time (then valid at that time)."""
        search = AddressSearch(road=road, number=number, estate=estate, valid_on=valid_on, known_on=known_on)
        found, next_after = address_versions(
            state.read_side.reads, local_date(clock.now()), search, limit=limit, after=after
        )
        return AddressPage(items=msgspec.convert(found, list[AddressRow], from_attributes=True), next_after=next_after)

    @get("/address-feed/head", guards=[allow(Role.UTILITY, Role.AUDITOR)], sync_to_thread=True)
    def head(self, state: State, view_position: NamedDependency[int]) -> FeedHead:
        """The latest position of the change feed."""
        return FeedHead(position=feed_head(state.read_side.reads))

    @get("/address-feed", guards=[allow(Role.UTILITY, Role.AUDITOR)], sync_to_thread=True)
    def changes(
        self,
        state: State,
        after: Annotated[int, Parameter(ge=0)] = 0,
        limit: Limit = PAGE_SIZE,
    ) -> FeedPage:
        """The changes after a position, in order: position, time, operation and the full address."""
        changes, next_after = changes_after(state.read_side.reads, after, limit=limit)
        return FeedPage(
            changes=msgspec.convert(changes, list[AddressChange], from_attributes=True), next_after=next_after
        )

    @get("/address-feed/snapshot", guards=[allow(Role.UTILITY, Role.AUDITOR)], sync_to_thread=True)
    def snapshot(
        self, state: State, at: Annotated[int, Parameter(ge=0)], limit: Limit = PAGE_SIZE, after: After = None
    ) -> Snapshot:
        """Every address in force as of a position, a page of plates at a time: a copy to start from, then follow
        the feed after it."""
        page = snapshot_page(state.read_side.reads, at, limit=limit, after=after)
        return Snapshot(position=at, addresses=page.addresses, next_after=page.next_after)


class PlateSignWorklistController(Controller):
    path = "/v1/worklists/plate-signs"
    tags = ("places",)
    dependencies = {"view_position": views_of("places")}  # noqa: RUF012 (Litestar declares them as a dict)

    @get("/", guards=[allow(Role.PLACE_NAME_OFFICER, Role.SUPERVISOR)], sync_to_thread=True)
    def worklist(
        self,
        state: State,
        clock: NamedDependency[Clock],
        view_position: NamedDependency[int],
        overdue_only: FromQuery[bool] = False,
        limit: Limit = PAGE_SIZE,
        after: After = None,
    ) -> SignDuePage:
        """Plates whose physical sign is not yet up, earliest due first (due within 60 days of assignment)."""
        due, next_after = signs_due(
            state.read_side.reads, local_date(clock.now()), overdue_only=overdue_only, limit=limit, after=after
        )
        return SignDuePage(items=msgspec.convert(due, list[SignDue], from_attributes=True), next_after=next_after)


class NameAnnouncementWorklistController(Controller):
    path = "/v1/worklists/name-announcements"
    tags = ("places",)
    dependencies = {"view_position": views_of("places")}  # noqa: RUF012 (Litestar declares them as a dict)

    @get("/", guards=[allow(Role.PLACE_NAME_OFFICER, Role.SUPERVISOR, Role.AUDITOR)], sync_to_thread=True)
    def worklist(
        self,
        state: State,
        clock: NamedDependency[Clock],
        view_position: NamedDependency[int],
        overdue_only: FromQuery[bool] = False,
        limit: Limit = PAGE_SIZE,
        after: After = None,
    ) -> AnnouncementDuePage:
        """Approved names not yet announced (due within 15 days of approval, art. 14) or not yet filed (art. 13),
        earliest due first; late ones flagged."""
        duties, next_after = name_duties(
            state.read_side.reads, local_date(clock.now()), overdue_only=overdue_only, limit=limit, after=after
        )
        items = msgspec.convert(duties, list[AnnouncementDue], from_attributes=True)
        return AnnouncementDuePage(items=items, next_after=next_after)
