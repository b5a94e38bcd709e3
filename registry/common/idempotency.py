"""Idempotency records: a retried request returns its first result and writes nothing."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import AggregateCreated

from registry.common.actors import Act, Actor
from registry.common.errors import IdempotencyKeyReused
from registry.common.events import RegistryAggregate, RegistryEvent
from registry.common.ids import natural_id


class IdempotencyRecord(RegistryAggregate):
    """The first result of a request made with an idempotency key, saved with the changes it made."""

    TOPIC = "registry:IdempotencyRecord"

    class Event(RegistryEvent):
        pass

    class Recorded(Event, AggregateCreated):
        TOPIC = "registry:IdempotencyRecord.Recorded"
        fingerprint: str
        result: dict[str, Any]

    def __init__(self, fingerprint: str, result: dict[str, Any]) -> None:
        self.fingerprint = fingerprint
        self.result = result

    @staticmethod
    def id_for(actor: Actor, key: str) -> UUID:
        """One record per caller and key: keys are the client's, so they are scoped to the client as a whole — role,
        office and subject — and a token of another role or office with the same subject never meets them."""
        return natural_id("idempotency", actor.role, actor.office, actor.id, key)

    @classmethod
    def record(cls, act: Act, *, fingerprint: str, result: dict[str, Any]) -> IdempotencyRecord:
        assert act.idempotency_key is not None
        record: IdempotencyRecord = cls._create_from(
            cls.Recorded,
            act,
            id=cls.id_for(act.by, act.idempotency_key),
            fingerprint=fingerprint,
            result=result,
        )
        return record

    def check_same_request(self, fingerprint: str) -> None:
        if fingerprint != self.fingerprint:
            raise IdempotencyKeyReused(detail="this Idempotency-Key was first used with a different request")
