"""Rate limits, counted in memory per process over one-minute windows (Litestar's RateLimitMiddleware).

A caller with a bearer token, or signed in to the portal or the console, is counted by their subject
(REGISTRY_RATE_LIMIT a minute); everyone else by client address (REGISTRY_RATE_LIMIT_ANONYMOUS a minute): /health,
/ready, the JWKS, certificate verification, sign-in and the public pages. Static assets are not counted. Beyond the
limit: 429, a problem document and Retry-After (api/errors.py).
"""

from __future__ import annotations

import re
from typing import Any

from litestar import Request
from litestar.middleware import DefineMiddleware
from litestar.middleware.rate_limit import RateLimitConfig, get_remote_address

from api.auth import Principal
from registry.settings import Settings

SUBJECTS = "rate-limit-subjects"
ADDRESSES = "rate-limit-addresses"
# Pages whose caller is known only once the session is read (inside the web router): counted there, by subject.
PAGES_BEHIND_SESSION = re.compile(r"^/(portal|console)(/|$)")
NOT_COUNTED = re.compile(r"^/static/|^/health$|^/ready$")  # probes share a balancer's address

AnyRequest = Request[Any, Any, Any]


def signed_in(request: AnyRequest) -> bool:
    return isinstance(request.scope.get("user"), Principal)


def subject_of(request: AnyRequest) -> str:
    principal: Principal = request.scope["user"]
    return f"subject:{principal.subject}"


def anonymous(request: AnyRequest) -> bool:
    path = request.scope["path"]
    return not signed_in(request) and not PAGES_BEHIND_SESSION.match(path) and not NOT_COUNTED.match(path)


def per_subject(settings: Settings) -> DefineMiddleware:
    """After authentication: each token subject (or session) gets REGISTRY_RATE_LIMIT requests a minute."""
    config = RateLimitConfig(
        rate_limit=("minute", settings.rate_limit),
        identifier_for_request=subject_of,
        check_throttle_handler=signed_in,
        store=SUBJECTS,
    )
    return config.middleware


def per_address(settings: Settings) -> DefineMiddleware:
    """Each client address gets REGISTRY_RATE_LIMIT_ANONYMOUS requests a minute on the routes that need no token."""
    config = RateLimitConfig(
        rate_limit=("minute", settings.rate_limit_anonymous),
        identifier_for_request=get_remote_address,
        check_throttle_handler=anonymous,
        store=ADDRESSES,
    )
    return config.middleware
