"""ForeignStatus: what other provinces' registries report of a person's marriages, applied exactly once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from eventsourcing.domain import AggregateCreated

from registry.common.actors import Act
from registry.common.events import RegistryAggregate, RegistryEvent
from registry.common.ids import natural_id


@dataclass(frozen=True)
class ForeignMarriage:
    """A marriage registered in another jurisdiction, as its registry's feed reported it."""

    jurisdiction: str
    reference: str
    registered_on: date


class ForeignStatus(RegistryAggregate):
    """Marriages of one person (keyed hash) registered in other jurisdictions, and whether each has ended."""

    TOPIC = "exchange:ForeignStatus"

    class Event(RegistryEvent):
        pass

    class Opened(Event, AggregateCreated):
        TOPIC = "exchange:ForeignStatus.Opened"
        person_ref: str

    class MarriedElsewhere(Event):
        TOPIC = "exchange:ForeignStatus.MarriedElsewhere"
        jurisdiction: str
        marriage_ref: str
        on: date

        def apply(self, status: ForeignStatus) -> None:
            key = f"{self.jurisdiction}/{self.marriage_ref}"
            status.running[key] = ForeignMarriage(self.jurisdiction, self.marriage_ref, self.on)

    class EndedElsewhere(Event):
        TOPIC = "exchange:ForeignStatus.EndedElsewhere"
        jurisdiction: str
        marriage_ref: str
        how: str

        def apply(self, status: ForeignStatus) -> None:
            status.running.pop(f"{self.jurisdiction}/{self.marriage_ref}", None)

    def __init__(self, person_ref: str) -> None:
        self.person_ref = person_ref
        self.running: dict[str, ForeignMarriage] = {}

    @staticmethod
    def id_for(person_ref: str) -> UUID:
        return natural_id("foreign-status", person_ref)

    @classmethod
    def open(cls, act: Act, person_ref: str) -> ForeignStatus:
        status: ForeignStatus = cls._create_from(cls.Opened, act, id=cls.id_for(person_ref), person_ref=person_ref)
        return status

    def married(self, act: Act, *, jurisdiction: str, marriage_ref: str, on: date) -> None:
        self._record(self.MarriedElsewhere, act, jurisdiction=jurisdiction, marriage_ref=marriage_ref, on=on)

    def ended(self, act: Act, *, jurisdiction: str, marriage_ref: str, how: str) -> None:
        if f"{jurisdiction}/{marriage_ref}" in self.running:
            self._record(self.EndedElsewhere, act, jurisdiction=jurisdiction, marriage_ref=marriage_ref, how=how)

    @property
    def married_in(self) -> list[str]:
        """Jurisdictions where the person is currently married."""
        return sorted({marriage.jurisdiction for marriage in self.running.values()})

    def current_marriages(self) -> list[ForeignMarriage]:
        return sorted(self.running.values(), key=lambda m: (m.jurisdiction, m.reference))
