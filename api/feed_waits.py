"""Held feed requests (long polling): a peer asks for the facts after a position and, if there are none yet, its
request is held until the feed has one, its wait ends, or the server is stopping; it then gets its signed page.

A held request costs no worker thread and no database connection: it is awaited on the event loop. It is woken at
once when the feed's projection commits a batch (`ring`): by the projection runner of its own process, or, when
another process keeps the read models (on PostgreSQL `registry serve`'s child, or `registry project`), by that
process's NOTIFY on FEED_MOVED (FeedNotifications, one LISTEN connection). Besides, every RECHECK_SECONDS, one read of
the feed's head shared by every held request of the process catches what neither said (a lost connection).
Bounded: a wait is at most MAX_WAIT_SECONDS, each peer may have HELD_PER_READER requests held at once (more: 429 with
Retry-After), and `close` lets every held request go at once and holds no more (uvicorn waits for open requests
before it tells the app to stop, so the server's signal handler must say so first: `released_on_stop`).
"""

from __future__ import annotations

import asyncio
import signal
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

import structlog
from anyio import move_on_after, to_thread

from projections.exchange_feed import FEED_MOVED
from registry.common.errors import DomainError, Failure

log = structlog.get_logger("registry.feed")

# Below uvicorn's graceful shutdown (api/cli/serve.py: 30 s) and the idle timeouts of common proxies (60 s).
MAX_WAIT_SECONDS = 25.0
HELD_PER_READER = 2  # a follower holds one; a restarted follower's request may overlap the one it left behind
RECHECK_SECONDS = 0.25
RELISTEN_SECONDS = 5.0  # the pause before listening again after the LISTEN connection failed


class TooManyHeld(DomainError):
    """This peer already has as many feed requests held as the registry allows."""

    code = "too-many-held-requests"
    title = "This peer already has as many feed requests held as the registry allows"


class FeedWaits:
    """Where held feed requests wait for the feed's head to pass their position."""

    def __init__(self, head: Callable[[], int]) -> None:
        self._head = head  # the feed's last position, read in a worker thread
        self._held: Counter[str] = Counter()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._changed: asyncio.Event | None = None
        self._read: asyncio.Future[int] | None = None
        self.closing = False
        self.on_first_hold: Callable[[], object] | None = None  # e.g. start listening for the feed's notifications

    def held(self, reader: str) -> int:
        """How many of this peer's requests are held now."""
        return self._held[reader]

    def ring(self) -> None:
        """The feed may have new facts: wake every held request (from any thread: the projection runner's)."""
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._wake)

    def close(self) -> None:
        """Let every held request go at once and hold no more: the server is stopping (safe in a signal handler)."""
        self.closing = True
        self.ring()

    async def hold(self, reader: str, after: int, wait: float) -> None:
        """Return once the feed has a fact after `after`, `wait` seconds have passed, or the server is stopping.

        TooManyHeld if this peer already has HELD_PER_READER requests held.
        """
        if wait <= 0 or self.closing:
            return
        if self._held[reader] >= HELD_PER_READER:
            raise TooManyHeld([Failure(TooManyHeld.code, f"{HELD_PER_READER} requests of {reader} are held already")])
        if self.on_first_hold is not None:
            self.on_first_hold()
            self.on_first_hold = None
        self._held[reader] += 1
        try:
            with move_on_after(min(wait, MAX_WAIT_SECONDS)):
                while not self.closing:
                    changed = self._bound()  # before the read: a ring while it is under way is not missed
                    if await self._shared_head() > after:
                        return
                    with move_on_after(RECHECK_SECONDS):
                        await changed.wait()
        finally:
            self._held[reader] -= 1

    def _bound(self) -> asyncio.Event:
        """The event the next ring sets."""
        if self._changed is None:
            self._loop, self._changed = asyncio.get_running_loop(), asyncio.Event()
        return self._changed

    def _wake(self) -> None:
        self._read = None  # a read under way may have started before the commit that rang: the next one is fresh
        if self._changed is not None:
            self._changed.set()
            self._changed = asyncio.Event()

    async def _shared_head(self) -> int:
        """The feed's head, read once for every request held at that moment (one read in a worker thread)."""
        if self._read is None or self._read.done():
            self._read = asyncio.ensure_future(to_thread.run_sync(self._head))
        return await asyncio.shield(self._read)


class FeedNotifications:
    """Rings `waits` at each NOTIFY on FEED_MOVED: the process that keeps the read models has committed a batch of the
    exchange feed. A thread with a connection of its own, started at the first held request (a server no peer follows
    holds neither); while it cannot listen, the shared recheck still runs."""

    def __init__(self, connect: Callable[[], Any], waits: FeedWaits) -> None:
        self._connect, self._waits = connect, waits
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._listen, name="feed-notifications", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def _listen(self) -> None:
        from psycopg import sql

        while not self._stop.is_set():
            try:
                with self._connect() as connection:
                    connection.execute(sql.SQL("LISTEN {}").format(sql.Identifier(FEED_MOVED)))
                    while not self._stop.is_set():
                        for _ in connection.notifies(timeout=RECHECK_SECONDS):
                            self._waits.ring()
            except Exception as error:  # PostgreSQL restarted or refused: listen again after a pause
                log.warning("feed notifications lost", error_type=type(error).__name__)
                self._stop.wait(RELISTEN_SECONDS)


@contextmanager
def released_on_stop(waits: FeedWaits) -> Iterator[None]:
    """While serving: SIGTERM and SIGINT first let the held requests go, then do what they did before (uvicorn's
    handler: stop accepting, wait for open requests, shut the app down). Only the main thread may set handlers (a
    test client's app runs in another: nothing to do there)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous: dict[int, Any] = {signum: signal.getsignal(signum) for signum in (signal.SIGTERM, signal.SIGINT)}

    def release_then_stop(signum: int, frame: FrameType | None) -> Any:
        waits.close()
        before = previous[signum]
        if callable(before):
            return before(signum, frame)
        signal.signal(signum, signal.SIG_DFL)  # nothing of ours was there: the default, as if we had not been
        signal.raise_signal(signum)
        return None

    for signum in previous:
        signal.signal(signum, release_then_stop)
    try:
        yield
    finally:
        for signum, before in previous.items():
            if signal.getsignal(signum) is release_then_stop:
                signal.signal(signum, before)
