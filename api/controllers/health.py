"""Liveness and readiness."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Response, get
from litestar.di import NamedDependency

from registry.system import Registry


class HealthController(Controller):
    tags = ("operations",)

    @get("/health", sync_to_thread=False)
    def health(self) -> dict[str, str]:
        """The process is up."""
        return {"status": "ok"}

    @get("/ready", sync_to_thread=True)
    def ready(self, registry: NamedDependency[Registry]) -> Response[dict[str, Any]]:
        """The store is reachable and migrated: every application can read its log head."""
        checks: dict[str, Any] = {}
        ready = True
        for name, application in registry.applications().items():
            try:
                checks[name] = {"log_head": application.recorder.max_notification_id() or 0}
            except Exception as error:  # any store failure means not ready; say which kind
                checks[name] = {"error": type(error).__name__}
                ready = False
        return Response(
            {"status": "ready" if ready else "not-ready", "applications": checks}, status_code=200 if ready else 503
        )
