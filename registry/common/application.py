"""The base of every context's application: transcodings, idempotency, retries on concurrent change."""

from __future__ import annotations

import hashlib
import random
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from copy import deepcopy
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application, ProcessingEvent
from eventsourcing.domain import BaseAggregate
from eventsourcing.persistence import JSONTranscoder, RecordConflictError, Recording, Tracking, Transcoder
from eventsourcing.utils import EnvType

from registry.common.actors import Act, Actor
from registry.common.errors import ConcurrentChange, Failure, NotEligible, NotFound, VersionMismatch
from registry.common.group_commit import MAX_GROUP, MAX_WAIT_SECONDS, GroupWriter
from registry.common.idempotency import IdempotencyRecord
from registry.common.identity import Person
from registry.common.repository import RegistryRepository
from registry.common.text import check_event_text
from registry.common.transcoding import DateAsISO, MsgspecJSONTranscoder, register_dataclasses

TAggregate = TypeVar("TAggregate", bound=BaseAggregate[UUID])

# A conflict on save means someone else changed the same aggregates first: re-decide on fresh state, for as long
# as this budget lasts (a count of attempts refused clerks who merely queued behind each other; time does not).
CONFLICT_BUDGET_SECONDS = 5.0


@dataclass(frozen=True)
class CommandResult:
    """What a command changed: the aggregate it is about, its new version, and the log position it reached."""

    aggregate_id: UUID
    version: int
    position: int
    replayed: bool = False
    created: bool = False  # the command created the aggregate it is about
    aggregate: BaseAggregate[UUID] | None = field(default=None, compare=False, repr=False)

    @classmethod
    def replay(cls, stored: dict[str, Any], position: int) -> CommandResult:
        created = bool(stored.get("created", False))  # records made before it was kept: as not created
        return cls(UUID(stored["aggregate_id"]), stored["version"], position, replayed=True, created=created)


class RefusalRecorded(NotEligible):
    """A refusal the registry recorded before answering (regs art 10): every failure, and where the recorded
    refusal stands (its version and log position), so that the caller can read it back."""

    def __init__(self, failures: Sequence[Failure], *, result: CommandResult) -> None:
        super().__init__(failures)
        self.result = result


def mutate_in_turn(aggregate: Any, events: Iterable[Any]) -> Any:
    """The library's projector without its per-event isinstance check on a runtime Protocol (slow on 3.11)."""
    for event in events:
        aggregate = event.mutate(aggregate)
    return aggregate


def fingerprint(*parts: str | bytes) -> str:
    """A digest of what identifies a request (operation and body), to tell a retry from a new request."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode() if isinstance(part, str) else part)
        digest.update(b"\x00")
    return digest.hexdigest()


# A decision loads what it needs, calls aggregate commands, and returns the aggregate it is about
# followed by every other aggregate that must be saved with it.
Decision = Callable[[], Sequence[BaseAggregate[UUID]]]


class RegistryApplication(Application[UUID]):
    """Shared mechanics; subclasses add their transcodings and use-case methods."""

    value_types: ClassVar[dict[str, type[Any]]] = {"actor": Actor, "person": Person}

    def __init__(self, env: EnvType | None = None) -> None:
        super().__init__(env)
        self.group_writer: GroupWriter | None = None
        if self.env.get("GROUP_COMMIT", "on").lower() not in ("off", "0", "no", "false"):
            self.group_writer = GroupWriter(
                self._record,
                max_wait=float(self.env.get("GROUP_COMMIT_MAX_WAIT_MS", str(MAX_WAIT_SECONDS * 1000))) / 1000,
                max_group=int(self.env.get("GROUP_COMMIT_MAX_GROUP", str(MAX_GROUP))),
            )
        self._held = threading.local()
        self._keyed_locks: dict[object, threading.Lock] = {}
        self._keyed_locks_guard = threading.Lock()
        # Set whenever this process saves events here: a projection service that must follow this log promptly (the
        # exchange feed) looks at it between the steps of a round, without asking the store.
        self.saved_here = threading.Event()

    def _notify(self, recordings: list[Recording[UUID]]) -> None:
        if recordings:
            self.saved_here.set()
        super()._notify(recordings)

    def construct_transcoder(self) -> Transcoder:
        """The library's JSON transcoding, decoded by msgspec (registry/common/transcoding.py)."""
        transcoder = MsgspecJSONTranscoder()
        self.register_transcodings(transcoder)
        return transcoder

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())
        register_dataclasses(transcoder, self.value_types)

    def construct_repository(self) -> RegistryRepository:
        """The library's repository, replaying with snapshots only for the classes snapshotted, sharing its cache."""
        maxsize = self.env.get(self.AGGREGATE_CACHE_MAXSIZE)
        return RegistryRepository(
            self.events,
            snapshot_store=self.snapshots,
            snapshotted=self.snapshotting_intervals,
            cache_maxsize=int(maxsize) if maxsize else None,
            projector=mutate_in_turn,
        )

    @property
    def repository(self) -> RegistryRepository:
        return self._repository  # type: ignore[return-value]  # constructed by construct_repository above

    def load(self, aggregate_id: UUID, cls: type[TAggregate], *, version: int | None = None) -> TAggregate:
        """Get an aggregate of the expected class as the caller's own copy (a decision changes it), or NotFound."""
        try:
            aggregate: BaseAggregate[UUID] = self.repository.own(aggregate_id, cls, version=version)
        except AggregateNotFoundError:
            raise NotFound() from None
        return self._expected(aggregate, cls, version)

    def read(self, aggregate_id: UUID, cls: type[TAggregate], *, version: int | None = None) -> TAggregate:
        """The same, for reading only: shared from the cache without a copy; a command on it is refused."""
        try:
            if version is None:
                aggregate: BaseAggregate[UUID] = self.repository.shared(aggregate_id, cls)
            else:
                aggregate = self.repository.at_version(aggregate_id, cls, version)
        except AggregateNotFoundError:
            raise NotFound() from None
        return self._expected(aggregate, cls, version)

    @staticmethod
    def _expected(aggregate: BaseAggregate[UUID], cls: type[TAggregate], version: int | None) -> TAggregate:
        if not isinstance(aggregate, cls) or (version is not None and aggregate.version != version):
            raise NotFound()
        return aggregate

    def subject_of(self, result: CommandResult, cls: type[TAggregate]) -> TAggregate:
        """The aggregate a command was about, as the command left it (read at that version for a replay)."""
        if isinstance(result.aggregate, cls):
            return result.aggregate
        return self.read(result.aggregate_id, cls, version=result.version)

    def find(self, aggregate_id: UUID, cls: type[TAggregate], *, shared: bool = False) -> TAggregate | None:
        """The aggregate, or None; `shared=True` for reading only (see `read`)."""
        try:
            return self.read(aggregate_id, cls) if shared else self.load(aggregate_id, cls)
        except NotFound:
            return None

    def find_all(
        self, aggregate_ids: Iterable[UUID], cls: type[TAggregate], *, shared: bool = False
    ) -> dict[UUID, TAggregate]:
        """Several aggregates of a class never snapshotted, read together (one query on PostgreSQL); those not
        recorded, or of another class, are absent. Each the caller's own copy, or with `shared=True` for reading
        only (see `read`)."""
        found = self.repository.shared_many(aggregate_ids, cls)
        return {i: a if shared else deepcopy(a) for i, a in found.items() if isinstance(a, cls)}

    def execute(self, act: Act, decide: Decision, *, request_fingerprint: str = "") -> CommandResult:
        """Run a decision and save all it changed in one transaction; re-decided on a concurrent change.

        With an idempotency key on the act, a repeat of the same request returns the first result and writes
        nothing; the key's record is saved in the same transaction as the change it answers for. Concurrent
        commands are saved together (group commit, see group_commit.py), each with its own result and position.
        """
        deadline = time.monotonic() + CONFLICT_BUDGET_SECONDS
        attempt = 0
        while True:
            try:
                with self._attempt():
                    return self._decide_and_save(act, decide, request_fingerprint)
            except RecordConflictError:
                attempt += 1
                if time.monotonic() > deadline:
                    raise ConcurrentChange(detail="the records kept changing concurrently; try again") from None
                time.sleep(random.uniform(0, 0.001 * min(attempt, 8)))  # jitter, so that racers do not collide again

    def _decide_and_save(self, act: Act, decide: Decision, request_fingerprint: str) -> CommandResult:
        key = act.idempotency_key
        if key is not None:
            previous = self.find(IdempotencyRecord.id_for(act.by, key), IdempotencyRecord)
            if previous is not None:
                previous.check_same_request(request_fingerprint)
                # Any position at or after the first write serves read-your-writes.
                return CommandResult.replay(previous.result, self.recorder.max_notification_id() or 0)
        changed = list(decide())
        check_event_text(event for aggregate in changed for event in aggregate.pending_events)
        subject = changed[0]
        created = any(event.originator_version == 1 for event in subject.pending_events)
        if key is not None:
            result = {"aggregate_id": subject.id.hex, "version": subject.version, "created": created}
            changed.append(IdempotencyRecord.record(act, fingerprint=request_fingerprint, result=result))
        recordings = self._save_grouped(*changed)
        # A command that changed nothing has no recordings: its position is the log's head (asked only then).
        positions = [recording.notification.id for recording in recordings]
        position = max(positions) if positions else self.recorder.max_notification_id() or 0
        return CommandResult(subject.id, subject.version, position, aggregate=subject, created=created)

    @contextmanager
    def _attempt(self) -> Iterator[None]:
        """One attempt of a command: counted as deciding for the group writer; locks it holds released at its end."""
        with ExitStack() as held:
            self._held.stack = held
            try:
                if self.group_writer is None:
                    yield
                else:
                    with self.group_writer.deciding():
                        yield
            finally:
                self._held.stack = None

    def hold_until_saved(self, key: object) -> None:
        """Inside a decision: wait for, then hold until this attempt is saved or fails, the in-process lock on `key`.

        For an aggregate every command of a kind changes (a certificate book): commands wait their turn instead of
        all deciding on one version and all but one being refused by the store and deciding again.
        """
        stack: ExitStack | None = getattr(self._held, "stack", None)
        if stack is None:
            raise RuntimeError("hold_until_saved is for decisions run by execute")
        with self._keyed_locks_guard:
            lock = self._keyed_locks.setdefault(key, threading.Lock())
        if not lock.acquire(blocking=False):
            with self.group_writer.waiting() if self.group_writer else ExitStack():
                lock.acquire()
        stack.callback(lock.release)

    def _save_grouped(self, *aggregates: BaseAggregate[UUID]) -> list[Recording[UUID]]:
        """The library's save, but written in a shared transaction with concurrent commands' saves."""
        if self.group_writer is None:
            return self.save(*aggregates)
        processing_event: ProcessingEvent[UUID] = ProcessingEvent()
        processing_event.collect_events(*aggregates)
        with self.group_writer.waiting():  # decided: no leader need wait for this command any longer
            recordings = self.group_writer.write(processing_event)
        self._take_snapshots(processing_event)
        self._notify(recordings)
        return recordings


class TrackedApplication(RegistryApplication):
    """An application that also follows another's log: its reactions and the position they answer commit together."""

    def construct_recorder(self) -> Any:
        return self.factory.process_recorder()

    def position_in(self, upstream: str) -> int:
        """How far this application has followed the upstream application's log."""
        position: int | None = self.recorder.max_tracking_id(upstream)  # type: ignore[attr-defined]
        return position or 0

    def save_tracked(self, tracking: Tracking, *aggregates: BaseAggregate[UUID]) -> None:
        """Save a reaction with its tracking position in one transaction (a repeat fails on the tracking key).

        This is what the library's ProcessApplication does for its own aggregates, here for a policy that changes
        this application's aggregates in reaction to another application's events.
        """
        check_event_text(event for aggregate in aggregates for event in aggregate.pending_events)
        processing_event: ProcessingEvent[UUID] = ProcessingEvent(tracking=tracking)
        processing_event.collect_events(*aggregates)
        recordings = self._record(processing_event)
        self._take_snapshots(processing_event)
        self._notify(recordings)


def check_version(aggregate: BaseAggregate[UUID], expected_version: int | None) -> None:
    """Optimistic concurrency for callers that read a version first (If-Match)."""
    if expected_version is not None and aggregate.version != expected_version:
        raise VersionMismatch(
            detail=f"expected version {expected_version}, the record is at version {aggregate.version}"
        )
