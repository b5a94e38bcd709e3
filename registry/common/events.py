"""The base event every registry aggregate's events extend: who, when and on which request."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import AggregateCreated, AggregateEvent, BaseAggregate

from registry.common.actors import Act, Actor


class RegistryEvent(AggregateEvent):
    """An event that records its actor and request; its timestamp is the act's time."""

    actor: Actor
    request_id: str
    idempotency_key: str | None


class RegistryAggregate(BaseAggregate[UUID]):
    """Base aggregate: events are stamped from an Act, never from the wall clock.

    Each subclass declares `class Event(RegistryEvent)` and its events with stable topics.
    """

    @classmethod
    def _create_from(cls, event_class: type[AggregateCreated], act: Act, *, id: UUID, **kwargs: Any) -> Any:
        return cls._create(event_class, id=id, **_stamp(act), **kwargs)

    def _record(self, event_class: type[AggregateEvent], act: Act, **kwargs: Any) -> None:
        self.trigger_event(event_class, **_stamp(act), **kwargs)

    def trigger_event(self, event_class: type[Any], **kwargs: Any) -> None:
        if isinstance(self._pending_events, ReadOnlyEvents):  # before the event changes anything
            raise SharedAggregateChanged(f"{event_class.__qualname__} on a shared aggregate: load a copy to change it")
        super().trigger_event(event_class, **kwargs)


class SharedAggregateChanged(RuntimeError):
    """A command was called on an aggregate shared from the cache with readers: only a loaded copy may change."""


class ReadOnlyEvents(list[Any]):
    """The pending events of a shared aggregate, which marks it: no command may trigger an event on it."""

    def append(self, event: Any) -> None:
        raise SharedAggregateChanged(f"{type(event).__qualname__} on a shared aggregate: load a copy to change it")

    def __deepcopy__(self, memo: dict[int, Any]) -> list[Any]:
        return []  # a copy is the caller's own, free to change


def _stamp(act: Act) -> dict[str, Any]:
    return {
        "timestamp": act.at,
        "actor": act.by,
        "request_id": act.request_id,
        "idempotency_key": act.idempotency_key,
    }
