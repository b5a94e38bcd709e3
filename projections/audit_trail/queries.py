"""Queries of the audit trail: who did what, when, on which request, and whom it concerned, a page at a time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from projections.store import ViewStore
from registry.common.errors import Failure, InvalidInput


@dataclass(frozen=True)
class TrailSearch:
    """Filters of an audit search, all optional and combined with AND; `after` is the `next` of the page before."""

    actor_id: str | None = None
    office: str | None = None
    event_type: str | None = None
    application: str | None = None
    person_ref: str | None = None  # the person's keyed hash, never the identity number
    since: datetime | None = None
    until: datetime | None = None
    after: str | None = None
    limit: int = 100

    def criteria(self) -> dict[str, str]:
        """The filters as the oversight log records a search (the cursor and page size left out)."""
        named = {"actor_id": self.actor_id, "actor_office": self.office, "event_type": self.event_type,
                 "application": self.application, "person_ref": self.person_ref}  # fmt: skip
        moments = {"since": self.since, "until": self.until}
        return {
            **{name: value for name, value in named.items() if value is not None},
            **{name: moment.isoformat() for name, moment in moments.items() if moment is not None},
        }


@dataclass(frozen=True)
class TrailRow:
    """One event of the trail."""

    application: str
    position: int
    recorded_at: str
    aggregate_type: str
    aggregate_id: str
    version: int
    event_type: str
    actor_id: str | None
    actor_role: str | None
    actor_office: str | None
    request_id: str | None
    reason: str | None


def search_trail(store: ViewStore, search: TrailSearch) -> tuple[list[TrailRow], str | None]:
    """A page of the events a search names, in the order they were recorded, and the next page's cursor."""
    conditions, params = _conditions(search)
    rows = store.query(
        "SELECT t.application, t.position, t.recorded_at, t.aggregate_type, t.aggregate_id, t.version, "
        "t.event_type, t.actor_id, t.actor_role, t.actor_office, t.request_id, t.reason FROM audit_trail t "
        f"WHERE {' AND '.join(conditions)} ORDER BY t.recorded_at, t.application, t.position LIMIT ?",
        (*params, search.limit + 1),
    )
    page = [TrailRow(*row) for row in rows[: search.limit]]
    if len(rows) <= search.limit:
        return page, None
    last = page[-1]
    return page, f"{last.recorded_at}|{last.application}|{last.position}"


def _conditions(search: TrailSearch) -> tuple[list[str], list[Any]]:
    conditions, params = ["1 = 1"], []
    for column, value in (
        ("actor_id", search.actor_id),
        ("actor_office", search.office),
        ("event_type", search.event_type),
        ("application", search.application),
    ):
        if value is not None:
            conditions.append(f"t.{column} = ?")
            params.append(value)
    if search.person_ref is not None:
        conditions.append(
            "EXISTS (SELECT 1 FROM audit_trail_persons p WHERE p.application = t.application "
            "AND p.position = t.position AND p.person_ref = ?)"
        )
        params.append(search.person_ref)
    for op, moment in ((">=", search.since), ("<=", search.until)):
        if moment is not None:
            conditions.append(f"t.recorded_at {op} ?")
            params.append(moment.astimezone(UTC).isoformat())  # recorded_at is UTC ISO text
    if search.after is not None:
        conditions.append("(t.recorded_at, t.application, t.position) > (?, ?, ?)")
        params.extend(_cursor(search.after))
    return conditions, params


def _cursor(raw: str) -> tuple[Any, ...]:
    try:
        recorded_at, application, position = raw.split("|")
        return recorded_at, application, int(position)
    except ValueError:
        raise InvalidInput([Failure("cursor-malformed", "use the `next` value of the previous page")]) from None
