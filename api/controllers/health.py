"""Liveness and readiness."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Response, get
from litestar.datastructures import State
from litestar.di import NamedDependency

from registry.system import Registry


class HealthController(Controller):
    tags = ("operations",)

    @get("/health", sync_to_thread=False)
    def health(self) -> dict[str, str]:
        """The process is up."""
        return {"status": "ok"}

    @get("/ready", sync_to_thread=True)
    def ready(self, registry: NamedDependency[Registry], state: State) -> Response[dict[str, Any]]:
        """The store is reachable and migrated (every log head readable); how far each read model lags."""
        heads: dict[str, Any] = {}
        lags: dict[str, Any] = {}
        ready = True
        try:
            for name, application in registry.applications().items():
                heads[name] = application.recorder.max_notification_id() or 0
            positions = state.read_side.store.positions()
            for follower in state.read_side.followers:
                lags[follower.tracking_name] = heads[follower.application.name] - positions.get(
                    follower.tracking_name, 0
                )
        except Exception as error:  # any store failure means not ready; say which kind, nothing more
            heads["error"] = type(error).__name__
            ready = False
        body = {"status": "ready" if ready else "not-ready", "log_heads": heads, "projection_lag": lags}
        return Response(body, status_code=200 if ready else 503)
