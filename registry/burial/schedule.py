"""RewardSchedule: eco-burial reward amounts with the dates they take effect; the amount is the one in force."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from eventsourcing.domain import AggregateCreated

from registry.common.actors import Act
from registry.common.errors import Failure, InvalidInput
from registry.common.events import RegistryAggregate, RegistryEvent
from registry.common.ids import natural_id

SEA = "sea-burial"
ASH_SCATTERING = "ash-scattering"
TREE = "tree-burial"
FLOWER = "flower-burial"
LAWN = "lawn-burial"
WALL_NICHE = "wall-niche-burial"
TRADITIONAL = "traditional-cemetery"
ECO_KINDS = (SEA, ASH_SCATTERING, TREE, FLOWER, LAWN, WALL_NICHE)
BURIAL_KINDS = (*ECO_KINDS, TRADITIONAL)


@dataclass(frozen=True)
class ScheduleEntry:
    """Amounts in fen (exact integers, never floats) in force from a date; the burial fee itself is waived too."""

    effective_from: date
    amounts_fen: dict[str, int]
    burial_fee_waived: bool = True


# Local choice, changed through the schedule (a supervisor's entry), not a setting: neighbouring Dongyang's published
# amounts (Yiwu's are not public); wall or niche burial CNY 500 is this project's own choice (docs/domain.md E2).
DEFAULT_SCHEDULE = ScheduleEntry(
    effective_from=date(2000, 1, 1),
    amounts_fen={
        SEA: 600_000,
        ASH_SCATTERING: 600_000,
        TREE: 300_000,
        FLOWER: 300_000,
        LAWN: 300_000,
        WALL_NICHE: 50_000,
    },
)


def amount_in_force(entries: list[ScheduleEntry], kind: str, on: date) -> int:
    """The amount of the latest entry in force on the day (the default schedule before any change)."""
    in_force = max((e for e in [DEFAULT_SCHEDULE, *entries] if e.effective_from <= on), key=lambda e: e.effective_from)
    return in_force.amounts_fen.get(kind, 0)


class RewardSchedule(RegistryAggregate):
    """The one reward schedule of the city; a supervisor adds entries that take effect on a date."""

    TOPIC = "burial:RewardSchedule"

    class Event(RegistryEvent):
        pass

    class Started(Event, AggregateCreated):
        TOPIC = "burial:RewardSchedule.Started"

    class EntryAdded(Event):
        TOPIC = "burial:RewardSchedule.EntryAdded"
        entry: ScheduleEntry
        reason: str

        def apply(self, schedule: RewardSchedule) -> None:
            schedule.entries.append(self.entry)

    def __init__(self) -> None:
        self.entries: list[ScheduleEntry] = []

    @staticmethod
    def id_for() -> UUID:
        return natural_id("reward-schedule", "330782")

    @classmethod
    def start(cls, act: Act) -> RewardSchedule:
        schedule: RewardSchedule = cls._create_from(cls.Started, act, id=cls.id_for())
        return schedule

    def add_entry(self, act: Act, entry: ScheduleEntry, *, reason: str) -> None:
        failures = []
        unknown = sorted(set(entry.amounts_fen) - set(ECO_KINDS))
        if unknown:
            failures.append(Failure("reward-kind-unknown", f"no eco-burial kind {', '.join(unknown)}"))
        if any(amount < 0 for amount in entry.amounts_fen.values()):
            failures.append(Failure("reward-amount-negative", "amounts are zero or more fen"))
        if any(e.effective_from == entry.effective_from for e in self.entries):
            failures.append(Failure("reward-entry-duplicate", "an entry already takes effect on that date"))
        if failures:
            raise InvalidInput(failures)
        self._record(self.EntryAdded, act, entry=entry, reason=reason)

    def amount(self, kind: str, on: date) -> int:
        return amount_in_force(self.entries, kind, on)
