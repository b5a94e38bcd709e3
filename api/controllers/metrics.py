"""Metrics for Prometheus: for an operator's token (the scraper's) or an auditor's, never anonymous."""

from __future__ import annotations

from litestar import Controller, Response, get
from litestar.datastructures import State
from litestar.di import NamedDependency
from prometheus_client import CONTENT_TYPE_LATEST

from api.auth import allow
from registry.common.actors import Role
from registry.system import Registry


class MetricsController(Controller):
    tags = ("operations",)

    @get("/metrics", guards=[allow(Role.OPERATOR, Role.AUDITOR)], sync_to_thread=True, include_in_schema=False)
    def metrics(self, registry: NamedDependency[Registry], state: State) -> Response[bytes]:
        """Requests, latency and commands since this process started; log heads and read-model lag as of now."""
        state.metrics.observe_read_side(registry, state.read_side)
        return Response(state.metrics.exposition(), media_type=CONTENT_TYPE_LATEST)
