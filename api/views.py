"""Reads from projections: they say which log position they reflect, and can wait (bounded) for a position.

A wait holds no worker thread: it is awaited on the event loop, and every waiter of the process shares one poll of
the views' positions. It lasts at most MAX_WAIT_SECONDS, at most MAX_WAITERS wait at once, and a position beyond the
head of the log (that no write has reached) is refused at once.

With a streaming replica (REGISTRY_REPLICA_URL) the positions are those of the read models on the replica, and the
handlers read the replica (ReadSide.reads): a position and the rows read after it come from the same server, which
replays the primary's commits in order, so no answer is older than the position it reports. A read naming a position
the replica has not applied waits for it there, bounded as above; it does not go to the primary. Why: the replica's
own delay (milliseconds when healthy) is small beside the projections' delay that any read already waits out; sending
every read-your-writes read (the read a client makes right after each write) to the primary would put most reads
back on it; and a replica that stays behind (replay paused, broken) shows in /ready and /metrics, while its waits end
with 503 view-not-caught-up after MAX_WAIT_SECONDS, which the client retries, as on the primary.
"""

from __future__ import annotations

import asyncio
import time
from typing import Annotated, Any

from anyio import move_on_after, to_thread
from litestar import Request
from litestar.datastructures import State
from litestar.di import Provide
from litestar.params import Parameter

from projections.catalog import ReadSide
from registry.common.errors import DomainError, Failure, InvalidInput, NotFound

VIEW_POSITION_HEADER = "Registry-View-Position"
MAX_WAIT_SECONDS = 5.0
MAX_WAITERS = 64
POLL_SECONDS = 0.05
FRESH_SECONDS = 0.05

WaitFor = Annotated[
    int | None,
    Parameter(ge=0, description="wait (at most 5 s) for the views to reach this log position (a write's answer gives "
              "it in Registry-Log-Position)"),
]  # fmt: skip


class ViewBehind(DomainError):
    """The read model has not yet reached the position the client asked to wait for."""

    code = "view-not-caught-up"
    title = "The read model has not caught up with that position yet"


class TooManyWaiting(DomainError):
    """As many requests as this process allows are already waiting for the read models."""

    code = "too-many-waiting"
    title = "Too many requests are waiting for the read models"


class ViewWatch:
    """Waits, on the event loop, for the read models of an application to reach a log position.

    The positions are read at most once every FRESH_SECONDS for the whole process, not once a request: a position
    read before a handler's query is a lower bound of what that query sees (the views only move forward), so an
    answer may report a position up to FRESH_SECONDS old, never one its rows do not reflect. A read that waits for
    a position beyond the last one read asks again at once.
    """

    def __init__(self, read_side: ReadSide) -> None:
        self.read_side = read_side
        self.waiting = 0
        self._known: dict[str, int] = {}
        self._known_at = -FRESH_SECONDS
        self._reading: asyncio.Future[None] | None = None

    async def reached(self, application: str, wait_for: int | None) -> int:
        """The position the views of `application` reflect, once they reach `wait_for` (if given)."""
        if time.monotonic() - self._known_at >= FRESH_SECONDS:
            await self._read_positions()
        position = self.read_side.position_in(self._known, application)
        if wait_for is None or position >= wait_for:
            return position
        await self._check_within_log(application, wait_for)
        if self.waiting >= MAX_WAITERS:
            raise TooManyWaiting([Failure("too-many-waiting", f"{MAX_WAITERS} requests are waiting already; retry")])
        self.waiting += 1
        try:
            with move_on_after(MAX_WAIT_SECONDS):
                await self._read_positions()
                while (position := self.read_side.position_in(self._known, application)) < wait_for:
                    await asyncio.sleep(POLL_SECONDS)
                    await self._read_positions()
        finally:
            self.waiting -= 1
        if position < wait_for:
            raise ViewBehind(
                [Failure("view-not-caught-up", f"the views reflect position {position}, not yet {wait_for}; retry")]
            )
        return position

    async def _check_within_log(self, application: str, wait_for: int) -> None:
        """No write has reached a position beyond the head: waiting for it would only wait out the cap."""
        head = await to_thread.run_sync(self.read_side.head, application)
        if wait_for > head:
            raise InvalidInput(
                [Failure("wait-for-beyond-log-head", f"the {application} log ends at position {head}, not {wait_for}")]
            )

    async def _read_positions(self) -> None:
        """Read every view's position now, once for all who ask meanwhile (one read in a worker thread)."""
        if self._reading is None or self._reading.done():
            self._reading = asyncio.ensure_future(self._read_positions_once())
            # Its error reaches every request still awaiting it; if all went away meanwhile, nobody is left to tell.
            self._reading.add_done_callback(lambda read: read.cancelled() or read.exception())
        await asyncio.shield(self._reading)

    async def _read_positions_once(self) -> None:
        started = time.monotonic()
        self._known = await to_thread.run_sync(self.read_side.reads.positions)
        self._known_at = started


def views_of(application: str | None = None) -> Provide:
    """The dependency `view_position`: where the views of `application` (default: the path's `application`) stand,
    after waiting for the query's `wait_for`. It runs on the event loop, before a sync handler takes a thread."""

    async def view_position(state: State, request: Request[Any, Any, Any], wait_for: WaitFor = None) -> int:
        name = application or str(request.path_params.get("application", ""))
        if name not in state.registry.applications():
            raise NotFound(detail=f"no application {name!r}")
        watch: ViewWatch = state.view_watch
        return await watch.reached(name, wait_for)

    return Provide(view_position)
