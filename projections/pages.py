"""Keyset pages of a read model: a page is read by the index of its sort key, never by skipping the rows before it.

A page's `next_after` cursor holds the sort key of its last row (base64url of a JSON list): opaque to clients, and
checked when it comes back, so that a forged cursor is a refused request, never a store error.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from projections.store import Row, ViewStore
from registry.common.errors import Failure, InvalidInput

PAGE_SIZE = 100
MAX_PAGE_SIZE = 500
MAX_CURSOR_LENGTH = 512


@dataclass(frozen=True)
class SortKey:
    """The columns (or expressions) a list is ordered by, each with the Python type of its values."""

    columns: tuple[tuple[str, type], ...]

    def sql(self) -> str:
        return ", ".join(column for column, _ in self.columns)


@dataclass(frozen=True)
class Page:
    """The rows of one page, and the cursor of the next (None on the last page)."""

    rows: list[Row]
    next_after: str | None


def cursor_of(values: Sequence[Any]) -> str:
    """The opaque cursor that resumes after a row with these sort-key values."""
    return base64.urlsafe_b64encode(json.dumps(list(values), separators=(",", ":")).encode()).decode().rstrip("=")


def values_of(cursor: str, key: SortKey) -> list[Any]:
    """The sort-key values a cursor of this list holds; anything else is malformed input."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values: Any = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")).decode())
    except (binascii.Error, UnicodeError, ValueError):
        values = None
    kinds = [kind for _, kind in key.columns]
    if not isinstance(values, list) or len(values) != len(kinds):
        values = None
    if values is None or not all(_fits(value, kind) for value, kind in zip(values, kinds, strict=True)):
        raise InvalidInput([Failure("after-malformed", "`after` must be the next_after of the previous page")])
    return list(values)


def _fits(value: Any, kind: type) -> bool:
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool) and abs(value) < 2**62
    return isinstance(value, str) and "\x00" not in value and len(value) <= MAX_CURSOR_LENGTH


def keyset_page(
    store: ViewStore,
    *,
    columns: str,
    table: str,
    where: Sequence[str],
    params: Sequence[Any],
    key: SortKey,
    limit: int,
    after: str | None,
) -> Page:
    """Up to `limit` rows of `columns` after the cursor, in sort-key order (the key must be unique per row)."""
    conditions, arguments = [*where] or ["1 = 1"], [*params]
    if after is not None:
        marks = ", ".join("?" for _ in key.columns)
        conditions.append(f"({key.sql()}) > ({marks})")
        arguments += values_of(after, key)
    rows = store.query(
        f"SELECT {columns}, {key.sql()} FROM {table} WHERE {' AND '.join(conditions)} ORDER BY {key.sql()} LIMIT ?",
        (*arguments, limit + 1),
    )
    width = len(key.columns)
    page = [row[:-width] for row in rows[:limit]]
    next_after = cursor_of(rows[limit - 1][-width:]) if len(rows) > limit else None
    return Page(page, next_after)
