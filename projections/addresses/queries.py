"""Queries of the address register: addresses as valid and as known, the change feed, the snapshot a utility starts
its copy from, and the plate signs still to put up."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from projections.pages import PAGE_SIZE, SortKey, cursor_of, keyset_page, values_of
from projections.store import ViewStore, optional_date

ADDRESS_ORDER = SortKey((("road_name", str), ("label", str), ("plate_id", str), ("valid_from", str)))
SNAPSHOT_ORDER = SortKey((("plate_id", str),))
SIGN_ORDER = SortKey((("sign_due_on", str), ("plate_id", str)))


@dataclass(frozen=True)
class AddressVersion:
    """A plate's address over the dates it is valid (valid_to None: still valid)."""

    plate_id: str
    address: str
    valid_from: date
    valid_to: date | None


@dataclass(frozen=True)
class AddressSearch:
    """Which addresses: by road, number and estate; valid on a date (default today), as known at a time (default
    now; then valid at that time unless a date is given)."""

    road: str | None = None
    number: str | None = None
    estate: str | None = None
    valid_on: date | None = None
    known_on: datetime | None = None


def address_versions(
    store: ViewStore, today: date, search: AddressSearch, *, limit: int = PAGE_SIZE, after: str | None = None
) -> tuple[list[AddressVersion], str | None]:
    """A page of the addresses a search names, by road and number, and the next page's cursor."""
    conditions: list[str] = []
    params: list[str] = []
    valid_on = search.valid_on
    if search.known_on is not None:
        known = search.known_on.astimezone(UTC).isoformat()  # recorded_at is UTC ISO text
        conditions += ["recorded_at <= ?", "(superseded_at IS NULL OR superseded_at > ?)"]
        params += [known, known]
        valid_on = valid_on or search.known_on.date()
    else:
        conditions.append("superseded_at IS NULL")
    day = (valid_on or today).isoformat()
    conditions += ["valid_from <= ?", "(valid_to IS NULL OR ? < valid_to)"]
    params += [day, day]
    for column, value in (("road_name", search.road), ("label", search.number), ("estate", search.estate)):
        if value:
            conditions.append(f"{column} = ?")
            params.append(value)
    page = keyset_page(
        store, columns="plate_id, address, valid_from, valid_to", table="address_versions", where=conditions,
        params=params, key=ADDRESS_ORDER, limit=limit, after=after,
    )  # fmt: skip
    found = [AddressVersion(p, a, date.fromisoformat(f), optional_date(t)) for p, a, f, t in page.rows]
    return found, page.next_after


@dataclass(frozen=True)
class AddressChange:
    """One entry of the change feed: its position, when, what happened, and the plate's full address."""

    position: int
    recorded_at: datetime
    operation: str
    plate_id: str
    address: str


def feed_head(store: ViewStore) -> int:
    """The latest position of the change feed (0 before any change)."""
    rows = store.query("SELECT MAX(position) FROM address_changes")
    return int(rows[0][0] or 0)


def changes_after(store: ViewStore, after: int, *, limit: int = PAGE_SIZE) -> tuple[list[AddressChange], int | None]:
    """The changes after a position, in order, and the position to ask after next (None: none left)."""
    rows = store.query(
        "SELECT position, recorded_at, operation, plate_id, address FROM address_changes WHERE position > ? "
        "ORDER BY position LIMIT ?",
        (after, limit + 1),
    )
    changes = [AddressChange(int(p), datetime.fromisoformat(t), o, i, a) for p, t, o, i, a in rows[:limit]]
    return changes, changes[-1].position if len(rows) > limit else None


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


@dataclass(frozen=True)
class SignDue:
    """A plate whose physical sign is not up yet, and whether it is past its due day."""

    plate_id: str
    road_name: str
    label: str
    sign_due_on: date
    overdue: bool


def signs_due(
    store: ViewStore, today: date, *, overdue_only: bool = False, limit: int = PAGE_SIZE, after: str | None = None
) -> tuple[list[SignDue], str | None]:
    """A page of plates whose sign is not up, earliest due first (overdue_only: past due today), and the next
    page's cursor."""
    conditions, params = ["installed_on IS NULL"], []
    if overdue_only:
        conditions.append("sign_due_on < ?")
        params.append(today.isoformat())
    page = keyset_page(
        store, columns="plate_id, road_name, label, sign_due_on", table="plate_signs", where=conditions,
        params=params, key=SIGN_ORDER, limit=limit, after=after,
    )  # fmt: skip
    due = [SignDue(p, r, lab, date.fromisoformat(d), date.fromisoformat(d) < today) for p, r, lab, d in page.rows]
    return due, page.next_after
