"""Door plates along a road: numbers by position, odd left and even right, spare numbers, infill sub-numbers."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from uuid import UUID, uuid4

from eventsourcing.domain import AggregateCreated

from registry.common.actors import Act
from registry.common.clock import local_date
from registry.common.errors import Failure, InvalidInput, NotEligible, WrongState
from registry.common.events import RegistryAggregate, RegistryEvent
from registry.common.ids import natural_id

LEFT, RIGHT = "left", "right"
SIGN_DAYS = 60  # local choice, fixed in code: the city's service standard in calendar days (not a statutory period)


@dataclass(frozen=True)
class Slot:
    """A number (and sub-number, 0 for none) at a distance from the road's start, on one side."""

    side: str
    number: int
    sub: int
    distance: float
    plate_id: UUID | None  # None: a spare number reserved for a building to come
    assigned_on: date | None = None  # the day the number was given (None: recorded before this was kept)

    @property
    def label(self) -> str:
        return f"{self.number}-{self.sub}" if self.sub else str(self.number)

    @property
    def order(self) -> tuple[int, int]:
        return self.number, self.sub


def compose_address(
    town: str, road_name: str, label: str, estate: str, *, building: str = "", unit: str = "", room: str = "",
    city: str = "义乌市",
) -> str:  # fmt: skip
    """The standard address from standard names: city, town, road, number[-sub], estate, building, unit, room."""
    parts = [f"{city}{town}{road_name}{label}号{estate}"]
    parts += [f"{value}{suffix}" for value, suffix in ((building, "幢"), (unit, "单元"), (room, "室")) if value]
    return "".join(parts)


def first_number(side: str, odd_on_left: bool = True) -> int:
    """1 or 2: odd numbers on the left seen from the road's start, the domain's default (fixed in code)."""
    return 1 if (side == LEFT) == odd_on_left else 2


class RoadNumbering(RegistryAggregate):
    """The numbers of one road; saved with every plate it issues, so two clerks never issue the same number.

    Numbers ascend with position from the road's start, none skipped or repeated. A number is final from the end of
    the day it was given (or once its sign is up, or its plate retired). Buildings numbered on the same day are
    numbered as if they had come together: one that arrives before today's later numbers takes its place in the
    series, and those later numbers move up (their plates re-addressed, with new certificates). Against final
    numbers a newcomer gets the next number past the last, a spare reserved near it, or a sub-number of the number
    before it (12-1), sub-numbers ascending with position.
    """

    TOPIC = "places:RoadNumbering"

    class Event(RegistryEvent):
        pass

    class Started(Event, AggregateCreated):
        TOPIC = "places:RoadNumbering.Started"
        road_id: UUID

    class NumberIssued(Event):
        TOPIC = "places:RoadNumbering.NumberIssued"
        slot: Slot

        def apply(self, road: RoadNumbering) -> None:
            road.place(self.slot)

    class Renumbered(Event):
        """Today's later numbers moved up so that the series ascends with position."""

        TOPIC = "places:RoadNumbering.Renumbered"
        slots: list[Slot]

        def apply(self, road: RoadNumbering) -> None:
            moved = {s.plate_id for s in self.slots}
            road.slots = [s for s in road.slots if s.plate_id is None or s.plate_id not in moved]
            for slot in self.slots:
                road.place(slot)

    class SpareReserved(Event):
        TOPIC = "places:RoadNumbering.SpareReserved"
        slots: list[Slot]

        def apply(self, road: RoadNumbering) -> None:
            road.slots.extend(self.slots)

    def __init__(self, road_id: UUID) -> None:
        self.road_id = road_id
        self.slots: list[Slot] = []

    @staticmethod
    def id_for(road_id: UUID) -> UUID:
        return natural_id("road-numbering", str(road_id))

    @classmethod
    def start(cls, act: Act, road_id: UUID) -> RoadNumbering:
        road: RoadNumbering = cls._create_from(cls.Started, act, id=cls.id_for(road_id), road_id=road_id)
        return road

    def place(self, slot: Slot) -> None:
        """Put a numbered slot in, taking the place of the spare with its number if there was one."""
        self.slots = [
            s for s in self.slots if not (s.plate_id is None and (s.side, s.order) == (slot.side, slot.order))
        ]
        self.slots.append(slot)

    def side(self, side: str) -> list[Slot]:
        return sorted((s for s in self.slots if s.side == side), key=lambda s: s.order)

    def given_on(self, day: date) -> list[UUID]:
        """The plates given a number on a day (the only ones whose number may still move)."""
        return [s.plate_id for s in self.slots if s.plate_id is not None and s.assigned_on == day]

    def next_slot(self, side: str, distance: float, *, just_after: bool = False) -> Slot:
        """The number for a building at `distance` given the numbers as they stand (or for one just after it):
        the next number past the last; or the nearest spare reserved between the numbered neighbours; or,
        between two numbered buildings, the next sub-number of the one before (12-1), if one fits."""
        if side not in (LEFT, RIGHT):
            raise InvalidInput([Failure("plate-side", "side is left or right, seen from the road's start")])
        slots = self.side(side)
        issued = [s for s in slots if s.plate_id is not None]
        if not just_after:
            self.check_position_free(side, distance)
        below = [s for s in issued if s.distance < distance or (just_after and s.distance == distance)]
        above = [s for s in issued if s.distance > distance]
        floor = max((s.number for s in below), default=0)
        ceiling = min((s.number for s in above), default=None)
        spares = [
            s for s in slots if s.plate_id is None and s.number > floor and (ceiling is None or s.number < ceiling)
        ]
        if ceiling is None and not any(s.distance >= distance for s in spares):
            last = max((s.number for s in slots), default=first_number(side) - 2)
            return Slot(side, last + 2, 0, distance, None)
        if spares:
            nearest = min(spares, key=lambda s: (abs(s.distance - distance), s.number))
            return Slot(side, nearest.number, 0, distance, None)
        if not below:
            raise NotEligible(
                [Failure("plate-before-first", "no number before the road's first; reserve spare numbers")]
            )
        before = max(below, key=lambda s: s.distance)
        after = min(above, key=lambda s: s.distance)
        if after.number == before.number and after.sub <= before.sub + 1:
            raise NotEligible(
                [
                    Failure(
                        "plate-no-number-between",
                        f"no sub-number ascends between {before.label} and {after.label}, both final: renumbering "
                        "final plates is not done by the registry",
                    )
                ]
            )
        return Slot(side, before.number, before.sub + 1, distance, None)

    def check_position_free(self, side: str, distance: float) -> None:
        if any(s.plate_id is not None and s.distance == distance for s in self.side(side)):
            raise NotEligible([Failure("plate-position-taken", "a building at that position already has a plate")])

    def issue(
        self, act: Act, *, side: str, distance: float, plate_id: UUID, final: set[UUID]
    ) -> tuple[Slot, list[Slot]]:
        """The new plate's slot, and today's later plates that move up for it (`final`: plates whose number can no
        longer move though given today: sign up, or retired)."""
        today = local_date(act.at)
        run = []  # today's movable plates just beyond the newcomer, up to the first final number or spare
        for slot in sorted((s for s in self.side(side) if s.distance > distance), key=lambda s: s.distance):
            movable = slot.plate_id is not None and slot.assigned_on == today and slot.plate_id not in final
            if not movable:
                break
            run.append(slot)
        if not run:
            free = self.next_slot(side, distance)
            slot = Slot(side, free.number, free.sub, distance, plate_id, today)
            self._record(self.NumberIssued, act, slot=slot)
            return slot, []
        self.check_position_free(side, distance)
        extra = self.next_slot(side, run[-1].distance, just_after=True)
        numbers = sorted([*(s.order for s in run), extra.order])
        slot = Slot(side, *numbers[0], distance, plate_id, today)
        moved = [replace(s, number=n, sub=sub) for s, (n, sub) in zip(run, numbers[1:], strict=True)]
        self._record(self.NumberIssued, act, slot=slot)
        self._record(self.Renumbered, act, slots=moved)
        return slot, moved

    def reserve(self, act: Act, *, side: str, count: int, from_distance: float, to_distance: float) -> list[Slot]:
        """Keep the next `count` numbers for buildings that may come between two distances."""
        if count < 1 or to_distance <= from_distance:
            raise InvalidInput([Failure("spare-range", "reserve at least one number over a stretch of road")])
        last = max((s.number for s in self.side(side)), default=first_number(side) - 2)
        step = (to_distance - from_distance) / count
        slots = [Slot(side, last + 2 * (i + 1), 0, from_distance + step * i, None) for i in range(count)]
        self._record(self.SpareReserved, act, slots=slots)
        return slots


class DoorPlate(RegistryAggregate):
    """A building's plate: assigned, its sign installed, re-addressed when the road is renamed, retired."""

    TOPIC = "places:DoorPlate"

    class Event(RegistryEvent):
        pass

    class Assigned(Event, AggregateCreated):
        TOPIC = "places:DoorPlate.Assigned"
        road_id: UUID
        road_name: str
        label: str
        building_ref: str
        estate: str
        town: str
        via: str
        assigned_on: date
        applied_on: date | None
        application_due_on: date | None
        certificate: str

    class SignInstalled(Event):
        TOPIC = "places:DoorPlate.SignInstalled"
        on: date

        def apply(self, plate: DoorPlate) -> None:
            plate.sign_installed_on = self.on

    class Renumbered(Event):
        """Another building given a number the same day came before it: its number moved up the series."""

        TOPIC = "places:DoorPlate.Renumbered"
        label: str
        on: date
        certificate: str

        def apply(self, plate: DoorPlate) -> None:
            plate.label = self.label
            plate.certificate = self.certificate

    class Readdressed(Event):
        TOPIC = "places:DoorPlate.Readdressed"
        road_name: str
        on: date
        certificate: str

        def apply(self, plate: DoorPlate) -> None:
            plate.road_name = self.road_name
            plate.certificate = self.certificate

    class DwellingAdded(Event):
        """A building, unit and room behind the plate, numbered in one series under it."""

        TOPIC = "places:DoorPlate.DwellingAdded"
        building: str
        unit: str
        room: str

        def apply(self, plate: DoorPlate) -> None:
            plate.dwellings.append((self.building, self.unit, self.room))

    class Retired(Event):
        TOPIC = "places:DoorPlate.Retired"
        on: date
        reason: str

        def apply(self, plate: DoorPlate) -> None:
            plate.retired_on = self.on

    def __init__(
        self, road_id: UUID, road_name: str, label: str, building_ref: str, estate: str, town: str, via: str,
        assigned_on: date, applied_on: date | None, application_due_on: date | None, certificate: str,
    ) -> None:  # fmt: skip
        self.road_id = road_id
        self.road_name = road_name
        self.label = label
        self.building_ref = building_ref
        self.estate = estate
        self.town = town
        self.via = via
        self.assigned_on = assigned_on
        self.applied_on = applied_on
        self.application_due_on = application_due_on
        self.certificate = certificate
        self.sign_installed_on: date | None = None
        self.retired_on: date | None = None
        self.dwellings: list[tuple[str, str, str]] = []

    @staticmethod
    def new_id() -> UUID:
        return uuid4()

    @property
    def sign_due_on(self) -> date:
        return self.assigned_on + timedelta(days=SIGN_DAYS)

    def address(self) -> str:
        return compose_address(self.town, self.road_name, self.label, self.estate)

    def dwelling_addresses(self) -> list[str]:
        return [
            compose_address(self.town, self.road_name, self.label, self.estate, building=b, unit=u, room=r)
            for b, u, r in self.dwellings
        ]

    def add_dwelling(self, act: Act, *, building: str, unit: str, room: str) -> None:
        """Building, unit and room numbers under one plate form one series: no dwelling twice."""
        self.check_in_use()
        if not room.strip():
            raise InvalidInput([Failure("room-required", "a dwelling has at least a room number")])
        if (building, unit, room) in self.dwellings:
            raise NotEligible([Failure("dwelling-duplicate", "that building, unit and room already exist here")])
        self._record(self.DwellingAdded, act, building=building, unit=unit, room=room)

    def install_sign(self, act: Act, *, on: date) -> None:
        self.check_in_use()
        self._record(self.SignInstalled, act, on=on)

    def renumber(self, act: Act, *, label: str, certificate: str) -> None:
        self.check_in_use()
        self._record(self.Renumbered, act, label=label, on=local_date(act.at), certificate=certificate)

    @property
    def is_final(self) -> bool:
        """Its number can no longer move: the sign is up, or the plate is retired."""
        return self.sign_installed_on is not None or self.retired_on is not None

    def readdress(self, act: Act, *, road_name: str, on: date, certificate: str) -> None:
        self.check_in_use()
        self._record(self.Readdressed, act, road_name=road_name, on=on, certificate=certificate)

    def retire(self, act: Act, *, on: date, reason: str) -> None:
        self.check_in_use()
        self._record(self.Retired, act, on=on, reason=reason)

    def check_in_use(self) -> None:
        if self.retired_on is not None:
            raise WrongState([Failure("plate-retired", "the plate was retired")])


class BuildingPlate(RegistryAggregate):
    """One plate per building: a completion notice and an application for the same building give one plate."""

    TOPIC = "places:BuildingPlate"

    class Event(RegistryEvent):
        pass

    class Claimed(Event, AggregateCreated):
        TOPIC = "places:BuildingPlate.Claimed"
        plate_id: UUID

    def __init__(self, plate_id: UUID) -> None:
        self.plate_id = plate_id

    @staticmethod
    def id_for(building_ref: str) -> UUID:
        return natural_id("building-plate", building_ref)

    @classmethod
    def claim(cls, act: Act, building_ref: str, plate_id: UUID) -> BuildingPlate:
        claimed: BuildingPlate = cls._create_from(cls.Claimed, act, id=cls.id_for(building_ref), plate_id=plate_id)
        return claimed
