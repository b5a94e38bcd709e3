"""The web front ends, served by the registry itself: the citizen portal (/portal), the clerk console (/console),
certificate verification (/verify) and sign-in. Pages call the same application layer and the same checks as the
API; sessions live in an encrypted cookie, and every form carries a CSRF token."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from litestar import Router
from litestar.middleware import DefineMiddleware
from litestar.middleware.csrf import CSRFMiddleware
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template import TemplateConfig

from api.rate_limits import Budget, RateLimits, subject
from api.web.console_counter import ConsoleHome, CounterConsole
from api.web.console_offices import AuditConsole, DepartmentConsole, PlaceNameConsole
from api.web.oidc import OidcSignIn
from api.web.pages import PAGE_EXCEPTION_HANDLERS
from api.web.portal import CitizenPortal
from api.web.public import PublicPages
from api.web.session import SessionPrincipal, csrf_config, session_middleware
from registry.settings import Settings

HERE = Path(__file__).parent
PAGES = [
    PublicPages,
    OidcSignIn,
    CitizenPortal,
    ConsoleHome,
    CounterConsole,
    DepartmentConsole,
    PlaceNameConsole,
    AuditConsole,
]
# No caching of personal pages, no framing, and nothing loaded from elsewhere.
PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    "Referrer-Policy": "same-origin",
}
# The paths the pages own: the API's bearer authentication leaves them to the session.
WEB_PATHS = ("^/$", "^/(portal|console|verify|sign-in|sign-out|language|static)(/|$)")


def web_router(settings: Settings, subjects: Budget) -> Router:
    """Every page and asset, behind the session, the CSRF check and the pages' own error pages."""
    pages = Router(
        path="/",
        route_handlers=PAGES,
        middleware=[
            session_middleware(settings),
            DefineMiddleware(CSRFMiddleware, config=csrf_config(settings)),
            DefineMiddleware(SessionPrincipal),
            DefineMiddleware(RateLimits, budget=subjects, caller=subject),
        ],
        exception_handlers=PAGE_EXCEPTION_HANDLERS,
        include_in_schema=False,
        response_headers=PAGE_HEADERS,
    )
    static = create_static_files_router(
        path="/static", directories=[HERE / "static"], include_in_schema=False, cache_control=None
    )
    return Router(path="/", route_handlers=[pages, static], include_in_schema=False)


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    environment = Environment(
        loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(default=True), trim_blocks=True,
        lstrip_blocks=True,
    )  # fmt: skip
    return TemplateConfig(instance=JinjaTemplateEngine.from_environment(environment))
