"""PlaceNames: naming places through their lifecycle, and numbering door plates along approved roads."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from functools import partial
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.domain import BaseAggregate
from eventsourcing.utils import EnvType

from registry.common.actors import Act
from registry.common.application import CommandResult, RegistryApplication, check_version
from registry.common.clock import local_date
from registry.common.errors import Failure, InvalidInput, NotEligible, WrongState
from registry.common.workdays import WorkingCalendar
from registry.places.name_index import NameIndex, SpecificNameIndex
from registry.places.names import APPROVED, FILED, IN_USE, PlaceName
from registry.places.plates import BuildingPlate, DoorPlate, RoadNumbering, Slot
from registry.places.policy import NamingPolicy
from registry.places.spelling import comparable, sound_of, written

PLATE_APPLICATION_WORKING_DAYS = 10  # local choice, fixed in code: the city's service standard (docs/domain.md P13)
STEPS = ("review", "opinion", "refuse", "notice", "approve", "announce", "file", "use")
Changed = Sequence[BaseAggregate[UUID]]  # what a step changed besides the name itself (indexes freed by a refusal)
Change = Callable[[PlaceName], Changed]
__all__ = ["STEPS", "NameIndex", "PlaceNames"]  # NameIndex: imported so that its stored events stay readable


class PlaceNames(RegistryApplication):
    name = "places"
    value_types: ClassVar[dict[str, type[Any]]] = {**RegistryApplication.value_types, "plate_slot": Slot}

    def __init__(
        self, env: EnvType | None = None, *, calendar: WorkingCalendar, policy: NamingPolicy | None = None
    ) -> None:
        super().__init__(env)
        self.calendar = calendar
        self.policy = policy or NamingPolicy.configured()

    def place(self, place_id: UUID) -> PlaceName:
        return self.load(place_id, PlaceName)

    def plate(self, plate_id: UUID) -> DoorPlate:
        return self.load(plate_id, DoorPlate)

    # -- names ------------------------------------------------------------------------------------------------

    def propose(
        self, act: Act, *, name: str, kind: str, origin_and_meaning: str, planning_reference: str = "",
        planning_permit_issued: bool = False, area: str | None = None, built_and_unnamed: bool = False,
        request: str = "",
    ) -> CommandResult:  # fmt: skip
        """A name is held from its proposal: a duplicate in its scope and kind is refused; a homophone and a banned
        entry are recorded, for the authority's and the reviewer's recorded reasons."""
        spelled = written(name)
        if kind not in self.policy.authorities:
            raise InvalidInput([Failure("place-kind-unknown", f"kinds: {', '.join(self.policy.authorities)}")])
        where = self.policy.area_for(kind, area)
        specific, _ = self.policy.split(kind, spelled.compared)
        keys = self.policy.index_keys(kind, where, sound_of(specific))

        def decide() -> Sequence[BaseAggregate[UUID]]:
            indexes = [self._index(act, key) for key in keys]
            place_id = PlaceName.new_id()
            homophones = self._check_and_hear(indexes, place_id, specific)
            place = PlaceName.propose(
                act, name=spelled.text, sound=sound_of(spelled.compared), kind=kind, area=where, specific=specific,
                index_keys=keys, origin_and_meaning=origin_and_meaning, planning_reference=planning_reference,
                planning_permit_issued=planning_permit_issued, built_and_unnamed=built_and_unnamed,
                banned=self.policy.banned_in(spelled.compared), homophones=homophones, id=place_id,
            )  # fmt: skip
            for index in indexes:
                index.hold(act, place.id, place.name, specific)
            return [place, *indexes]

        return self.execute(act, decide, request_fingerprint=request)

    def advance(
        self, act: Act, place_id: UUID, *, step: str, note: str = "", rule: str = "reviewer", on: date | None = None,
        no_link_reasons: dict[str, str] | None = None, homophone_reason: str = "", expected_version: int | None = None,
        request: str = "",
    ) -> CommandResult:  # fmt: skip
        """The use case a step names, for callers that receive the step as text (the API's URL, the console's form);
        `note` is that step's text (the experts' or consulted body's opinion, the refusal's reason, where announced)."""
        if step not in STEPS:
            raise InvalidInput([Failure("place-name-step-unknown", f"steps: {', '.join(STEPS)}")])
        day = on or local_date(act.at)
        change: dict[str, Change] = {
            "review": partial(self._review, act, opinion=note, no_link_reasons=no_link_reasons or {}),
            "opinion": partial(self._record_opinion, act, opinion=note),
            "refuse": partial(self._refuse, act, rule=rule, reason=note),
            "notice": partial(self._publish_notice, act, starts_on=day),
            "approve": partial(self._approve, act, on=day, homophone_reason=homophone_reason),
            "announce": partial(self._announce, act, on=day, channel=note),
            "file": partial(self._file, act, on=day),
            "use": partial(self._put_in_use, act, on=day),
        }
        return self._change_place(act, place_id, change[step], expected_version, request)

    def _change_place(
        self, act: Act, place_id: UUID, change: Change, expected_version: int | None, request: str
    ) -> CommandResult:
        def decide() -> Sequence[BaseAggregate[UUID]]:
            place = self.place(place_id)
            check_version(place, expected_version)
            return [place, *change(place)]

        return self.execute(act, decide, request_fingerprint=request)

    def _review(self, act: Act, place: PlaceName, *, opinion: str, no_link_reasons: dict[str, str]) -> Changed:
        """The experts' review (no_link_reasons: why the name is not linked to each banned entry it resembles)."""
        place.review(act, opinion=opinion, no_link_reasons=no_link_reasons)
        return []

    def _record_opinion(self, act: Act, place: PlaceName, *, opinion: str) -> Changed:
        """The opinion of the body the authority consults for the name's kind."""
        place.give_opinion(act, opinion=opinion, consulted=self.policy.consulted_for(place.kind))
        return []

    def _refuse(self, act: Act, place: PlaceName, *, rule: str, reason: str) -> Changed:
        """Refused under a rule, with the reason; the name is freed for others."""
        place.refuse(act, rule=rule, reason=reason)
        return self._released(act, place, place.index_keys)

    def _publish_notice(self, act: Act, place: PlaceName, *, starts_on: date) -> Changed:
        place.publish_notice(act, starts_on=starts_on, days=self.policy.consultation_days, calendar=self.calendar)
        return []

    def _approve(self, act: Act, place: PlaceName, *, on: date, homophone_reason: str) -> Changed:
        """By the kind's authority, after the notice (homophone_reason if it sounds like another name)."""
        place.approve(
            act, on=on, authority=self.policy.authority_for(place.kind),
            consulted=self.policy.consulted_for(place.kind), homophones=self._homophones_of(place),
            homophone_reason=homophone_reason, calendar=self.calendar,
        )  # fmt: skip
        return []

    def _announce(self, act: Act, place: PlaceName, *, on: date, channel: str) -> Changed:
        place.announce(act, on=on, channel=channel)
        return []

    def _file(self, act: Act, place: PlaceName, *, on: date) -> Changed:
        """Filed with the authority above."""
        place.file_above(act, on=on)
        return []

    def _put_in_use(self, act: Act, place: PlaceName, *, on: date) -> Changed:
        place.put_in_use(act, on=on)
        return []

    def rename(
        self, act: Act, place_id: UUID, *, name: str, reason: str, homophone_reason: str = "",
        expected_version: int | None = None, request: str = "",
    ) -> CommandResult:  # fmt: skip
        """By the authority for the kind; the old name stays in the history; every plate on a renamed road is
        re-addressed with a new certificate."""
        spelled = written(name)
        day = local_date(act.at)

        def decide() -> Sequence[BaseAggregate[UUID]]:
            place = self.place(place_id)
            check_version(place, expected_version)
            specific, _ = self.policy.split(place.kind, spelled.compared)
            keys = self.policy.index_keys(place.kind, place.area, sound_of(specific))
            released = self._released(act, place, [k for k in place.index_keys if k not in keys])
            indexes = [self._index(act, key) for key in keys]
            homophones = self._check_and_hear(indexes, place.id, specific)
            place.rename(
                act, name=spelled.text, sound=sound_of(spelled.compared), specific=specific, index_keys=keys, on=day,
                reason=reason, authority=self.policy.authority_for(place.kind), homophones=homophones,
                homophone_reason=homophone_reason,
            )  # fmt: skip
            for index in indexes:
                index.hold(act, place.id, place.name, specific)
            plates = self._plates_on(place.id)
            for plate in plates:
                plate.readdress(
                    act, road_name=place.name, on=day, certificate=self._certificate(plate.id, place.version)
                )
            return [place, *released, *indexes, *plates]

        return self.execute(act, decide, request_fingerprint=request)

    def retire_name(self, act: Act, place_id: UUID, *, reason: str, request: str = "") -> CommandResult:
        def decide() -> Sequence[BaseAggregate[UUID]]:
            place = self.place(place_id)
            place.retire(act, on=local_date(act.at), reason=reason)
            return [place, *self._released(act, place, place.index_keys)]

        return self.execute(act, decide, request_fingerprint=request)

    def index_earlier_names(self, act: Act) -> int:
        """Names recorded before the specific-part index (or before a built-up area was added) enter it, each with
        an Indexed event; idempotent (`registry db migrate` runs it). Returns how many names were indexed."""
        seen: list[UUID] = []
        start = 1
        while batch := self.recorder.select_notifications(start, 500, topics=["places:PlaceName.Proposed"]):
            seen += [UUID(str(n.originator_id)) for n in batch]
            start = batch[-1].id + 1
        indexed = 0
        for place_id in dict.fromkeys(seen):
            place = self.place(place_id)
            if not place.holds_its_name:
                continue
            compared = comparable(place.name)
            specific, _ = self.policy.split(place.kind, compared)
            keys = self.policy.index_keys(place.kind, place.area, sound_of(specific))
            if place.specific == specific and set(keys) <= set(place.index_keys):
                continue
            self.execute(act, partial(self._index_earlier, act, place_id, specific, keys))
            indexed += 1
        return indexed

    # -- door plates ------------------------------------------------------------------------------------------

    def assign_plate(
        self, act: Act, *, road_id: UUID, side: str, distance: float, building_ref: str, town: str, estate: str = "",
        applied_on: date | None = None, request: str = "",
    ) -> CommandResult:  # fmt: skip
        """On application (to be done within 10 working days) or, with no application, on the building's completion.

        Plates numbered earlier the same day beyond this building move up the series (re-addressed with new
        certificates) so that numbers ascend with position whatever the order the buildings arrived in.
        """
        today = local_date(act.at)

        def decide() -> Sequence[BaseAggregate[UUID]]:
            road = self.place(road_id)
            if road.kind != "road" or road.state not in (APPROVED, FILED, IN_USE):
                raise WrongState([Failure("road-not-approved", "plates are numbered along an approved road")])
            if self.find(BuildingPlate.id_for(building_ref), BuildingPlate) is not None:
                raise NotEligible([Failure("building-has-a-plate", "this building already has its plate")])
            numbering = self.find(RoadNumbering.id_for(road.id), RoadNumbering) or RoadNumbering.start(act, road.id)
            todays = {plate_id: self.plate(plate_id) for plate_id in numbering.given_on(today)}
            final = {plate_id for plate_id, plate in todays.items() if plate.is_final}
            plate_id = DoorPlate.new_id()
            slot, moved = numbering.issue(act, side=side, distance=distance, plate_id=plate_id, final=final)
            due = self.calendar.add_working_days(applied_on, PLATE_APPLICATION_WORKING_DAYS) if applied_on else None
            plate: DoorPlate = DoorPlate._create_from(
                DoorPlate.Assigned, act, id=plate_id, road_id=road.id, road_name=road.name, label=slot.label,
                building_ref=building_ref, estate=estate, town=town, via="application" if applied_on else "zero-trip",
                assigned_on=today, applied_on=applied_on, application_due_on=due,
                certificate=self._certificate(plate_id, 1),
            )  # fmt: skip
            renumbered = [todays[new.plate_id] for new in moved if new.plate_id is not None]
            for shifted, new in zip(renumbered, moved, strict=True):
                shifted.renumber(act, label=new.label, certificate=self._certificate(shifted.id, shifted.version + 1))
            return [plate, numbering, BuildingPlate.claim(act, building_ref, plate_id), *renumbered]

        return self.execute(act, decide, request_fingerprint=request)

    def reserve_spares(
        self, act: Act, *, road_id: UUID, side: str, count: int, from_distance: float, to_distance: float,
        expected_version: int | None = None, request: str = "",
    ) -> CommandResult:  # fmt: skip
        """Numbers kept along the road (expected_version: the road's, the record the caller read)."""

        def decide() -> Sequence[BaseAggregate[UUID]]:
            road = self.place(road_id)
            check_version(road, expected_version)
            numbering = self.find(RoadNumbering.id_for(road.id), RoadNumbering) or RoadNumbering.start(act, road.id)
            numbering.reserve(act, side=side, count=count, from_distance=from_distance, to_distance=to_distance)
            return [numbering]

        return self.execute(act, decide, request_fingerprint=request)

    def add_dwelling(
        self, act: Act, plate_id: UUID, *, building: str, unit: str, room: str, expected_version: int | None = None,
        request: str = "",
    ) -> CommandResult:  # fmt: skip
        def decide() -> Sequence[BaseAggregate[UUID]]:
            plate = self.plate(plate_id)
            check_version(plate, expected_version)
            plate.add_dwelling(act, building=building, unit=unit, room=room)
            return [plate]

        return self.execute(act, decide, request_fingerprint=request)

    def plate_event(
        self, act: Act, plate_id: UUID, *, what: str, reason: str = "", expected_version: int | None = None,
        request: str = "",
    ) -> CommandResult:  # fmt: skip
        """sign (installed today) or demolition (the plate is retired)."""

        def decide() -> Sequence[BaseAggregate[UUID]]:
            plate = self.plate(plate_id)
            check_version(plate, expected_version)
            if what == "sign":
                plate.install_sign(act, on=local_date(act.at))
            else:
                plate.retire(act, on=local_date(act.at), reason=reason)
            return [plate]

        return self.execute(act, decide, request_fingerprint=request)

    # -- helpers ----------------------------------------------------------------------------------------------

    def _index(self, act: Act, key: str) -> SpecificNameIndex:
        return self.find(SpecificNameIndex.id_for(key), SpecificNameIndex) or SpecificNameIndex.open(act, key)

    @staticmethod
    def _check_and_hear(indexes: list[SpecificNameIndex], place_id: UUID, specific: str) -> list[str]:
        """Refuse a duplicate (every holder named); return the homophones found."""
        duplicates = [failure for index in indexes for failure in index.duplicates(place_id, specific)]
        if duplicates:
            raise NotEligible(duplicates)
        return sorted({name for index in indexes for name in index.homophones(place_id, specific)})

    def _homophones_of(self, place: PlaceName) -> list[str]:
        """The names that sound like this one in its scope now (at approval: what the authority decides on)."""
        indexes = [self.find(SpecificNameIndex.id_for(key), SpecificNameIndex) for key in place.index_keys]
        return sorted({name for i in indexes if i is not None for name in i.homophones(place.id, place.specific)})

    def _released(self, act: Act, place: PlaceName, keys: list[str]) -> list[SpecificNameIndex]:
        released = []
        for key in keys:
            index = self.find(SpecificNameIndex.id_for(key), SpecificNameIndex)
            if index is not None and place.id in index.holders:
                index.release(act, place.id)
                released.append(index)
        return released

    def _index_earlier(self, act: Act, place_id: UUID, specific: str, keys: list[str]) -> list[BaseAggregate[UUID]]:
        place = self.place(place_id)
        indexes = [self._index(act, key) for key in keys]
        place.index(act, specific=specific, index_keys=keys)
        for index in indexes:
            index.hold(act, place.id, place.name, specific, recorded_earlier=True)
        return [place, *indexes]

    def _plates_on(self, road_id: UUID) -> list[DoorPlate]:
        numbering = self.find(RoadNumbering.id_for(road_id), RoadNumbering)
        slots = numbering.slots if numbering else []
        plates = [self.plate(s.plate_id) for s in slots if s.plate_id is not None]
        return [p for p in plates if p.retired_on is None]

    @staticmethod
    def _certificate(plate_id: UUID, edition: int) -> str:
        return f"MP330782-{plate_id.hex[:10].upper()}-{edition}"
