"""The auditor API: every event of any record, any record as it was, and searches of the audit trail.

Every read here is itself recorded in the oversight log (who looked at what, when).
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from eventsourcing.domain import BaseAggregate
from litestar import Controller, Response, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, Parameter

from api.auth import allow
from api.context import AnyRequest, act_of
from api.pages import PAGE_SIZE, After, Limit
from api.plain import plain_fields
from api.schemas.audit import (
    AggregateStateRead,
    AuditPage,
    AuditRow,
    AuditSearch,
    CheckpointPage,
    EventsPage,
    StoredEventRead,
)
from api.schemas.common import IdentityDocumentIn
from api.views import VIEW_POSITION_HEADER, views_of
from projections.audit.checkpoints import public_key_text
from projections.audit.queries import published_checkpoints
from projections.audit.verify import proof_to_text
from projections.audit_trail.queries import TrailSearch, search_trail
from registry.common.actors import Act, Role
from registry.common.application import RegistryApplication
from registry.common.clock import Clock, local_date
from registry.common.errors import Failure, InvalidInput, NotFound
from registry.common.identity import validated_document_key
from registry.system import Registry

EVENT_FIELDS_SHOWN_ELSEWHERE = ("originator_id", "originator_version", "timestamp", "originator_topic")
# Below 2**63, the limit of PostgreSQL's BIGINT and SQLite's INTEGER, and far beyond any log; a power of two, so that
# the OpenAPI schema (which carries bounds as JSON floats) states it exactly.
LOG_INTEGER_MAX = 2**62


def log_integer(description: str) -> Any:
    """A position or tree size: at least 1 and at most 2**62 (a larger one is a 400 problem, never a store error)."""
    return Parameter(ge=1, le=LOG_INTEGER_MAX, description=description)


def application_named(registry: Registry, name: str) -> RegistryApplication:
    applications = registry.applications()
    if name not in applications:
        raise NotFound(detail=f"no application {name!r}; known: {', '.join(applications)}")
    return applications[name]


def record_events(
    registry: Registry, act: Act, application: str, aggregate_id: UUID, *, after: int = 0, limit: int = 100
) -> EventsPage:
    """The events of one record, decoded (identity numbers masked), in order; the auditor's read is recorded."""
    app = application_named(registry, application)
    stored = list(app.events.get(aggregate_id, gt=after, limit=limit + 1))
    if not stored and after == 0:
        raise NotFound(detail="no record with that id in that application")
    registry.oversight.record_read(
        act, what="events", target=f"{application}/{aggregate_id}", criteria={"after": str(after)}
    )
    page = stored[:limit]
    return EventsPage(
        aggregate_id=str(aggregate_id),
        events=[
            StoredEventRead(
                version=event.originator_version,
                topic=type(event).TOPIC,  # type: ignore[attr-defined]
                recorded_at=event.timestamp,  # type: ignore[attr-defined]
                data=plain_fields(event, skip=EVENT_FIELDS_SHOWN_ELSEWHERE),
            )
            for event in page
        ],
        next_after=page[-1].originator_version if len(stored) > limit else None,
    )


def record_state(
    registry: Registry,
    act: Act,
    application: str,
    aggregate_id: UUID,
    *,
    version: int | None = None,
    at: datetime | None = None,
) -> AggregateStateRead:
    """A record replayed to a version, or to the last event recorded at or before a time; the read is recorded."""
    if version is not None and at is not None:
        raise InvalidInput([Failure("version-or-time", "give a version or a time, not both")])
    app = application_named(registry, application)
    if at is not None:
        if at.tzinfo is None:
            raise InvalidInput([Failure("time-zone-required", "give the time with its offset, e.g. +08:00")])
        versions = [e.originator_version for e in app.events.get(aggregate_id) if e.timestamp <= at]  # type: ignore[attr-defined]
        if not versions:
            raise NotFound(detail="the record did not exist at that time")
        version = versions[-1]
    try:  # from the latest snapshot at or before the version, if the class is snapshotted; never copied
        aggregate: Any = app.read(aggregate_id, BaseAggregate, version=version)
    except Exception:  # NotFound (a version never reached does not exist), or a version beyond what a store holds
        raise NotFound(detail="no record with that id and version in that application") from None
    registry.oversight.record_read(
        act,
        what="state",
        target=f"{application}/{aggregate_id}",
        criteria={"version": str(version), "at": at.isoformat() if at else ""},
    )
    return AggregateStateRead(
        aggregate_id=str(aggregate_id),
        aggregate_type=type(aggregate).TOPIC,
        version=aggregate.version,
        as_of=at,
        state=plain_fields(aggregate, skip=("_id", "_pending_events")),
    )


class AuditController(Controller):
    path = "/v1/audit"
    tags = ("audit",)
    guards = [allow(Role.AUDITOR)]  # noqa: RUF012 (Litestar declares guards as a list)

    @get("/{application:str}/aggregates/{aggregate_id:uuid}/events", sync_to_thread=True)
    def events(
        self,
        request: AnyRequest,
        application: FromPath[str],
        aggregate_id: FromPath[UUID],
        registry: NamedDependency[Registry],
        clock: NamedDependency[Clock],
        after: Annotated[int, Parameter(ge=0, le=LOG_INTEGER_MAX, description="events after this version")] = 0,
        limit: Annotated[int, Parameter(ge=1, le=500)] = 100,
    ) -> EventsPage:
        """The events of one record, decoded (identity numbers masked), in order."""
        return record_events(registry, act_of(request, clock), application, aggregate_id, after=after, limit=limit)

    @get("/{application:str}/aggregates/{aggregate_id:uuid}/state", sync_to_thread=True)
    def state(
        self,
        request: AnyRequest,
        application: FromPath[str],
        aggregate_id: FromPath[UUID],
        registry: NamedDependency[Registry],
        clock: NamedDependency[Clock],
        version: Annotated[int | None, log_integer("the record as it was at this version")] = None,
        at: Annotated[datetime | None, Parameter(description="the state as recorded at this time (ISO 8601)")] = None,
    ) -> AggregateStateRead:
        """A record replayed to a version, or to the last event recorded at or before a time."""
        return record_state(registry, act_of(request, clock), application, aggregate_id, version=version, at=at)

    @post("/search", sync_to_thread=True, status_code=200, dependencies={"view_position": views_of("marriage")})
    def search(
        self,
        request: AnyRequest,
        data: JSONBody[AuditSearch],
        registry: NamedDependency[Registry],
        state: State,
        clock: NamedDependency[Clock],
        view_position: NamedDependency[int],
    ) -> Response[AuditPage]:
        """Search the audit trail by actor, office, person, event type, application and time; cursor pagination."""
        person_ref = None if data.person is None else person_ref_of(registry, data.person, local_date(clock.now()))
        search = TrailSearch(
            actor_id=data.actor_id, office=data.office, event_type=data.event_type, application=data.application,
            person_ref=person_ref, since=data.since, until=data.until, after=data.after, limit=data.limit,
        )  # fmt: skip
        rows, next_cursor = search_trail(state.read_side.reads, search)
        registry.oversight.record_read(
            act_of(request, clock), what="audit-search", target="audit_trail", criteria=search.criteria()
        )
        page = AuditPage(rows=msgspec.convert(rows, list[AuditRow], from_attributes=True), next=next_cursor)
        return Response(page, headers={VIEW_POSITION_HEADER: f"marriage={view_position}"})


def person_ref_of(registry: Registry, person: IdentityDocumentIn, today: date) -> str:
    """The keyed hash the audit trail names a person by (the identity number itself is never searched for)."""
    key = validated_document_key(person.document_type, person.document_number, person.nationality, today=today)
    return registry.marriage.person_keys.ref(key)


class TamperEvidenceController(Controller):
    """Signed checkpoints of each log's Merkle tree, and the proofs that tie events and checkpoints together."""

    path = "/v1/audit"
    tags = ("audit",)
    guards = [allow(Role.AUDITOR)]  # noqa: RUF012 (Litestar declares guards as a list)

    @get("/signing-key", sync_to_thread=False)
    def signing_key(self, state: State) -> dict[str, str]:
        """The registry's Ed25519 public key (base64 of the raw 32 bytes) that signs checkpoints."""
        return {"algorithm": "Ed25519", "public_key": public_key_text(state.audit_log.key)}

    @get("/{application:str}/checkpoint", sync_to_thread=True, dependencies={"view_position": views_of()})
    def checkpoint(
        self, application: FromPath[str], state: State, registry: NamedDependency[Registry],
        clock: NamedDependency[Clock], view_position: NamedDependency[int],
    ) -> dict[str, Any]:  # fmt: skip
        """A checkpoint signed now over every event the tree has taken in (wait_for: up to a log position)."""
        application_named(registry, application)
        return asdict(state.audit_log.checkpoint(application, clock.now()))

    @get("/{application:str}/checkpoints", sync_to_thread=True)
    def published(
        self, application: FromPath[str], state: State, registry: NamedDependency[Registry], limit: Limit = PAGE_SIZE,
        after: After = None,
    ) -> CheckpointPage:  # fmt: skip
        """The checkpoints published so far (periodically, by the projection process), oldest first, a page at a
        time."""
        application_named(registry, application)
        published, next_after = published_checkpoints(state.read_side.store, application, limit=limit, after=after)
        return CheckpointPage(checkpoints=[asdict(checkpoint) for checkpoint in published], next_after=next_after)

    @get("/{application:str}/proofs/inclusion", sync_to_thread=True)
    def inclusion(
        self, application: FromPath[str], state: State, registry: NamedDependency[Registry],
        position: Annotated[int, log_integer("the event's log position")],
        tree_size: Annotated[int, log_integer("the size of a checkpoint's tree")],
    ) -> dict[str, Any]:  # fmt: skip
        """The audit path of the event at a log position in the tree of a checkpoint's size."""
        application_named(registry, application)
        index, path = state.audit_log.inclusion(application, position, tree_size)
        return {"leaf_index": index, "tree_size": tree_size, "path": proof_to_text(path)}

    @get("/{application:str}/proofs/consistency", sync_to_thread=True)
    def consistency(
        self, application: FromPath[str], state: State, registry: NamedDependency[Registry],
        first: Annotated[int, log_integer("the older checkpoint's tree size")],
        second: Annotated[int, log_integer("the newer checkpoint's tree size")],
    ) -> dict[str, Any]:  # fmt: skip
        """The proof that the tree of size `second` extends the tree of size `first`."""
        application_named(registry, application)
        return {
            "first": first,
            "second": second,
            "proof": proof_to_text(state.audit_log.consistency(application, first, second)),
        }
