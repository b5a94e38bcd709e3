"""PersonStatus: one per person, the guard of "one spouse at a time" and the source of marital status."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal
from uuid import UUID

from eventsourcing.domain import AggregateCreated

from registry.common.actors import Act
from registry.common.errors import Failure
from registry.common.events import RegistryAggregate, RegistryEvent
from registry.common.ids import natural_id

MaritalStatus = Literal["unmarried", "married", "divorced", "widowed"]
EndedHow = Literal["divorced", "widowed", "void", "annulled"]


@dataclass
class MarriageEntry:
    """One marriage of the person, as this registry knows it."""

    marriage_id: UUID
    since: date
    ended_how: str | None = None
    ended_on: date | None = None


class PersonStatus(RegistryAggregate):
    """The marriages of one person (keyed by the keyed hash of their identity document)."""

    TOPIC = "marriage:PersonStatus"

    class Event(RegistryEvent):
        pass

    class Opened(Event, AggregateCreated):
        TOPIC = "marriage:PersonStatus.Opened"
        person_ref: str

    class Married(Event):
        TOPIC = "marriage:PersonStatus.Married"
        marriage_id: UUID
        since: date

        def apply(self, status: PersonStatus) -> None:
            status.marriages.append(MarriageEntry(self.marriage_id, self.since))

    class MarriageEnded(Event):
        TOPIC = "marriage:PersonStatus.MarriageEnded"
        marriage_id: UUID
        how: str
        on: date

        def apply(self, status: PersonStatus) -> None:
            entry = status.entry(self.marriage_id)
            entry.ended_how = self.how
            entry.ended_on = self.on

    def __init__(self, person_ref: str) -> None:
        self.person_ref = person_ref
        self.marriages: list[MarriageEntry] = []

    @staticmethod
    def id_for(person_ref: str) -> UUID:
        return natural_id("person-status", person_ref)

    @classmethod
    def open(cls, act: Act, person_ref: str) -> PersonStatus:
        status: PersonStatus = cls._create_from(cls.Opened, act, id=cls.id_for(person_ref), person_ref=person_ref)
        return status

    def entry(self, marriage_id: UUID) -> MarriageEntry:
        return next(m for m in self.marriages if m.marriage_id == marriage_id)

    @property
    def current_marriage(self) -> MarriageEntry | None:
        return current_marriage(self.marriages)

    @property
    def status(self) -> MaritalStatus:
        return derive_status(self.marriages)

    @property
    def since(self) -> date | None:
        return status_since(self.marriages)

    def marriage_failure(self, subject: str) -> Failure | None:
        """The failed condition if this person is currently married, else None."""
        if self.current_marriage is None:
            return None
        return Failure("party-already-married", f"{subject} is currently married", subject=subject)

    def marry(self, act: Act, *, marriage_id: UUID, since: date) -> None:
        self._record(self.Married, act, marriage_id=marriage_id, since=since)

    def end_marriage(self, act: Act, *, marriage_id: UUID, how: EndedHow, on: date) -> None:
        """Close a marriage entry; a void or annulled marriage is marked so even if it had already ended."""
        entry = self.entry(marriage_id)
        if entry.ended_how is None or how in ("void", "annulled"):
            self._record(self.MarriageEnded, act, marriage_id=marriage_id, how=how, on=on)


def current_marriage(marriages: Sequence[MarriageEntry]) -> MarriageEntry | None:
    return next((m for m in marriages if m.ended_how is None), None)


def _valid_endings(marriages: Sequence[MarriageEntry]) -> list[MarriageEntry]:
    """Marriages that ended by divorce or death; a void or annulled marriage is as if it never was."""
    return [m for m in marriages if m.ended_how in ("divorced", "widowed")]


def derive_status(marriages: Sequence[MarriageEntry]) -> MaritalStatus:
    """Married while a marriage runs; otherwise how the last valid marriage ended; else unmarried."""
    if current_marriage(marriages) is not None:
        return "married"
    ended = _valid_endings(marriages)
    if not ended:
        return "unmarried"
    last = max(ended, key=lambda m: m.ended_on or m.since)
    return "divorced" if last.ended_how == "divorced" else "widowed"


def status_since(marriages: Sequence[MarriageEntry]) -> date | None:
    """When the current status began (None for someone never validly married)."""
    current = current_marriage(marriages)
    if current is not None:
        return current.since
    ended = [m.ended_on for m in _valid_endings(marriages) if m.ended_on]
    return max(ended) if ended else None
