"""PlaceNames: naming places through their lifecycle, and numbering door plates along approved roads."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.domain import BaseAggregate
from eventsourcing.utils import EnvType
from pypinyin import Style, lazy_pinyin

from registry.common.actors import Act
from registry.common.application import CommandResult, RegistryApplication
from registry.common.clock import local_date
from registry.common.errors import Failure, NotEligible, WrongState
from registry.common.workdays import WorkingCalendar
from registry.places.names import APPROVED, FILED, IN_USE, NameIndex, PlaceName, check_sound
from registry.places.plates import BuildingPlate, DoorPlate, RoadNumbering, Slot

PLATE_APPLICATION_WORKING_DAYS = 10
# Configurable (REGISTRY_BANNED_PLACE_NAMES="entry=rule,..."); these are examples of each rule.
DEFAULT_BANNED = (
    "万达=company-or-trademark-name,碧桂园=company-or-trademark-name,"
    "曼哈顿=foreign-place-name,威尼斯=foreign-place-name,维也纳=foreign-place-name"
)


def sound_of(name: str) -> str:
    """Toneless pinyin: two names that sound the same have the same sound."""
    return " ".join(lazy_pinyin(name.strip(), style=Style.NORMAL, errors="default")).lower()


def parse_banned(text: str) -> dict[str, str]:
    return dict(part.split("=", 1) for part in text.split(",") if "=" in part)


class PlaceNames(RegistryApplication):
    name = "places"
    value_types: ClassVar[dict[str, type[Any]]] = {**RegistryApplication.value_types, "plate_slot": Slot}

    def __init__(self, env: EnvType | None = None, *, calendar: WorkingCalendar, banned: dict[str, str]) -> None:
        super().__init__(env)
        self.calendar = calendar
        self.banned = banned

    def place(self, place_id: UUID) -> PlaceName:
        return self.load(place_id, PlaceName)

    def plate(self, plate_id: UUID) -> DoorPlate:
        return self.load(plate_id, DoorPlate)

    # -- names ------------------------------------------------------------------------------------------------

    def propose(
        self, act: Act, *, name: str, kind: str, origin_and_meaning: str, planning_reference: str = "",
        planning_permit_issued: bool = False, request: str = "",
    ) -> CommandResult:  # fmt: skip
        """A name is reserved from its proposal: no other name may sound like it in its scope meanwhile."""
        sound = sound_of(name)
        check_sound(sound)

        def decide() -> Sequence[BaseAggregate[UUID]]:
            place = PlaceName.propose(
                act, name=name.strip(), sound=sound, kind=kind, origin_and_meaning=origin_and_meaning,
                planning_reference=planning_reference, planning_permit_issued=planning_permit_issued,
                banned=self.banned,
            )  # fmt: skip
            index = self._index(act, place.scope, sound)
            index.hold(act, place.id, place.name)
            return [place, index]

        return self.execute(act, decide, request_fingerprint=request)

    def advance(
        self, act: Act, place_id: UUID, *, step: str, note: str = "", rule: str = "reviewer", on: date | None = None,
        request: str = "",
    ) -> CommandResult:  # fmt: skip
        """review (note: the experts' opinion), refuse (rule and note; frees the name), notice, approve, file, use."""
        day = on or local_date(act.at)

        def decide() -> Sequence[BaseAggregate[UUID]]:
            place = self.place(place_id)
            changed: list[BaseAggregate[UUID]] = [place]
            if step == "review":
                place.review(act, opinion=note)
            elif step == "refuse":
                place.refuse(act, rule=rule, reason=note)
                changed.append(self._released(act, place))
            elif step == "notice":
                place.publish_notice(act, starts_on=day)
            elif step == "approve":
                place.approve(act, on=day)
            elif step == "file":
                place.file_above(act, on=day)
            else:
                place.put_in_use(act, on=day)
            return changed

        return self.execute(act, decide, request_fingerprint=request)

    def rename(self, act: Act, place_id: UUID, *, name: str, reason: str, request: str = "") -> CommandResult:
        """The old name stays in the history; every plate on a renamed road is re-addressed with a new certificate."""
        sound = sound_of(name)
        check_sound(sound)
        day = local_date(act.at)

        def decide() -> Sequence[BaseAggregate[UUID]]:
            place = self.place(place_id)
            released = self._released(act, place)
            held = self._index(act, place.scope, sound) if sound != place.sound else released
            place.rename(act, name=name.strip(), sound=sound, on=day, reason=reason)
            held.hold(act, place.id, place.name)
            plates = self._plates_on(place.id)
            for plate in plates:
                plate.readdress(
                    act, road_name=place.name, on=day, certificate=self._certificate(plate.id, place.version)
                )
            return [place, released, *([held] if held is not released else []), *plates]

        return self.execute(act, decide, request_fingerprint=request)

    def retire_name(self, act: Act, place_id: UUID, *, reason: str, request: str = "") -> CommandResult:
        def decide() -> Sequence[BaseAggregate[UUID]]:
            place = self.place(place_id)
            place.retire(act, on=local_date(act.at), reason=reason)
            return [place, self._released(act, place)]

        return self.execute(act, decide, request_fingerprint=request)

    # -- door plates ------------------------------------------------------------------------------------------

    def assign_plate(
        self, act: Act, *, road_id: UUID, side: str, distance: float, building_ref: str, town: str, estate: str = "",
        applied_on: date | None = None, request: str = "",
    ) -> CommandResult:  # fmt: skip
        """On application (to be done within 10 working days) or, with no application, on the building's completion."""
        today = local_date(act.at)

        def decide() -> Sequence[BaseAggregate[UUID]]:
            road = self.place(road_id)
            if road.kind != "road" or road.state not in (APPROVED, FILED, IN_USE):
                raise WrongState([Failure("road-not-approved", "plates are numbered along an approved road")])
            if self.find(BuildingPlate.id_for(building_ref), BuildingPlate) is not None:
                raise NotEligible([Failure("building-has-a-plate", "this building already has its plate")])
            numbering = self.find(RoadNumbering.id_for(road.id), RoadNumbering) or RoadNumbering.start(act, road.id)
            plate_id = DoorPlate.new_id()
            slot = numbering.issue(act, side=side, distance=distance, plate_id=plate_id)
            due = self.calendar.add_working_days(applied_on, PLATE_APPLICATION_WORKING_DAYS) if applied_on else None
            plate: DoorPlate = DoorPlate._create_from(
                DoorPlate.Assigned, act, id=plate_id, road_id=road.id, road_name=road.name, label=slot.label,
                building_ref=building_ref, estate=estate, town=town, via="application" if applied_on else "zero-trip",
                assigned_on=today, applied_on=applied_on, application_due_on=due,
                certificate=self._certificate(plate_id, 1),
            )  # fmt: skip
            return [plate, numbering, BuildingPlate.claim(act, building_ref, plate_id)]

        return self.execute(act, decide, request_fingerprint=request)

    def reserve_spares(
        self,
        act: Act,
        *,
        road_id: UUID,
        side: str,
        count: int,
        from_distance: float,
        to_distance: float,
        request: str = "",
    ) -> CommandResult:
        def decide() -> Sequence[BaseAggregate[UUID]]:
            road = self.place(road_id)
            numbering = self.find(RoadNumbering.id_for(road.id), RoadNumbering) or RoadNumbering.start(act, road.id)
            numbering.reserve(act, side=side, count=count, from_distance=from_distance, to_distance=to_distance)
            return [numbering]

        return self.execute(act, decide, request_fingerprint=request)

    def add_dwelling(
        self, act: Act, plate_id: UUID, *, building: str, unit: str, room: str, request: str = ""
    ) -> CommandResult:
        def decide() -> Sequence[BaseAggregate[UUID]]:
            plate = self.plate(plate_id)
            plate.add_dwelling(act, building=building, unit=unit, room=room)
            return [plate]

        return self.execute(act, decide, request_fingerprint=request)

    def plate_event(self, act: Act, plate_id: UUID, *, what: str, reason: str = "", request: str = "") -> CommandResult:
        """sign (installed today) or demolition (the plate is retired)."""

        def decide() -> Sequence[BaseAggregate[UUID]]:
            plate = self.plate(plate_id)
            if what == "sign":
                plate.install_sign(act, on=local_date(act.at))
            else:
                plate.retire(act, on=local_date(act.at), reason=reason)
            return [plate]

        return self.execute(act, decide, request_fingerprint=request)

    # -- helpers ----------------------------------------------------------------------------------------------

    def _index(self, act: Act, scope: str, sound: str) -> NameIndex:
        return self.find(NameIndex.id_for(scope, sound), NameIndex) or NameIndex.open(act, scope, sound)

    def _released(self, act: Act, place: PlaceName) -> NameIndex:
        index = self._index(act, place.scope, place.sound)
        if index.holder == place.id:
            index.release(act)
        return index

    def _plates_on(self, road_id: UUID) -> list[DoorPlate]:
        numbering = self.find(RoadNumbering.id_for(road_id), RoadNumbering)
        slots = numbering.slots if numbering else []
        plates = [self.plate(s.plate_id) for s in slots if s.plate_id is not None]
        return [p for p in plates if p.retired_on is None]

    @staticmethod
    def _certificate(plate_id: UUID, edition: int) -> str:
        return f"MP330782-{plate_id.hex[:10].upper()}-{edition}"
