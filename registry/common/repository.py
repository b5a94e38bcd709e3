"""The aggregate repository of every registry application: snapshots only where taken, a cache shared by readers.

The library's repository looks for a snapshot before every replay, even of classes never snapshotted, and
fast-forwards its cached aggregates in place, so that it must deep-copy each one it hands out. Here a cached
aggregate is never changed once it is in the cache: a newer version replaces it (copy on write), so readers share
it without a copy, and it refuses commands (a decision works on its own copy, see `RegistryRepository.get`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from copy import deepcopy
from itertools import chain
from typing import Any, Protocol, runtime_checkable
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Repository
from eventsourcing.domain import BaseAggregate
from eventsourcing.persistence import EventStore, StoredEvent

from registry.common.events import ReadOnlyEvents

Projector = Callable[[Any, Iterable[Any]], Any]


@runtime_checkable
class ReadsTogether(Protocol):
    """A recorder that reads the events of several aggregates at once (the registry's PostgreSQL recorders:
    ReadingInOneQuery, registry/adapters/many_events.py)."""

    def select_events_after(self, after: Mapping[UUID, int]) -> dict[UUID, list[StoredEvent]]:
        """Each aggregate's events after the version given for it, as `events_after` below."""
        ...


def events_after(recorder: Any, after: Mapping[UUID, int]) -> dict[UUID, list[StoredEvent]]:
    """Each aggregate's events after the version given for it (0: all), in version order; absent if none. In one
    query where the recorder can, else one by one (SQLite, and the library's own recorders)."""
    if isinstance(recorder, ReadsTogether):
        return recorder.select_events_after(after)
    found = {originator: list(recorder.select_events(originator, gt=version)) for originator, version in after.items()}
    return {originator: events for originator, events in found.items() if events}


class RegistryRepository(Repository[UUID]):
    """Replays with a snapshot only for the classes snapshotted; shares cached aggregates with readers uncopied."""

    def __init__(
        self,
        event_store: EventStore[UUID],
        *,
        snapshot_store: EventStore[UUID] | None,
        snapshotted: Iterable[type[Any]],
        cache_maxsize: int | None,
        projector: Projector,
    ) -> None:
        super().__init__(event_store, snapshot_store=snapshot_store, cache_maxsize=cache_maxsize)
        self.snapshotted = tuple(snapshotted)
        self.projector = projector

    def shared(self, aggregate_id: UUID, cls: type[Any] = BaseAggregate) -> Any:
        """The aggregate as last recorded, for reading only: at most one small query when it is cached (are there
        events after the cached version?), and no copy."""
        cached = self._cached(aggregate_id)
        if cached is None:
            aggregate = self._share(self.replay(aggregate_id, cls))
        else:
            newer = list(self.event_store.get(originator_id=aggregate_id, gt=cached.version))
            if not newer:
                return cached
            aggregate = self._share(self.projector(deepcopy(cached), newer))
        self._keep(aggregate_id, aggregate)
        return aggregate

    def shared_many(self, aggregate_ids: Iterable[UUID], cls: type[Any]) -> dict[UUID, Any]:
        """The same for several aggregates of a class never snapshotted, with one query for all of them (on
        PostgreSQL, see many_events.py); those never recorded are absent."""
        if any(issubclass(taken, cls) for taken in self.snapshotted):
            raise TypeError(f"{cls.__name__} is snapshotted: read it with shared()")
        cached = {aggregate_id: self._cached(aggregate_id) for aggregate_id in aggregate_ids}
        newer = events_after(self.event_store.recorder, {i: a.version if a else 0 for i, a in cached.items()})
        found = {}
        for aggregate_id, aggregate in cached.items():
            if aggregate_id in newer:
                events = map(self.event_store.mapper.to_domain_event, newer[aggregate_id])
                aggregate = self._share(self.projector(deepcopy(aggregate), events))
                self._keep(aggregate_id, aggregate)
            if aggregate is not None:
                found[aggregate_id] = aggregate
        return found

    def get(self, aggregate_id: UUID, *, version: int | None = None, **_: Any) -> Any:
        """The library's signature for `own` (its snapshots and tools call it)."""
        return self.own(aggregate_id, BaseAggregate, version=version)

    def own(self, aggregate_id: UUID, cls: type[Any], *, version: int | None = None) -> Any:
        """The aggregate (now, or at a version) as the caller's own copy, free to change."""
        if version is None and self.cache is not None:
            return deepcopy(self.shared(aggregate_id, cls))
        return self.replay(aggregate_id, cls, version=version)

    def at_version(self, aggregate_id: UUID, cls: type[Any], version: int) -> Any:
        """The aggregate as it was at a version, for reading: the cached one when it is that version."""
        cached = self._cached(aggregate_id)
        if cached is not None and cached.version == version:
            return cached
        return self.replay(aggregate_id, cls, version=version)

    def replay(self, aggregate_id: UUID, cls: type[Any], *, version: int | None = None) -> Any:
        """Replay from the latest snapshot at or before the version (if the class is snapshotted), then the events."""
        snapshots: list[Any] = []
        if self.snapshot_store is not None and any(issubclass(taken, cls) for taken in self.snapshotted):
            snapshots = list(self.snapshot_store.get(originator_id=aggregate_id, desc=True, limit=1, lte=version))
        after = snapshots[0].originator_version if snapshots else None
        events = self.event_store.get(originator_id=aggregate_id, gt=after, lte=version)
        aggregate = self.projector(None, chain(snapshots, events))
        if aggregate is None:
            raise AggregateNotFoundError(f"aggregate {aggregate_id} version {version} not found")
        return aggregate

    def _cached(self, aggregate_id: UUID) -> Any:
        if self.cache is None:
            return None
        try:
            return self.cache.get(aggregate_id)
        except KeyError:
            return None

    def _keep(self, aggregate_id: UUID, aggregate: Any) -> None:
        current = self._cached(aggregate_id)
        if self.cache is not None and (current is None or current.version < aggregate.version):
            self.cache.put(aggregate_id, aggregate)  # a racing reader may have put a newer one: keep that

    @staticmethod
    def _share(aggregate: Any) -> Any:
        aggregate._pending_events = ReadOnlyEvents()
        return aggregate
