"""Held feed requests (long polling): a peer asks for the facts after a position and, if there are none yet, its
request is held until the feed has one, its wait ends, or the server is stopping; it then gets its signed page.

A held request costs no worker thread and no database connection: it is awaited on the event loop. It is woken at
once by the projection runner of its own process when the feed's projection commits a batch (`ring`), and besides,
every RECHECK_SECONDS, by one read of the feed's head shared by every held request of the process (facts projected by
another process: `registry project`, or another server worker). Bounded: a wait is at most MAX_WAIT_SECONDS, each
peer may have HELD_PER_READER requests held at once (more: 429 with Retry-After), and `close` lets every held request
go at once and holds no more (uvicorn waits for open requests before it tells the app to stop, so the server's
signal handler must say so first: `released_on_stop`).
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

from anyio import move_on_after, to_thread

from registry.common.errors import DomainError, Failure

# Below uvicorn's graceful shutdown (api/cli/serve.py: 30 s) and the idle timeouts of common proxies (60 s).
MAX_WAIT_SECONDS = 25.0
HELD_PER_READER = 2  # a follower holds one; a restarted follower's request may overlap the one it left behind
RECHECK_SECONDS = 0.25


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
