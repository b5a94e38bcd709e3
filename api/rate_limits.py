"""Rate limits, counted in memory per process over fixed one-minute windows (the `limits` library).

A caller with a bearer token, or signed in to the portal or the console, is counted by their subject
(REGISTRY_RATE_LIMIT a minute); everyone else by client address (REGISTRY_RATE_LIMIT_ANONYMOUS a minute): /health,
/ready, the JWKS, certificate verification, sign-in and the public pages. Static assets are not counted. Beyond the
limit: 429, a problem document and Retry-After (api/errors.py).

Counting costs a few microseconds a request: a counter per caller and window, under a lock (the handlers of one
process run in threads). Litestar's own middleware, used before, kept each caller's history as JSON in an async
store and cost more than the rest of a read's middleware together.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable

from limits import RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter
from litestar.enums import ScopeType
from litestar.exceptions import TooManyRequestsException
from litestar.types import ASGIApp, Receive, Scope, Send

from api.auth import Principal

# Pages whose caller is known only once the session is read (inside the web router): counted there, by subject.
PAGES_BEHIND_SESSION = re.compile(r"^/(portal|console)(/|$)")
NOT_COUNTED = re.compile(r"^/static/|^/health$|^/ready$")  # probes share a balancer's address


class Budget:
    """So many requests a minute for each caller: a spent budget answers 429 until its window ends."""

    def __init__(self, per_minute: int) -> None:
        self.item = RateLimitItemPerMinute(per_minute)
        self.limiter = FixedWindowRateLimiter(MemoryStorage())

    def __deepcopy__(self, memo: dict[int, object]) -> Budget:
        """Itself: Litestar deep-copies a router it registers, and the pages must spend the API's budget."""
        return self

    def spend(self, caller: str) -> None:
        if self.limiter.hit(self.item, caller):
            return
        seconds_left = math.ceil(self.limiter.get_window_stats(self.item, caller).reset_time - time.time())
        headers = {"RateLimit-Limit": str(self.item.amount), "RateLimit-Remaining": "0"}
        raise TooManyRequestsException(headers={**headers, "RateLimit-Reset": str(max(1, seconds_left))})


def subject(scope: Scope) -> str | None:
    """A signed-in caller's subject (token or session), or None."""
    user = scope.get("user")
    return f"subject:{user.subject}" if isinstance(user, Principal) else None


def address(scope: Scope) -> str | None:
    """An anonymous caller's address on a counted route, or None (signed in, a page behind the session, a probe)."""
    path = scope["path"]
    if isinstance(scope.get("user"), Principal) or PAGES_BEHIND_SESSION.match(path) or NOT_COUNTED.match(path):
        return None
    client = scope.get("client")
    return f"address:{client[0] if client else 'unknown'}"


class RateLimits:
    """ASGI middleware: spends one of the caller's budget for each HTTP request it counts."""

    def __init__(self, app: ASGIApp, budget: Budget, caller: Callable[[Scope], str | None]) -> None:
        self.app = app
        self.budget = budget
        self.caller = caller

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP and (caller := self.caller(scope)) is not None:
            self.budget.spend(caller)
        await self.app(scope, receive, send)
