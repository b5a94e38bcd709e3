"""AccessRecord: an auditor's read of the registry, itself recorded (who looked at what, when)."""

from __future__ import annotations

from uuid import uuid4

from eventsourcing.domain import AggregateCreated

from registry.common.actors import Act
from registry.common.events import RegistryAggregate, RegistryEvent


class AccessRecord(RegistryAggregate):
    """One read by an auditor: what was read (never the personal data the read returned)."""

    TOPIC = "oversight:AccessRecord"

    class Event(RegistryEvent):
        pass

    class Read(Event, AggregateCreated):
        TOPIC = "oversight:AccessRecord.Read"
        what: str
        target: str
        criteria: dict[str, str]

    def __init__(self, what: str, target: str, criteria: dict[str, str]) -> None:
        self.what = what
        self.target = target
        self.criteria = criteria

    @classmethod
    def record(cls, act: Act, *, what: str, target: str, criteria: dict[str, str]) -> AccessRecord:
        record: AccessRecord = cls._create_from(cls.Read, act, id=uuid4(), what=what, target=target, criteria=criteria)
        return record
