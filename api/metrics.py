"""Prometheus metrics of one server process: requests, latency and commands as they happen, the read side at a scrape.

Labels are route templates, handler names, statuses and read-model names: never a path as requested, an id, an
identity number or an office, so that no label can identify a person or grow without bound.
"""

from __future__ import annotations

import time
from collections import Counter as Tally
from typing import TYPE_CHECKING, Any

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from registry.adapters.postgres_pool import replica_status
from registry.exchange.follower import peers_from

if TYPE_CHECKING:
    from projections.catalog import ReadSide
    from registry.system import Registry

MUTATING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
KNOWN_METHODS = frozenset({"GET", "HEAD", "OPTIONS", *MUTATING_METHODS})
UNMATCHED_ROUTE = "unmatched"  # a path that matched no route is never a label: it is whatever the client sent
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
OUTCOMES = {400: "invalid", 401: "denied", 403: "denied", 404: "not-found", 409: "conflict", 412: "conflict",
            413: "invalid", 422: "refused", 429: "limited", 503: "unavailable"}  # fmt: skip


def outcome_of(status: int) -> str:
    """What became of a command, by its answer: accepted, refused by a rule, conflict, invalid, denied, failed."""
    if status < 400:
        return "accepted"
    return OUTCOMES.get(status, "failed" if status >= 500 else "invalid")


class Metrics:
    """The metrics of one process, in a registry of their own (never the client's global one)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "registry_http_requests", "HTTP requests by method, route template and status",
            ["method", "route", "status"], registry=self.registry,
        )  # fmt: skip
        self.latency = Histogram(
            "registry_http_request_duration_seconds", "Time to answer a request, by method and route template",
            ["method", "route"], buckets=LATENCY_BUCKETS, registry=self.registry,
        )  # fmt: skip
        self.commands = Counter(
            "registry_commands", "Commands (mutating requests) by handler and outcome",
            ["command", "outcome"], registry=self.registry,
        )  # fmt: skip
        self.log_heads = Gauge(
            "registry_log_head", "The last position of each application's event log", ["application"],
            registry=self.registry,
        )  # fmt: skip
        self.positions = Gauge(
            "registry_projection_position", "The log position each read model has reached", ["projection"],
            registry=self.registry,
        )  # fmt: skip
        self.lags = Gauge(
            "registry_projection_lag_events", "Events of its log a read model has not applied yet (head - position)",
            ["projection"], registry=self.registry,
        )  # fmt: skip
        self.quarantined = Gauge(
            "registry_projection_quarantined_events", "Events set aside by a read model and not yet resolved",
            ["projection"], registry=self.registry,
        )  # fmt: skip
        self.pool = Gauge(
            "registry_db_pool_connections", "The shared PostgreSQL pool: connections in use, idle, the pool's "
            "maximum, and requests waiting for one", ["state"], registry=self.registry,
        )  # fmt: skip
        self.exchange_positions = Gauge(
            "registry_exchange_follower_position", "The position of each peer's feed this registry has applied",
            ["peer"], registry=self.registry,
        )  # fmt: skip
        self.replica: ReplicaMetrics | None = None

    def observe_request(self, method: str, route: str, status: int, seconds: float, command: str | None) -> None:
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(method, route).observe(seconds)
        if command is not None:
            self.commands.labels(command, outcome_of(status)).inc()

    def observe_read_side(self, registry: Registry, read_side: ReadSide) -> None:
        """Log heads, read-model positions, lags and quarantines, the pool, and exchange positions, read now."""
        heads = {name: app.recorder.max_notification_id() or 0 for name, app in registry.applications().items()}
        for name, head in heads.items():
            self.log_heads.labels(name).set(head)
        positions = read_side.store.positions()
        for follower in read_side.followers:
            position = positions.get(follower.tracking_name, 0)
            self.positions.labels(follower.tracking_name).set(position)
            self.lags.labels(follower.tracking_name).set(max(heads[follower.application.name] - position, 0))
        open_entries = Tally([entry.projection for entry in read_side.quarantined(only_open=True)])
        for follower in read_side.followers:
            self.quarantined.labels(follower.tracking_name).set(open_entries[follower.tracking_name])
        self.observe_pool(registry.pool)
        if read_side.replica is not None:
            self.replica = self.replica or ReplicaMetrics(self.registry)
            self.replica.observe(read_side)
        for peer in peers_from(registry.settings.exchange_peers):
            self.exchange_positions.labels(peer.jurisdiction).set(registry.exchange.position_of(peer.jurisdiction))

    def observe_pool(self, pool: Any) -> None:
        """The shared pool's use (psycopg_pool's statistics); nothing on SQLite, which has no pool."""
        if pool is not None:
            pool_gauges(self.pool, pool)

    def exposition(self) -> bytes:
        """The Prometheus text format of every metric."""
        return generate_latest(self.registry)


def pool_gauges(gauge: Gauge, pool: Any) -> None:
    """A pool's connections in use, idle, its maximum and the requests waiting (psycopg_pool's statistics)."""
    stats = pool.get_stats()
    size, idle = stats.get("pool_size", 0), stats.get("pool_available", 0)
    gauge.labels("in_use").set(size - idle)
    gauge.labels("idle").set(idle)
    gauge.labels("max").set(pool.max_size)
    gauge.labels("waiting").set(stats.get("requests_waiting", 0))


class ReplicaMetrics:
    """The streaming replica's gauges (REGISTRY_REPLICA_URL), made at the first scrape that has a replica."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.up = Gauge(
            "registry_replica_up", "1 when the replica answers as a standby, else 0", registry=registry
        )  # fmt: skip
        self.replay_paused = Gauge(
            "registry_replica_replay_paused", "1 when the replica's WAL replay is paused", registry=registry
        )  # fmt: skip
        self.lag = Gauge(
            "registry_replica_lag_events", "Events each read model on the replica is behind the same read model on "
            "the primary", ["projection"], registry=registry,
        )  # fmt: skip
        self.reads = Gauge(
            "registry_replica_pool_connections", "The replica's pool: connections in use, idle, the pool's maximum, "
            "and requests waiting for one", ["state"], registry=registry,
        )  # fmt: skip

    def observe(self, read_side: ReadSide) -> None:
        """The replica's state read now; an unreachable replica is up 0 and keeps its last lags."""
        status = replica_status(read_side.replica)
        self.up.set(1 if status.reachable and status.standby else 0)
        self.replay_paused.set(1 if status.replay_paused else 0)
        pool_gauges(self.reads, read_side.replica)
        if status.reachable:
            for name, lag in read_side.replica_lag().items():
                self.lag.labels(name).set(lag)


def command_name(scope: Scope) -> str | None:
    """The handler a mutating request reached (`MarriageController.register`); None for reads."""
    handler = scope.get("route_handler")
    if scope.get("method") not in MUTATING_METHODS or handler is None:
        return None
    function = getattr(handler.fn, "func", handler.fn)  # a sync handler is wrapped to run in a thread
    qualified: str = getattr(function, "__qualname__", handler.handler_name)
    return qualified.replace(".<locals>", "")


class MetricsMiddleware:
    """Counts each request by route template and status, times it, and counts commands by outcome."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_noting_status)
        except Exception as error:  # answered by the app's exception handlers further out
            status = getattr(error, "status_code", 500)
            raise
        finally:
            method = scope.get("method", "")
            route = scope.get("path_template") or UNMATCHED_ROUTE
            self.metrics.observe_request(
                method if method in KNOWN_METHODS else "other",
                route,
                status,
                time.perf_counter() - started,
                command_name(scope),
            )
