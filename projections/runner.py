"""Runs projections: batches of events, each batch's view changes and position in one transaction.

Rounds run when a log may have moved (projections/wake_ups.py: PostgreSQL's notifications, SQLite's polling). The
same projection code runs on both stores.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Protocol

import structlog
from eventsourcing.application import Application
from eventsourcing.persistence import Notification

from projections.base import Projection, of_aggregates
from projections.failing import FAILING_TABLE, FailingPublisher
from projections.quarantine import QUARANTINE_TABLE, open_entry, put_in_quarantine, release
from projections.store import Cursor, ViewStore, locked_position, set_position
from projections.wake_ups import WakeUps
from registry.adapters.faults import store_fault

BATCH_SIZE = 500
# Under sustained load a round always follows a notification; every log is checked at least this often anyway.
EVERY_LOG_SECONDS = 1.0
ATTEMPTS_BEFORE_QUARANTINE = 3  # an event that fails on its own this often is quarantined (a transient fault is not)
RETRY_PAUSE_SECONDS = 0.2
FAILED_ROUND_PAUSE_SECONDS = 1.0
MAX_FAILED_ROUND_PAUSE_SECONDS = 30.0
# A round that read past fewer events than GATHER_BELOW, counted once for each read model that read them (an
# official's read records one oversight event, which two read models follow: 2; a marriage event, 6), and once for each
# policy reaction, was small: the next one starts no sooner than GATHER_SECONDS after it began, so that a trickle of
# events shares each round's fixed cost, a transaction, a position and a commit per read model (at 300 recorded reads a
# second, about 8 reads a round). After an idle wait the first event goes at once, after a larger round the next one
# too, and a marriage saved or notified meanwhile ends the wait for the exchange feed (checked every
# URGENT_CHECK_SECONDS). The other read models and the policies may see an event up to GATHER_SECONDS later, twice along
# a chain such as a death and its widowhood.
GATHER_BELOW = 16
GATHER_SECONDS = 0.025
URGENT_CHECK_SECONDS = 0.005

log = structlog.get_logger("registry.projections")


class LogReads:
    """The log reads of one projection round: read models at the same position of a log share one read of it, and
    an event several of them follow is decoded once. Events never change and a log only grows, so a read made
    earlier in the round is a true, if shorter, view of it (the next round reads again). Only the last read of each
    log is kept, with its decoded events: a round holds at most a batch of each log."""

    def __init__(self) -> None:
        self._last: dict[str, tuple[int, int, Sequence[Notification]]] = {}  # application -> position, limit, read
        self._events: dict[str, dict[int, Any]] = {}  # application -> notification id -> the decoded event

    def after(self, application: Application[Any], position: int, limit: int) -> Sequence[Notification]:
        last = self._last.get(application.name)
        if last is not None and last[:2] == (position, limit):
            return last[2]
        read = application.recorder.select_notifications(start=position, limit=limit, inclusive_of_start=False)
        self._last[application.name] = (position, limit, read)
        self._events[application.name] = {}
        return read

    def event(self, application: Application[Any], notification: Notification) -> Any:
        events = self._events.setdefault(application.name, {})
        if notification.id not in events:
            events[notification.id] = application.mapper.to_domain_event(notification)
        return events[notification.id]


@dataclass
class Follower:
    """One projection following one application's log."""

    projection: Projection
    application: Application[Any]
    batch_size: int = BATCH_SIZE
    # Whether the last batch ended at the head of the log (it found fewer events than it asked for).
    reached_head: bool = field(default=False, init=False, repr=False, compare=False)

    @property
    def tracking_name(self) -> str:
        return self.projection.tracking_name(self.application.name)

    def process_batch(self, store: ViewStore, reads: LogReads | None = None) -> int:
        """Process the next batch after the tracked position; returns how many events it processed.

        A batch that fails is rolled back and its events are applied one at a time, so that the one event this
        read model cannot apply is found and quarantined, and the others are applied. A fault of the store (it is
        down, or not migrated) is raised instead: the batch is tried again later and nothing is quarantined.
        """
        self.reached_head = False
        try:
            return self.apply_next(store, self.batch_size, reads)
        except Exception as error:
            if store_fault(error):
                raise
        return self.apply_one_at_a_time(store)

    def apply_next(self, store: ViewStore, limit: int, reads: LogReads | None = None) -> int:
        """Apply up to `limit` events after the tracked position, and the new position, in one transaction."""
        with store.transaction() as cursor:
            position = locked_position(cursor, self.tracking_name, self.application.name)
            reached, processed = self.process_after(cursor, position, limit=limit, reads=reads)
            if processed:
                set_position(cursor, self.tracking_name, reached)
        self.reached_head = processed < limit
        return processed

    def apply_one_at_a_time(self, store: ViewStore) -> int:
        """Apply up to a batch of events singly; the first that keeps failing is quarantined and ends the batch."""
        processed = 0
        while processed < self.batch_size:
            position = store.position(self.tracking_name)
            try:
                applied = self.apply_next_with_retries(store)
            except Exception as error:
                if store_fault(error) or not self.projection.quarantinable:
                    raise
                self.quarantine_next(store, error, after=position)
                return processed + 1
            if applied == 0:
                break
            processed += applied
        return processed

    def apply_next_with_retries(self, store: ViewStore) -> int:
        """Apply the next event alone, tried again after a pause (a transient error is not a poisoned event)."""
        for attempt in range(1, ATTEMPTS_BEFORE_QUARANTINE + 1):
            try:
                return self.apply_next(store, 1)
            except Exception as error:
                if store_fault(error) or attempt == ATTEMPTS_BEFORE_QUARANTINE:
                    raise
                time.sleep(RETRY_PAUSE_SECONDS)
        return 0  # not reached: the last attempt returns or raises

    def quarantine_next(self, store: ViewStore, error: Exception, *, after: int) -> None:
        """Set the event after `after` (the one that failed) aside for this read model, with its error, and move the
        position past it; if another runner has moved the position meanwhile, leave it (it was not that event)."""
        with store.transaction() as cursor:
            position = locked_position(cursor, self.tracking_name, self.application.name)
            if position != after:
                return
            notifications = self.application.recorder.select_notifications(
                start=position, limit=1, inclusive_of_start=False
            )
            if not notifications:
                return
            notification_id = notifications[0].id
            put_in_quarantine(cursor, self.tracking_name, notification_id, error)
            set_position(cursor, self.tracking_name, notification_id)
        log.error(
            "event quarantined",
            projection=self.tracking_name,
            notification_id=notification_id,
            error_type=type(error).__name__,
            exc_info=error,
        )

    def reapply(self, store: ViewStore, notification_id: int) -> None:
        """Apply a quarantined event now (after a fix of the code) and release it; on failure nothing changes."""
        with store.transaction() as cursor:
            open_entry(cursor, self.tracking_name, notification_id)
            notifications = self.application.recorder.select_notifications(start=notification_id, limit=1)
            if not notifications or notifications[0].id != notification_id:
                raise LookupError(f"event {notification_id} is not in the log of {self.application.name}")
            notification = notifications[0]
            event = notification if self.projection.raw else self.application.mapper.to_domain_event(notification)
            self.projection.apply(cursor, self.application.name, [(notification_id, event)])
            release(cursor, self.tracking_name, notification_id)

    def process_after(
        self, cursor: Cursor, position: int, *, limit: int | None, reads: LogReads | None = None
    ) -> tuple[int, int]:
        """Apply the events after `position` (at most `limit`, or all) in this transaction; `reads` shares the round's
        reads of the log with other read models.

        Returns the position reached and how many events were applied.
        """
        reads = reads or LogReads()
        processed = 0
        while True:
            notifications = reads.after(self.application, position, limit or BATCH_SIZE)
            if notifications:
                raw, topics = self.projection.raw, self.projection.reads
                read = [n for n in notifications if of_aggregates(topics, n.topic)]
                batch = [(n.id, n if raw else reads.event(self.application, n)) for n in read]
                if batch:
                    self.projection.apply(cursor, self.application.name, batch)
                position = notifications[-1].id
                processed += len(notifications)
            if limit is not None or len(notifications) < BATCH_SIZE:
                return position, processed

    def catch_up(
        self, store: ViewStore, *, on_batch: Callable[[int], object] | None = None, reads: LogReads | None = None
    ) -> int:
        """Process batches until the head of the log (without a last transaction to find nothing more); returns how
        many events it processed."""
        total = 0
        while processed := self.process_batch(store, reads):
            total += processed
            if on_batch is not None:
                on_batch(processed)
            if self.reached_head:
                break
        return total

    def head(self) -> int:
        return self.application.recorder.max_notification_id() or 0


def create_schema(store: ViewStore, projections: Iterable[Projection]) -> None:
    store.create_tracking()
    with store.transaction() as cursor:
        cursor.execute(QUARANTINE_TABLE)
        cursor.execute(FAILING_TABLE)
        for projection in projections:
            for statement in projection.schema():
                cursor.execute(statement)


class Policy(Protocol):
    """A process policy that follows another application's log (see registry/common/policy.py); `upstream_name` names
    that application (None: the step runs every round, as the checkpoint publisher does)."""

    @property
    def upstream_name(self) -> str | None: ...

    def catch_up(self) -> int: ...


class ProjectionService:
    """Keeps every process policy and every projection caught up until stopped."""

    def __init__(
        self,
        store: ViewStore,
        followers: list[Follower],
        policies: Sequence[Policy] = (),
        *,
        stop: threading.Event | None = None,
        on_batch: Callable[[str], object] = lambda _: None,
        urgent: Sequence[tuple[Follower, threading.Event]] = (),
        publish_failing: bool = False,
    ) -> None:
        self.store = store
        self.followers = followers
        self.policies = list(policies)
        # Followers run again before any step of a round once their log moved: saved in this process, or notified.
        self.urgent = list(urgent)
        self._stop = stop or threading.Event()
        self._on_batch = on_batch  # told the tracking name of each batch committed (the feed wakes held requests)
        self._thread: threading.Thread | None = None
        self.failing: dict[str, str] = {}  # what failed in the last round (tracking name or policy), and the error
        # A process apart from the servers tells them which steps fail (projections/failing.py).
        steps = [*(type(policy).__name__ for policy in self.policies), *(f.tracking_name for f in followers)]
        self.failing_publisher = FailingPublisher(store, steps) if publish_failing else None
        # How run_forever learns which logs moved, and how a round hears that the urgent followers' logs moved.
        logs = [f.application for f in [*followers, *(follower for follower, _ in self.urgent)]]
        self.wake_ups = WakeUps(store, logs, self._stop)

    def run_forever(self) -> None:
        """Run rounds until stopped: each after the logs it follows move, after a small one once events gathered, and
        with a growing pause while every step fails (the store is down)."""
        wake_ups = self.wake_ups
        pause = FAILED_ROUND_PAUSE_SECONDS
        moved: set[str] | None = None
        every_log_checked = time.monotonic()
        try:
            while not self._stop.is_set():
                if moved is None or time.monotonic() - every_log_checked > EVERY_LOG_SECONDS:
                    moved, every_log_checked = None, time.monotonic()
                started = time.monotonic()
                processed = self.run_round(moved)
                self.publish_failing()
                if len(self.failing) == len(self.policies) + len(self.followers):  # the store is down: back off
                    self._stop.wait(pause)
                    pause = min(pause * 2, MAX_FAILED_ROUND_PAUSE_SECONDS)
                    moved = None
                    continue
                pause = FAILED_ROUND_PAUSE_SECONDS
                if 0 < processed < GATHER_BELOW:
                    self._gather_until(started + GATHER_SECONDS)
                moved = wake_ups.wait(idle=processed == 0)
        finally:
            wake_ups.close()
            if self.failing_publisher is not None:
                self.failing_publisher.withdraw()

    def run_round(self, moved: Collection[str] | None = None) -> int:
        """Catch up every policy, then every follower, each on its own: one that fails holds back no other.

        `moved` names the applications whose logs may have moved since the last round (None: any). The steps that
        follow another of the logs the wake-ups listen to are skipped, unless they failed in the last round. A
        follower whose stored position was at the head of its log as the round began has nothing to do: it is
        skipped, without a transaction, and is no longer failing. The followers of one log share the round's reads
        of it (LogReads). An urgent follower whose log moved meanwhile (saved in this process, or notified by the
        store) goes again before the next step, reading afresh."""

        heard = {follower.application.name for follower in self.followers}  # the logs the wake-ups listen to

        def due(follows: str | None, name: str) -> bool:
            return moved is None or follows not in heard or follows in moved or name in self.failing

        policies = [policy for policy in self.policies if due(policy.upstream_name, type(policy).__name__)]
        followers = [f for f in self.followers if due(f.application.name, f.tracking_name)]
        caught_up = self._caught_up(followers)
        for name in caught_up:
            self.failing.pop(name, None)
        reads = LogReads()
        steps: list[tuple[str, Callable[[], int]]] = [
            *((type(policy).__name__, policy.catch_up) for policy in policies),
            *(
                (follower.tracking_name, partial(self._catch_up, follower, reads))
                for follower in followers
                if follower.tracking_name not in caught_up
            ),
        ]
        processed = 0
        for name, step in steps:
            if self._stop.is_set():
                break
            for urgent, saved_here in self._urgent_moved():
                saved_here.clear()  # before it runs: a save during its catch-up sets it again
                processed += self._step(urgent.tracking_name, partial(self._catch_up, urgent))
            processed += self._step(name, step)
        return processed

    def _gather_until(self, deadline: float) -> None:
        """Let events gather until `deadline`, unless stopped or an urgent follower's log moves meanwhile."""
        while (rest := deadline - time.monotonic()) > 0 and not self._urgent_moved():
            if self._stop.wait(min(rest, URGENT_CHECK_SECONDS) if self.urgent else rest):
                return

    def _urgent_moved(self) -> list[tuple[Follower, threading.Event]]:
        """The urgent followers whose log moved since last asked: saved in this process, or notified (what `peek`
        hears, the next wait of run_forever hears too)."""
        if not self.urgent:
            return []
        notified = self.wake_ups.peek()
        return [
            (follower, saved)
            for follower, saved in self.urgent
            if saved.is_set() or follower.application.name in notified
        ]

    def publish_failing(self) -> None:
        """Tell the servers in other processes which steps fail (when this process publishes them at all)."""
        if self.failing_publisher is not None:
            self.failing_publisher.publish(self.failing)

    def _caught_up(self, followers: list[Follower]) -> set[str]:
        """The followers whose stored position is at the head of their log: the positions are read first, then each
        application's head, so that a position at or past the head means every event up to it was applied. None of
        them if either cannot be read (every follower then runs, and meets the error in its own step)."""
        try:
            positions = self.store.positions()
            applications = {follower.application for follower in followers}
            heads = {application.name: application.recorder.max_notification_id() or 0 for application in applications}
        except Exception:
            return set()
        return {
            follower.tracking_name
            for follower in followers
            if positions.get(follower.tracking_name, -1) >= heads[follower.application.name]
        }

    def _step(self, name: str, step: Callable[[], int]) -> int:
        try:
            processed = step()
        except Exception as error:  # rolled back; tried again next round
            if name not in self.failing:
                log.error("projection failed", step=name, error_type=type(error).__name__, exc_info=error)
            self.failing[name] = type(error).__name__
            return 0
        self.failing.pop(name, None)
        return processed

    def _catch_up(self, follower: Follower, reads: LogReads | None = None) -> int:
        return follower.catch_up(self.store, on_batch=lambda _: self._on_batch(follower.tracking_name), reads=reads)

    @property
    def running(self) -> bool:
        """The background thread is alive (always True when run in the foreground)."""
        return self._thread is None or self._thread.is_alive()

    def start(self) -> None:
        self._thread = threading.Thread(target=self.run_forever, name="projections", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
