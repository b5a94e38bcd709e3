"""A fact from another registry about a marriage registered here: it ended there (a divorce by agreement at one of
its offices, from this registry's record in the exchange). The marriage context reacts to it (a policy)."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from eventsourcing.domain import AggregateCreated

from registry.common.actors import Act
from registry.common.events import RegistryAggregate, RegistryEvent
from registry.common.ids import natural_id


class MarriageEndedElsewhere(RegistryAggregate):
    """One report, once: keyed by the reporting jurisdiction and the position of its fact."""

    TOPIC = "exchange:MarriageEndedElsewhere"

    class Event(RegistryEvent):
        pass

    class Reported(Event, AggregateCreated):
        TOPIC = "exchange:MarriageEndedElsewhere.Reported"
        marriage_id: str
        how: str
        on: date
        reported_by: str

    def __init__(self, marriage_id: str, how: str, on: date, reported_by: str) -> None:
        self.marriage_id = marriage_id
        self.how = how
        self.on = on
        self.reported_by = reported_by

    @staticmethod
    def id_for(jurisdiction: str, sequence: int) -> UUID:
        return natural_id("marriage-ended-elsewhere", jurisdiction, str(sequence))

    @classmethod
    def report(
        cls, act: Act, *, jurisdiction: str, sequence: int, marriage_id: str, how: str, on: date
    ) -> MarriageEndedElsewhere:
        reported: MarriageEndedElsewhere = cls._create_from(
            cls.Reported, act, id=cls.id_for(jurisdiction, sequence), marriage_id=marriage_id, how=how, on=on,
            reported_by=jurisdiction,
        )  # fmt: skip
        return reported
