"""Rate limits, counted in memory per process over one-minute windows, one window per caller.

A caller with a bearer token, or signed in to the portal or the console, is counted by their subject
(REGISTRY_RATE_LIMIT a minute); everyone else by client address (REGISTRY_RATE_LIMIT_ANONYMOUS a minute): the JWKS,
certificate verification, sign-in and the public pages. Static assets and the probes (/health, /ready) are not
counted. Every counted answer carries RateLimit-Limit, -Remaining, -Reset and -Policy; beyond the limit: 429, a
problem document and Retry-After (api/errors.py).

A caller's window opens with their first request and lasts a minute; windows that have ended are dropped once a
minute, so memory holds only the callers of the last minute. Counting is a dictionary look-up (a few microseconds).
Litestar's middleware, used before, kept each caller's history as JSON in an async store and cost more than the rest
of a read's middleware together; the `limits` library's memory store, tried next, sweeps every caller's key on a
thread every 10 ms, a cost that grows with the number of callers an attacker can make up.
"""

from __future__ import annotations

import ipaddress
import math
import re
import threading
import time
from collections.abc import Callable

from litestar.enums import ScopeType
from litestar.exceptions import TooManyRequestsException
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from api.auth import Principal

# Pages whose caller is known only once the session is read (inside the web router): counted there, by subject.
PAGES_BEHIND_SESSION = re.compile(r"^/(portal|console)(/|$)")
NOT_COUNTED = re.compile(r"^/static/|^/health$|^/ready$")  # probes share a balancer's address
WINDOW_SECONDS = 60.0


class Budget:
    """So many requests a minute for each caller: a spent budget answers 429 until the caller's window ends."""

    def __init__(self, per_minute: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self.clock = clock
        self._windows: dict[str, tuple[float, int]] = {}  # caller -> (window opened, requests in it)
        self._pruned = clock()
        self._lock = threading.Lock()

    def __deepcopy__(self, memo: dict[int, object]) -> Budget:
        """Itself: Litestar deep-copies a router it registers, and the pages must spend the API's budget."""
        return self

    def spend(self, caller: str) -> list[tuple[bytes, bytes]]:
        """Count one request of the caller: the RateLimit headers of the answer, or TooManyRequestsException."""
        now = self.clock()
        with self._lock:
            opened, spent = self._windows.get(caller, (now, 0))
            if now - opened >= WINDOW_SECONDS:
                opened, spent = now, 0
            self._windows[caller] = (opened, spent + 1)
            if now - self._pruned >= WINDOW_SECONDS:
                self._prune(now)
        headers = {
            "RateLimit-Limit": str(self.per_minute),
            "RateLimit-Remaining": str(max(0, self.per_minute - spent - 1)),
            "RateLimit-Reset": str(max(1, math.ceil(opened + WINDOW_SECONDS - now))),
            "RateLimit-Policy": f"{self.per_minute};w={WINDOW_SECONDS:.0f}",
        }
        if spent >= self.per_minute:
            raise TooManyRequestsException(headers=headers)
        return [(name.lower().encode(), value.encode()) for name, value in headers.items()]

    def _prune(self, now: float) -> None:
        self._windows = {c: w for c, w in self._windows.items() if now - w[0] < WINDOW_SECONDS}
        self._pruned = now


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
    return f"address:{network_of(client[0]) if client else 'unknown'}"


def network_of(host: str) -> str:
    """An IPv4 address as it is; an IPv6 address as its /64, the network one subscriber is given (counting each of
    its addresses apart would let one holder make up callers)."""
    if ":" not in host:
        return host
    try:
        return str(ipaddress.IPv6Network((host, 64), strict=False))
    except ValueError:  # not an address (a proxy's header passed on as it came)
        return host


class RateLimits:
    """ASGI middleware: spends one of the caller's budget for each HTTP request it counts, and says what is left."""

    def __init__(self, app: ASGIApp, budget: Budget, caller: Callable[[Scope], str | None]) -> None:
        self.app = app
        self.budget = budget
        self.caller = caller

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        caller = self.caller(scope) if scope["type"] == ScopeType.HTTP else None
        if caller is None:
            await self.app(scope, receive, send)
            return
        headers = self.budget.spend(caller)

        async def send_with_budget(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *headers]
            await send(message)

        await self.app(scope, receive, send_with_budget)
