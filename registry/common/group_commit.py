"""Group commit: commands decided apart, saved together (one transaction, one table lock, one fsync per group).

Each command is decided in its caller's thread and handed to the application's GroupWriter with its collected
events. Whoever arrives while no group is being written leads the next group (no writer thread to start or stop):
it waits for commands that are still being decided, at most MAX_WAIT_SECONDS or until MAX_GROUP commands are in,
then writes them all with the library's own `_record` in one transaction and wakes the others. The PostgreSQL
recorder still takes its EXCLUSIVE table lock in that transaction, so the insert order stays the commit order.

A command that would conflict inside the group (a second change to an aggregate another command of the group
changes, or a version this process has already committed) is refused with RecordConflictError before the write,
and its caller re-decides; the others are saved. A conflict the store finds (another process got there first) is
split: the group's commands are then written one by one, so that only the conflicting ones are refused. Any other
error fails every command of the group: the transaction rolled back, nothing of it is saved.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from eventsourcing.application import ProcessingEvent
from eventsourcing.persistence import RecordConflictError, Recording

# The leader waits for commands still being decided at most this long: about one fsync on this machine (880/s),
# so a group never waits longer than the commit it saves, and a lone command (nobody deciding) waits not at all.
MAX_WAIT_SECONDS = 0.002
# Enough for every handler thread of two server workers several times over; bounds one INSERT's size.
MAX_GROUP = 64
# Committed versions remembered to refuse a stale decision before the store does (a bounded LRU).
KNOWN_VERSIONS = 10_000

Record = Callable[[ProcessingEvent[UUID]], list[Recording[UUID]]]


class StoreInterrupted(RuntimeError):
    """The group's write stopped on an interruption (KeyboardInterrupt, SystemExit) before it was known saved."""


@dataclass(eq=False)
class _Pending:
    """One command's events waiting in the queue, and what became of them."""

    processing_event: ProcessingEvent[UUID]
    woken: threading.Event = field(default_factory=threading.Event)
    lead: bool = False
    finished: bool = False
    recordings: list[Recording[UUID]] = field(default_factory=list)
    saved: bool = False
    error: BaseException | None = None


class GroupWriter:
    """Batches the saves of one application's concurrent commands into shared transactions."""

    def __init__(self, record: Record, *, max_wait: float = MAX_WAIT_SECONDS, max_group: int = MAX_GROUP) -> None:
        self._record = record
        self.max_wait = max_wait
        self.max_group = max_group
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._queue: deque[_Pending] = deque()
        self._writing = False
        self._deciding = 0
        self._versions: OrderedDict[UUID, int] = OrderedDict()
        self.groups = 0  # transactions written (one per group, plus one per command of a split group)
        self.commands = 0  # commands saved

    @contextmanager
    def deciding(self) -> Iterator[None]:
        """Mark a command as being decided, so that a leader waits for it (briefly) to join its group."""
        with self._lock:
            self._deciding += 1
        try:
            yield
        finally:
            with self._lock:
                self._deciding -= 1
                self._changed.notify_all()

    @contextmanager
    def waiting(self) -> Iterator[None]:
        """Inside `deciding`: this command waits on something else (a lock), so no leader should wait for it."""
        with self._lock:
            self._deciding -= 1
            self._changed.notify_all()
        try:
            yield
        finally:
            with self._lock:
                self._deciding += 1

    def write(self, processing_event: ProcessingEvent[UUID]) -> list[Recording[UUID]]:
        """Save one command's events with whatever else is ready; RecordConflictError if it must be re-decided."""
        pending = _Pending(processing_event)
        with self._lock:
            self._queue.append(pending)
            self._changed.notify_all()
            pending.lead = not self._writing
            self._writing = True
        try:
            while not pending.finished:
                if pending.lead:
                    self._lead()
                else:
                    pending.woken.wait()
                    pending.woken.clear()
        except BaseException:  # interrupted (KeyboardInterrupt, SystemExit): leave the queue, pass the lead on
            self._abandon(pending)
            raise
        if pending.error is not None:
            raise pending.error
        return pending.recordings

    def _abandon(self, pending: _Pending) -> None:
        """A command whose thread was interrupted: out of the queue, and the lead on to the next if it held it."""
        with self._lock:
            if pending in self._queue:
                self._queue.remove(pending)
            if pending.lead:
                pending.lead = False
                if self._queue:
                    self._queue[0].lead = True
                    self._queue[0].woken.set()
                else:
                    self._writing = False

    def _lead(self) -> None:
        group: list[_Pending] = []
        try:
            group = self._gather()
            self._commit(group)
        finally:
            with self._lock:
                if self._queue:
                    self._queue[0].lead = True
                    self._queue[0].woken.set()
                else:
                    self._writing = False
            for pending in group:
                if pending.error is None and not pending.saved:  # the write was interrupted: not known saved
                    pending.error = StoreInterrupted("the write of this command's group was interrupted")
                pending.finished = True
                pending.lead = False
                pending.woken.set()

    def _gather(self) -> list[_Pending]:
        deadline = time.monotonic() + self.max_wait
        with self._lock:
            while self._deciding > 0 and len(self._queue) < self.max_group:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._changed.wait(remaining)
            return [self._queue.popleft() for _ in range(min(self.max_group, len(self._queue)))]

    def _commit(self, group: list[_Pending]) -> None:
        accepted = self._refuse_stale(group)
        if not accepted:
            return
        merged: ProcessingEvent[UUID] = ProcessingEvent()
        for pending in accepted:
            merged.events.extend(pending.processing_event.events)
            merged.aggregates.update(pending.processing_event.aggregates)
        try:
            recordings = self._record(merged)
        except RecordConflictError as conflict:
            if len(accepted) == 1:
                accepted[0].error = conflict
            else:  # someone outside this process changed one of them first: find out which, one by one
                self._commit_one_by_one(accepted)
            return
        except Exception as error:
            for pending in accepted:
                pending.error = error
            return
        self.groups += 1
        start = 0
        for pending in accepted:
            end = start + len(pending.processing_event.events)
            pending.recordings = recordings[start:end]
            start = end
        self._saved(accepted)

    def _commit_one_by_one(self, accepted: list[_Pending]) -> None:
        for pending in accepted:
            try:
                pending.recordings = self._record(pending.processing_event)
            except Exception as error:
                pending.error = error
                continue
            self.groups += 1
            self._saved([pending])

    def _refuse_stale(self, group: list[_Pending]) -> list[_Pending]:
        """Refuse, before writing, what cannot be saved: a second change to one aggregate, or an old version."""
        accepted: list[_Pending] = []
        claimed: set[UUID] = set()
        for pending in group:
            first_versions: dict[UUID, int] = {}
            for event in pending.processing_event.events:
                first_versions.setdefault(event.originator_id, event.originator_version)
            stale = any(
                aggregate_id in claimed or version <= self._versions.get(aggregate_id, 0)
                for aggregate_id, version in first_versions.items()
            )
            if stale:
                pending.error = RecordConflictError("changed by another command first; decide again")
            else:
                accepted.append(pending)
                claimed.update(first_versions)
        return accepted

    def _saved(self, saved: list[_Pending]) -> None:
        self.commands += len(saved)
        for pending in saved:
            pending.saved = True
            for event in pending.processing_event.events:
                self._versions[event.originator_id] = event.originator_version
                self._versions.move_to_end(event.originator_id)
        while len(self._versions) > KNOWN_VERSIONS:
            self._versions.popitem(last=False)


def describe(writer: GroupWriter | None) -> dict[str, Any]:
    """The writer's counters, for benchmarks and tests."""
    if writer is None:
        return {"group_commit": False}
    return {"group_commit": True, "groups": writer.groups, "commands": writer.commands}
