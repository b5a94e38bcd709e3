"""The one way every list pages: `limit` items (default 100, at most 500) after `after`, the `next_after` cursor of
the previous page (omit it for the first page); `next_after` is null on the last page."""

from __future__ import annotations

from typing import Annotated

from litestar.params import Parameter

from projections.pages import MAX_CURSOR_LENGTH, MAX_PAGE_SIZE, PAGE_SIZE

Limit = Annotated[
    int, Parameter(ge=1, le=MAX_PAGE_SIZE, description=f"items per page (default {PAGE_SIZE}, at most {MAX_PAGE_SIZE})")
]
After = Annotated[
    str | None,
    Parameter(max_length=MAX_CURSOR_LENGTH * 2, description="the next_after of the previous page (omit: first page)"),
]

__all__ = ["MAX_PAGE_SIZE", "PAGE_SIZE", "After", "Limit"]
