"""Reads from projections: they say which log position they reflect, and can wait (bounded) for a position."""

from __future__ import annotations

import time

from projections.catalog import ReadSide
from registry.common.errors import DomainError, Failure

VIEW_POSITION_HEADER = "Registry-View-Position"
MAX_WAIT_SECONDS = 5.0


class ViewBehind(DomainError):
    """The read model has not yet reached the position the client asked to wait for."""

    code = "view-not-caught-up"
    title = "The read model has not caught up with that position yet"


def reached(read_side: ReadSide, application: str, wait_for: int | None) -> int:
    """The position the views of `application` reflect, after waiting (at most 5 s) for `wait_for` if given."""
    deadline = time.monotonic() + MAX_WAIT_SECONDS
    while True:
        position = read_side.position(application)
        if wait_for is None or position >= wait_for:
            return position
        if time.monotonic() >= deadline:
            raise ViewBehind(
                [Failure("view-not-caught-up", f"the views reflect position {position}, not yet {wait_for}; retry")]
            )
        time.sleep(0.05)
