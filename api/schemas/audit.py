"""Bodies of the auditor and query APIs."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

import msgspec

from api.schemas.common import IdentityDocumentIn, Input, Output

Limit = Annotated[int, msgspec.Meta(ge=1, le=500)]


class AuditSearch(Input, kw_only=True):
    """Filters of an audit search; all optional, combined with AND. A person is given by document, hashed here."""

    actor_id: Annotated[str, msgspec.Meta(max_length=128)] | None = None
    office: Annotated[str, msgspec.Meta(max_length=64)] | None = None
    person: IdentityDocumentIn | None = None
    event_type: Annotated[str, msgspec.Meta(max_length=128)] | None = None
    application: Annotated[str, msgspec.Meta(max_length=32)] | None = None
    since: datetime | None = None
    until: datetime | None = None
    after: Annotated[str, msgspec.Meta(max_length=64, description="cursor from the previous page")] | None = None
    limit: Limit = 100


class AuditRow(Output, kw_only=True):
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


class AuditPage(Output, kw_only=True):
    rows: list[AuditRow]
    next: str | None


class StoredEventRead(Output, kw_only=True):
    version: int
    topic: str
    recorded_at: datetime
    data: dict[str, Any]


class EventsPage(Output, kw_only=True):
    aggregate_id: str
    events: list[StoredEventRead]
    next_after: int | None


class AggregateStateRead(Output, kw_only=True):
    aggregate_id: str
    aggregate_type: str
    version: int
    as_of: datetime | None
    state: dict[str, Any]


class WorklistItem(Output, kw_only=True):
    record_id: str
    office: str
    kind: str
    state: str
    opened_on: date
    marriage_id: str | None
    withdrawal_deadline: date | None
    registration_deadline: date | None


class Worklist(Output, kw_only=True):
    office: str | None  # None: every office (an auditor's or supervisor's view)
    items: list[WorklistItem]
    next_after: str | None


class StatusCounts(Output, kw_only=True):
    counts: dict[str, int]


class CheckpointPage(Output, kw_only=True):
    checkpoints: list[dict[str, Any]]
    next_after: str | None
