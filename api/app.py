"""The Litestar application factory: nothing connects at import time."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from functools import partial

from litestar import Litestar
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme

from api.auth import bearer_authentication
from api.context import provide_clock, provide_registry
from api.controllers.audit import AuditController, TamperEvidenceController
from api.controllers.burial import (
    EcoBurialStatisticsController,
    RewardClaimController,
    RewardScheduleController,
)
from api.controllers.deaths import (
    BundleController,
    DeathController,
    DeathDecisionWorklistController,
    DepartmentWorklistController,
)
from api.controllers.divorces import DivorceController
from api.controllers.dv import DvInquiryController, DvRecordController
from api.controllers.exchange import ExchangeController
from api.controllers.health import HealthController
from api.controllers.marriages import MarriageController
from api.controllers.metrics import MetricsController
from api.controllers.persons import PersonController
from api.controllers.places import (
    AddressController,
    DoorPlateController,
    NameAnnouncementWorklistController,
    PlaceNameController,
    PlateSignWorklistController,
)
from api.controllers.queries import QueryController
from api.errors import EXCEPTION_HANDLERS
from api.feed_waits import FeedNotifications, FeedWaits, released_on_stop
from api.limits import BODY_MAX
from api.logging import RequestLogMiddleware, configure_logging
from api.metrics import Metrics, MetricsMiddleware
from api.openapi import OpenAPIContract
from api.rate_limits import Budget, RateLimits, address, subject
from api.views import ViewWatch
from api.web import WEB_PATHS, template_config, web_router
from projections.catalog import ReadSide
from projections.exchange_feed import is_feed_batch
from projections.exchange_feed.queries import feed_head
from registry.common.clock import Clock, SystemClock
from registry.common.start_up import settle_start_up
from registry.keys import Purpose
from registry.settings import Settings
from registry.system import Registry, open_registry

# The interactive docs, served from the registry itself (a registry runs where nothing may load from a CDN).
SWAGGER_ASSETS = "/static/vendor/swagger-ui"
OFFLINE_SWAGGER_UI = SwaggerRenderPlugin(
    path="/",
    js_url=f"{SWAGGER_ASSETS}/swagger-ui-bundle.js",
    css_url=f"{SWAGGER_ASSETS}/swagger-ui.css",
    standalone_preset_js_url=f"{SWAGGER_ASSETS}/swagger-ui-standalone-preset.js",
    favicon=f"<link rel='icon' type='image/png' href='{SWAGGER_ASSETS}/favicon-32x32.png'>",
)


# The HTTP API's controllers (the portal and the console are web_router's), in the order the OpenAPI lists them.
API_CONTROLLERS = [
    HealthController, MetricsController, MarriageController, DivorceController, PersonController, QueryController,
    AuditController, TamperEvidenceController, DvRecordController, DvInquiryController, DeathController,
    BundleController, DepartmentWorklistController, DeathDecisionWorklistController, RewardScheduleController,
    RewardClaimController, EcoBurialStatisticsController, PlaceNameController, DoorPlateController, AddressController,
    PlateSignWorklistController, NameAnnouncementWorklistController, ExchangeController,
]  # fmt: skip


def create_app(
    settings: Settings | None = None,
    *,
    registry: Registry | None = None,
    clock: Clock | None = None,
    run_projections: bool = False,
) -> Litestar:
    """Build the HTTP API. A given registry is used as is (tests); otherwise one is opened at startup.

    With run_projections, this process also keeps the read models current (the embedded default).
    """
    settings = settings or (registry.settings if registry else Settings.from_env())
    configure_logging(settings.log_format)
    metrics = Metrics()
    subjects = Budget(settings.rate_limit)  # one budget per subject, spent by the API and the pages alike
    return Litestar(
        route_handlers=[*API_CONTROLLERS, web_router(settings, subjects)],
        dependencies={
            "registry": Provide(provide_registry, sync_to_thread=False),
            "clock": Provide(provide_clock, sync_to_thread=False),
        },
        middleware=_middleware(settings, metrics, subjects),
        template_config=template_config(),
        exception_handlers=EXCEPTION_HANDLERS,
        request_max_body_size=BODY_MAX,  # routes that need less or more say so (api/limits.py)
        lifespan=[_lifespan(settings, metrics, registry=registry, clock=clock, run_projections=run_projections)],
        plugins=[OpenAPIContract()],  # completes the OpenAPI document from the guards, bodies and errors
        openapi_config=_openapi_config(),
        debug=False,
    )


def _lifespan(
    settings: Settings, metrics: Metrics, *, registry: Registry | None, clock: Clock | None, run_projections: bool
) -> Callable[[Litestar], AbstractAsyncContextManager[None]]:
    """What the app holds while it serves: the registry (opened here unless given), its read side, clock, metrics."""

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        owned = registry is None
        app.state.registry = registry or open_registry(settings)
        app.state.clock = clock or SystemClock()
        app.state.metrics = metrics
        app.state.read_side = ReadSide(app.state.registry)
        app.state.audit_log = app.state.read_side.audit_log
        app.state.view_watch = ViewWatch(app.state.read_side)
        app.state.feed_waits = feed_waits = FeedWaits(partial(feed_head, app.state.read_side.store))
        notifications = None
        if run_projections:
            app.state.read_side.start(on_batch=lambda name: feed_waits.ring() if is_feed_batch(name) else None)
        elif app.state.read_side.store.is_postgres:  # another process keeps the feed: its NOTIFY rings
            notifications = FeedNotifications(app.state.read_side.store.listen_connection, feed_waits)
            feed_waits.on_first_hold = notifications.start
        try:
            with released_on_stop(feed_waits):
                yield
        finally:
            if notifications is not None:
                notifications.close()
            app.state.read_side.close()
            if owned:
                app.state.registry.close()

    return lifespan


def _middleware(settings: Settings, metrics: Metrics, subjects: Budget) -> list[DefineMiddleware]:
    """The request log, metrics, bearer tokens and rate limits, outermost first."""
    return [
        DefineMiddleware(RequestLogMiddleware),
        DefineMiddleware(MetricsMiddleware, metrics=metrics),
        bearer_authentication(settings.keys[Purpose.TOKEN], settings.token_max_hours * 3600, WEB_PATHS),
        DefineMiddleware(RateLimits, budget=subjects, caller=subject),
        DefineMiddleware(RateLimits, budget=Budget(settings.rate_limit_anonymous), caller=address),
    ]


def _openapi_config() -> OpenAPIConfig:
    """OpenAPI 3.1 at /schema, with the interactive docs served offline and bearer tokens declared."""
    return OpenAPIConfig(
        title="Civil-affairs registry",
        version="1.0.0",
        description="Event-sourced civil-affairs registry. Errors are RFC 9457 problem details.",
        path="/schema",
        render_plugins=[OFFLINE_SWAGGER_UI],
        components=Components(
            security_schemes={"bearer": SecurityScheme(type="http", scheme="bearer", bearer_format="JWT")}
        ),
        security=[{"bearer": []}],
    )


SERVE_PROJECTIONS = "REGISTRY_SERVE_PROJECTIONS"  # set by `registry serve --workers N` for its worker processes


def app_from_env() -> Litestar:
    """The app of one worker process of `registry serve --workers N`: settings from the environment."""
    app = create_app(run_projections=os.environ.get(SERVE_PROJECTIONS, "y") == "y")
    settle_start_up()
    return app
