"""Browser sessions: an encrypted, HttpOnly, SameSite cookie holds who signed in; CSRF protects every form.

The cookies are Secure (and `__Host-` prefixed) when the registry is reached over https (REGISTRY_PUBLIC_URL);
the development server on http://127.0.0.1 uses plain cookies, which browsers would otherwise drop.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import Any

from litestar.config.csrf import CSRFConfig
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie
from litestar.enums import ScopeType
from litestar.middleware import DefineMiddleware
from litestar.middleware.session.base import SessionMiddleware
from litestar.middleware.session.client_side import ClientSideSessionBackend, CookieBackendConfig
from litestar.types import ASGIApp, Receive, Scope, Send

from api.auth import Principal
from registry.common.actors import Role
from registry.keys import Purpose
from registry.settings import Settings

LANGUAGE_COOKIE = "registry-lang"
CSRF_FIELD = "_csrf_token"


def is_secure(settings: Settings) -> bool:
    return settings.browser_url.startswith("https://")


def _cookie_name(settings: Settings, name: str) -> str:
    return f"__Host-{name}" if is_secure(settings) else name


def _derived(settings: Settings, purpose: bytes) -> bytes:
    """A key of its own for each cookie, derived from the token key (one secret less to configure)."""
    return hmac.new(settings.keys[Purpose.TOKEN], b"web:" + purpose, hashlib.sha256).digest()


def session_config(settings: Settings) -> CookieBackendConfig:
    """AES-GCM encrypted session cookie, valid for REGISTRY_WEB_SESSION_HOURS."""
    return CookieBackendConfig(
        secret=_derived(settings, b"session-cookie"),
        key=_cookie_name(settings, "registry-session"),
        max_age=settings.web_session_hours * 3600,
        secure=is_secure(settings),
        httponly=True,
        samesite="lax",  # the OpenID provider's redirect back is a cross-site navigation that must carry it
    )


def session_middleware(settings: Settings) -> DefineMiddleware:
    """The session middleware, built when the app is (its cipher cannot be copied while routes are registered)."""
    return DefineMiddleware(_Sessions, settings=settings)


class _Sessions:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        config = session_config(settings)
        self.middleware = SessionMiddleware(app, backend=ClientSideSessionBackend(config=config))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.middleware(scope, receive, send)


def csrf_config(settings: Settings) -> CSRFConfig:
    """Double-submit token: a cookie and the same token in every form (`_csrf_token`)."""
    return CSRFConfig(
        secret=_derived(settings, b"csrf").hex(),
        cookie_name=_cookie_name(settings, "registry-csrf"),
        cookie_secure=is_secure(settings),
        cookie_httponly=True,
        cookie_samesite="lax",
        header_name="x-csrf-token",
    )


def language_cookie(settings: Settings, lang: str) -> Cookie:
    return Cookie(
        key=LANGUAGE_COOKIE, value=lang, max_age=365 * 24 * 3600, path="/", httponly=True, samesite="lax",
        secure=is_secure(settings),
    )  # fmt: skip


def start_session(connection: ASGIConnection[Any, Any, Any, Any], principal: Principal, label: str, hours: int) -> None:
    """Replace whatever session there was (no fixation) with a signed-in one that ends after `hours`."""
    connection.set_session(
        {
            "sub": principal.subject,
            "role": principal.role.value,
            "office": principal.office,
            "label": label,
            "exp": int(time.time()) + hours * 3600,
        }
    )


def principal_from(session: dict[str, Any] | None) -> Principal | None:
    """The principal of a live session; None for no session, an expired one, or one that does not parse."""
    if not session or int(session.get("exp", 0)) <= time.time():
        return None
    try:
        return Principal(subject=str(session["sub"]), role=Role(session["role"]), office=str(session.get("office", "")))
    except (KeyError, ValueError):
        return None


class SessionPrincipal:
    """Makes the session's principal the request's user, so pages run the API's own role and object checks."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP:
            session = scope.get("session")
            scope["user"] = principal_from(session if isinstance(session, dict) else None)
        await self.app(scope, receive, send)
