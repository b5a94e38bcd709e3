"""What the web front ends list from the front desk's index (each record is then read from its aggregate)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from projections.front_desk import FrontDeskIndex
from projections.store import ViewStore
from registry.common.ids import PersonKeys

_TABLES = FrontDeskIndex(PersonKeys(b"\0" * 32))  # only for the table names


@dataclass(frozen=True)
class Listed:
    """A record in a list: what it is, its id, the day it was opened."""

    kind: str
    record_id: str
    opened_on: date


@dataclass(frozen=True)
class Page:
    """One page of a list, and how many there are in all."""

    items: list[Listed]
    total: int
    offset: int
    limit: int

    @property
    def next_offset(self) -> int | None:
        return self.offset + self.limit if self.offset + self.limit < self.total else None

    @property
    def previous_offset(self) -> int | None:
        return max(self.offset - self.limit, 0) if self.offset > 0 else None


def records_of(store: ViewStore, person_ref: str) -> list[Listed]:
    """Every record that concerns a person (by keyed hash), newest first."""
    rows = store.query(
        f"SELECT kind, record_id, opened_on FROM {_TABLES.table('front_desk_records')} WHERE person_ref = ? "
        "ORDER BY opened_on DESC, position DESC",
        (person_ref,),
    )
    return [Listed(kind, record_id, date.fromisoformat(opened)) for kind, record_id, opened in rows]


def inquiries_to_review(store: ViewStore, office: str, *, offset: int = 0, limit: int = 20) -> Page:
    """DV inquiries filed at an office and not yet approved or refused, oldest first."""
    table = _TABLES.table("front_desk_inquiries")
    total = int(store.query(f"SELECT COUNT(*) FROM {table} WHERE office = ?", (office,))[0][0])
    rows = store.query(
        f"SELECT inquiry_id, filed_on FROM {table} WHERE office = ? ORDER BY filed_on, position LIMIT ? OFFSET ?",
        (office, limit, offset),
    )
    items = [Listed("dv-inquiry", inquiry_id, date.fromisoformat(filed)) for inquiry_id, filed in rows]
    return Page(items, total, offset, limit)


@dataclass(frozen=True)
class ListedName:
    place_id: str
    name: str
    kind: str
    proposed_on: date


def place_names(
    store: ViewStore, *, kind: str | None = None, offset: int = 0, limit: int = 50
) -> tuple[list[ListedName], int]:
    """Place names by kind and name (their state is read from each name itself), and how many in all."""
    table = _TABLES.table("front_desk_places")
    where, params = ("WHERE kind = ?", [kind]) if kind else ("", [])
    total = int(store.query(f"SELECT COUNT(*) FROM {table} {where}", params)[0][0])
    rows = store.query(
        f"SELECT place_id, name, kind, proposed_on FROM {table} {where} ORDER BY kind, name, place_id LIMIT ? OFFSET ?",
        [*params, limit, offset],
    )
    return [ListedName(p, n, k, date.fromisoformat(d)) for p, n, k, d in rows], total
