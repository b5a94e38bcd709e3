"""Liveness and readiness."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar import Controller, Request, Response, get
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.exceptions import NotAuthorizedException

from api.auth import Principal, read_token
from projections.catalog import ReadSide
from registry.adapters.postgres_pool import replica_status
from registry.common.actors import Role
from registry.keys import Purpose
from registry.system import Registry

# Who may see why the registry is not ready (projection names, positions, quarantined events; no personal data).
SEES_DETAILS = (Role.OPERATOR, Role.AUDITOR)


class HealthController(Controller):
    tags = ("operations",)

    @get("/health", sync_to_thread=False)
    def health(self) -> dict[str, str]:
        """The process is up."""
        return {"status": "ok"}

    @get("/ready", sync_to_thread=True)
    def ready(
        self, request: Request[Any, Any, Any], registry: NamedDependency[Registry], state: State
    ) -> Response[dict[str, Any]]:
        """Ready: the store is reachable and migrated, no read model is stopped, lags more than
        REGISTRY_READY_MAX_LAG events or has a quarantined event. Anyone gets the status; an operator or an auditor
        (bearer token) also gets the reasons, log heads and lags."""
        body = readiness(registry, state.read_side, state.get("read_models_running"))
        status = 200 if body["status"] == "ready" else 503
        if caller_role(request, registry) not in SEES_DETAILS:
            body = {"status": body["status"]}
        return Response(body, status_code=status)


def readiness(
    registry: Registry, read_side: ReadSide, read_models_running: Callable[[], bool] | None = None
) -> dict[str, Any]:
    """The status, and why it is not ready (`read_models_running`: whether the child process that keeps the read
    models runs, for a server that started one)."""
    heads: dict[str, int] = {}
    lags: dict[str, int] = {}
    reasons: list[str] = []
    quarantined: dict[str, list[int]] = {}
    failing: dict[str, str] = {}
    try:
        for name, application in registry.applications().items():
            heads[name] = application.recorder.max_notification_id() or 0
        positions = read_side.store.positions()
        for follower in read_side.followers:
            lags[follower.tracking_name] = heads[follower.application.name] - positions.get(follower.tracking_name, 0)
        for entry in read_side.quarantined(only_open=True):
            quarantined.setdefault(entry.projection, []).append(entry.notification_id)
        failing = read_side.failing()  # this process's runner's, else those the read models' processes published
    except Exception as error:  # any store failure means not ready; say which kind, nothing more
        reasons.append(f"the store cannot be read ({type(error).__name__})")
    service = read_side.service
    if service is not None and not service.running:
        reasons.append("the projection runner of this process has stopped")
    reasons += [f"{name} is failing ({error})" for name, error in sorted(failing.items())]
    if read_models_running is not None and not read_models_running():
        reasons.append("the read models' process is not running (the server starts it again)")
    limit = registry.settings.ready_max_lag
    reasons += [f"{name} lags {lag} events (more than {limit})" for name, lag in lags.items() if lag > limit]
    reasons += [f"{name} has quarantined events {ids}" for name, ids in quarantined.items()]
    replica = replica_readiness(read_side, limit, reasons)
    return {
        "status": "not-ready" if reasons else "ready",
        "reasons": reasons,
        "quarantined": quarantined,
        "log_heads": heads,
        "projection_lag": lags,
        **({"replica": replica} if replica else {}),
    }


def replica_readiness(read_side: ReadSide, limit: int, reasons: list[str]) -> dict[str, Any]:
    """The replica's part ({} without one): reachable, a standby, replay paused, and how many events each read model
    there is behind the primary's; unreachable or behind by more than `limit` adds a reason (its reads would fail or
    wait)."""
    if read_side.replica is None:
        return {}
    status = replica_status(read_side.replica)
    if not status.reachable:
        reasons.append(f"the replica cannot be read ({status.error})")
        return {"reachable": False}
    try:
        lags = read_side.replica_lag()
    except Exception as error:  # gone between the two reads: not ready, as above
        reasons.append(f"the replica cannot be read ({type(error).__name__})")
        return {"reachable": False}
    reasons += [
        f"{name} on the replica lags {lag} events (more than {limit})" for name, lag in lags.items() if lag > limit
    ]
    if not status.standby:
        reasons.append("REGISTRY_REPLICA_URL names a server that is not a standby")
    return {
        "reachable": True, "standby": status.standby, "replay_paused": status.replay_paused,
        "seconds_since_replay": status.seconds_since_replay, "lag_behind_primary": lags,
    }  # fmt: skip


def caller_role(request: Request[Any, Any, Any], registry: Registry) -> Role | None:
    """The role of a valid bearer token, if one was sent (/ready is open to anyone, so it is read here)."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        return None
    settings = registry.settings
    try:
        principal: Principal = read_token(
            settings.keys[Purpose.TOKEN], token.strip(), max_lifetime_seconds=settings.token_max_hours * 3600
        )
    except NotAuthorizedException:
        return None
    return principal.role
