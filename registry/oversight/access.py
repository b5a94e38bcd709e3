"""AccessRecord: an official's read of the registry, itself recorded (who looked at whose records, when, why)."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from eventsourcing.domain import AggregateCreated

from registry.common.actors import Act
from registry.common.events import RegistryAggregate, RegistryEvent


class AccessRecord(RegistryAggregate):
    """One read by an official: what was read, whose records (keyed hashes) and by which route — never the data."""

    TOPIC = "oversight:AccessRecord"

    class Event(RegistryEvent):
        pass

    class Read(Event, AggregateCreated):
        TOPIC = "oversight:AccessRecord.Read"
        class_version = 2
        what: str
        target: str
        criteria: dict[str, str]
        person_refs: list[str]
        route: str

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """Version 1 recorded auditors' reads only, without the persons concerned or the route."""
            state["person_refs"] = []
            state["route"] = ""

    def __init__(self, what: str, target: str, criteria: dict[str, str], person_refs: list[str], route: str) -> None:
        self.what = what
        self.target = target
        self.criteria = criteria
        self.person_refs = person_refs
        self.route = route

    @classmethod
    def record(
        cls, act: Act, *, what: str, target: str, criteria: dict[str, str], person_refs: list[str], route: str
    ) -> AccessRecord:
        record: AccessRecord = cls._create_from(
            cls.Read, act, id=uuid4(), what=what, target=target, criteria=criteria, person_refs=person_refs,
            route=route,
        )  # fmt: skip
        return record
