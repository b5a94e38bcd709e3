"""Every read model of the registry, and the followers that keep them current."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from projections.addresses import AddressRegister, PlateSigns
from projections.audit.leaves import MerkleLeaves, fill_missing_nodes
from projections.audit.service import CHECKPOINTS_TABLE, AuditLog, CheckpointPublisher
from projections.audit_trail import AuditTrail, rekey_persons_by_position
from projections.base import REBUILD_SUFFIX, Projection
from projections.exchange_feed import FEED_MOVED, ExchangeFeed, is_feed_batch
from projections.failing import published_failing
from projections.front_desk import FrontDeskIndex
from projections.marital_status import MaritalStatusIndex
from projections.quarantine import Quarantined, quarantined, record_failed_retry, skip
from projections.rebuild import rebuild
from projections.rewards_ledger import BurialUptake, RewardsLedger
from projections.runner import Follower, LogReads, Policy, ProjectionService, create_schema
from projections.store import ViewStore
from projections.worklists import MarriageWorklist
from projections.worklists.departments import DeathDecisions, DepartmentTasks
from projections.worklists.place_names import NameDuties
from projections.worklists.queries import WorklistRules
from registry.adapters.postgres_pool import replica_pool
from registry.common.clock import SystemClock
from registry.common.ids import PersonKeys
from registry.common.workdays import WorkingCalendar
from registry.deaths.policies import EcoBurialTaskPolicy, WidowhoodPolicy
from registry.keys import Purpose
from registry.marriage.policies import EndedElsewherePolicy
from registry.settings import Settings
from registry.system import Registry, migrate, one_migration_at_a_time, open_registry


def all_projections(keys: PersonKeys, feed_key: bytes, calendar: WorkingCalendar, suffix: str = "") -> list[Projection]:
    return [
        AuditTrail(keys, suffix),
        MaritalStatusIndex(keys, suffix),
        MarriageWorklist(calendar, suffix),
        DepartmentTasks(suffix),
        DeathDecisions(suffix),
        RewardsLedger(suffix),
        BurialUptake(suffix),
        AddressRegister(suffix),
        PlateSigns(suffix),
        NameDuties(suffix),
        MerkleLeaves(suffix),
        ExchangeFeed(feed_key, suffix),
        FrontDeskIndex(keys, suffix),
    ]


def projection_named(
    name: str, keys: PersonKeys, feed_key: bytes, calendar: WorkingCalendar, suffix: str = ""
) -> Projection:
    for projection in all_projections(keys, feed_key, calendar, suffix):
        if projection.name == name:
            return projection
    known = ", ".join(p.name for p in all_projections(keys, feed_key, calendar))
    raise KeyError(f"no projection named {name!r} (known: {known})")


def followers_of(registry: Registry, projections: list[Projection]) -> list[Follower]:
    applications = registry.applications()
    batch = registry.settings.projection_batch
    return [Follower(p, applications[name], batch) for p in projections for name in p.follows]


class ReadSide:
    """The read models of one process: their store, their followers, and optionally a service keeping them current.

    `store` is the primary: the projections write there and everything that decides or writes reads there. `reads`
    is where the position-stamped reads of the API go: the streaming replica when REGISTRY_REPLICA_URL is set, else
    the same store. A replica never answers older than the position it reports: its projection_tracking rows are
    committed with the rows they track, a standby replays commits in the primary's commit order and never goes back,
    so a view read after the positions in `reads` (api/views.py) reflects at least those positions.
    """

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self.keys = registry.marriage.person_keys
        self.store = ViewStore(registry.settings, registry.pool)
        self.replica = replica_of(registry.settings)
        self.reads = self.store if self.replica is None else ViewStore(registry.settings, self.replica)
        self.feed_key = registry.settings.keys[Purpose.FEED_AT_REST]
        self.calendar = registry.marriage.calendar
        self.worklist_rules = WorklistRules(self.calendar, registry.marriage.application_lapse_days)
        self.projections = all_projections(self.keys, self.feed_key, self.calendar)
        self.followers = followers_of(registry, self.projections)
        signing = Purpose.CHECKPOINT_SIGNING
        self.audit_log = AuditLog(
            self.store, registry.settings.keys.signer(signing), registry.settings.signing_key_id(signing)
        )
        self.publisher = CheckpointPublisher(
            self.audit_log, list(MerkleLeaves.follows), SystemClock(), registry.settings.checkpoint_seconds
        )
        self.policies: list[Policy] = [
            WidowhoodPolicy(registry.deaths, registry.marriage),
            EcoBurialTaskPolicy(registry.burial, registry.deaths),
            EndedElsewherePolicy(registry.exchange, registry.marriage),
        ]
        self.service: ProjectionService | None = None

    def migrate(self) -> None:
        create_schema(self.store, self.projections)
        with self.store.transaction() as cursor:
            cursor.execute(CHECKPOINTS_TABLE)
        fill_missing_nodes(self.store)  # trees from before the node table
        rekey_persons_by_position(self.store)  # an audit trail from before its person rows were keyed by position

    def catch_up(self) -> int:
        """Run every process policy and every projection to the head of the logs (policies first)."""
        reacted = sum(policy.catch_up() for policy in self.policies)
        reads = LogReads()
        projected = sum(follower.catch_up(self.store, reads=reads) for follower in self.followers)
        self.publisher.catch_up()
        return reacted + projected

    def start(self, on_batch: Callable[[str], object] = lambda _: None) -> None:
        """Follow the logs in a background thread (`registry serve` keeping the read models itself); `on_batch` is told
        the tracking name of each batch committed."""
        self.service = self.projection_service(on_batch=on_batch)
        self.service.start()

    def projection_service(
        self,
        *,
        on_batch: Callable[[str], object] = lambda _: None,
        stop: threading.Event | None = None,
        publish_failing: bool = False,
    ) -> ProjectionService:
        """What keeps every read model, process policy and checkpoint current, in round order, with the exchange feed
        urgent: it goes again between steps once a marriage is saved in this process or notified by the store.
        With publish_failing (a process apart from the servers) its failing steps are published for their /ready."""
        feeds = [f for f in self.followers if isinstance(f.projection, ExchangeFeed)]
        return ProjectionService(
            self.store,
            self.in_round_order(),
            [*self.policies, self.publisher],
            on_batch=on_batch,
            stop=stop,
            urgent=[(feed, feed.application.saved_here) for feed in feeds],  # type: ignore[attr-defined]
            publish_failing=publish_failing,
        )

    def announce_feed(self, tracking_name: str) -> None:
        """Once a batch of the exchange feed has committed, say so on FEED_MOVED (PostgreSQL): a server whose read
        models another process keeps wakes the peers' requests held for new facts (api/feed_waits.py)."""
        if is_feed_batch(tracking_name):
            self.store.notify(FEED_MOVED)

    def in_round_order(self) -> list[Follower]:
        """The followers as a projection service runs them: the exchange feed first, since peers hold requests for its
        facts and a bigamous registration in another province would wait out every projection before it."""
        return sorted(self.followers, key=lambda follower: not isinstance(follower.projection, ExchangeFeed))

    def close(self) -> None:
        if self.service is not None:
            self.service.stop()
        self.store.close()
        if self.replica is not None:
            self.replica.close()

    def position(self, application: str) -> int:
        """The log position every read model following `application` has reached (the lowest of them)."""
        return self.position_in(self.store.positions(), application)

    def replica_lag(self) -> dict[str, int]:
        """Events each read model on the replica is behind the same read model on the primary ({} without one)."""
        if self.replica is None:
            return {}
        primary, replica = self.store.positions(), self.reads.positions()
        return {
            f.tracking_name: primary.get(f.tracking_name, 0) - replica.get(f.tracking_name, 0) for f in self.followers
        }

    def position_in(self, positions: dict[str, int], application: str) -> int:
        """The lowest of the given tracking positions of the read models following `application`."""
        names = [f.tracking_name for f in self.followers if f.application.name == application]
        return min((positions.get(name, 0) for name in names), default=0)

    def head(self, application: str) -> int:
        """The position of the last event in the log of `application` (0 when it is empty)."""
        return self.registry.applications()[application].recorder.max_notification_id() or 0

    def follower_named(self, tracking_name: str) -> Follower:
        """The follower of a tracking name such as "audit_trail/marriage" (KeyError naming the valid ones)."""
        for follower in self.followers:
            if follower.tracking_name == tracking_name:
                return follower
        known = ", ".join(f.tracking_name for f in self.followers)
        raise KeyError(f"no read model follower named {tracking_name!r} (known: {known})")

    def failing(self) -> dict[str, str]:
        """The failing steps (step -> the error's type) of this process's runner, or, where this process runs none,
        those the processes that keep the read models published."""
        return dict(self.service.failing) if self.service is not None else published_failing(self.store)

    def quarantined(self, *, only_open: bool = False) -> list[Quarantined]:
        return quarantined(self.store, only_open=only_open)

    def retry_quarantined(self, tracking_name: str, notification_id: int) -> None:
        """Apply a quarantined event again (once the code is fixed); it leaves the quarantine on success.

        A failure changes nothing but the error on record, and is raised.
        """
        follower = self.follower_named(tracking_name)
        try:
            follower.reapply(self.store, notification_id)
        except LookupError:
            raise
        except Exception as error:
            record_failed_retry(self.store, tracking_name, notification_id, error)
            raise

    def skip_quarantined(self, tracking_name: str, notification_id: int, reason: str) -> None:
        """Accept that the read model will never hold the event (recorded with the reason)."""
        self.follower_named(tracking_name)
        skip(self.store, tracking_name, notification_id, reason)

    def rebuild(self, name: str, on_batch: Callable[[int], object] | None = None) -> int:
        live = projection_named(name, self.keys, self.feed_key, self.calendar)
        shadow = projection_named(name, self.keys, self.feed_key, self.calendar, REBUILD_SUFFIX)
        return rebuild(self.store, followers_of(self.registry, [live]), followers_of(self.registry, [shadow]), on_batch)


def replica_of(settings: Settings) -> Any:
    """The replica's pool (REGISTRY_REPLICA_URL), or None: the read models are then read on the primary."""
    if settings.replica_url is None:
        return None
    parts, schema = settings.postgres_connection(replica=True), settings.postgres_target()[1]
    return replica_pool(parts, schema, budget=settings.replica_connections)


def migrate_all(settings: Settings) -> list[str]:
    """Create the tables of every application and every read model (what `registry db migrate` does), one migration
    of a database at a time."""
    with one_migration_at_a_time(settings):
        migrated = migrate(settings)
        registry = open_registry(settings)
        read_side = ReadSide(registry)
        try:
            read_side.migrate()
        finally:
            read_side.close()
            registry.close()
    return [*migrated, *(f"read model {p.name}" for p in read_side.projections)]
