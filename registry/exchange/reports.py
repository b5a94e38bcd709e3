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
        """persons: the parties as the federation's person hashes, which must be the marriage's own."""

        TOPIC = "exchange:MarriageEndedElsewhere.Reported"
        class_version = 2
        marriage_id: str
        how: str
        on: date
        reported_by: str
        persons: list[str]

        @staticmethod
        def upcast_v1_v2(state: dict[str, object]) -> None:
            """Version 1 named no parties: such a report can match no marriage of ours."""
            state["persons"] = []

    def __init__(self, marriage_id: str, how: str, on: date, reported_by: str, persons: list[str]) -> None:
        self.marriage_id = marriage_id
        self.how = how
        self.on = on
        self.reported_by = reported_by
        self.persons = persons

    @staticmethod
    def id_for(jurisdiction: str, sequence: int) -> UUID:
        return natural_id("marriage-ended-elsewhere", jurisdiction, str(sequence))

    @classmethod
    def report(
        cls, act: Act, *, jurisdiction: str, sequence: int, marriage_id: str, how: str, on: date, persons: list[str]
    ) -> MarriageEndedElsewhere:
        reported: MarriageEndedElsewhere = cls._create_from(
            cls.Reported, act, id=cls.id_for(jurisdiction, sequence), marriage_id=marriage_id, how=how, on=on,
            reported_by=jurisdiction, persons=persons,
        )  # fmt: skip
        return reported
