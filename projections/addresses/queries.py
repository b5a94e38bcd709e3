"""Queries of the address register: the snapshot a utility starts its copy from."""

from __future__ import annotations

from dataclasses import dataclass

from projections.pages import PAGE_SIZE, SortKey, cursor_of, values_of
from projections.store import ViewStore

SNAPSHOT_ORDER = SortKey((("plate_id", str),))


@dataclass(frozen=True)
class SnapshotPage:
    """Addresses in force (plate id -> address) of a page of plates, and the cursor of the next page."""

    addresses: dict[str, str]
    next_after: str | None


def snapshot_page(store: ViewStore, at: int, *, limit: int = PAGE_SIZE, after: str | None = None) -> SnapshotPage:
    """Every address in force as of log position `at`, a page of plates at a time in plate id order.

    Each plate's last change at or before `at` is found by the index on (plate_id, position), a page of plates at a
    time: O(n log n) over all pages, where a correlated MAX per row was quadratic. A plate retired by then is left
    out, so a page may hold fewer than `limit` addresses.
    """
    after_plate = "" if after is None else str(values_of(after, SNAPSHOT_ORDER)[0])
    rows = store.query(
        "SELECT c.plate_id, c.address, c.operation FROM address_changes c JOIN ("
        "SELECT plate_id, MAX(position) AS last FROM address_changes WHERE plate_id > ? AND position <= ? "
        "GROUP BY plate_id ORDER BY plate_id LIMIT ?) l ON c.position = l.last ORDER BY c.plate_id",
        (after_plate, at, limit + 1),
    )
    page = rows[:limit]
    next_after = cursor_of([page[-1][0]]) if len(rows) > limit else None
    return SnapshotPage({plate: address for plate, address, operation in page if operation != "retired"}, next_after)
