"""The auditor API: every event of any record, any record as it was, and searches of the audit trail.

Every read here is itself recorded in the oversight log (who looked at what, when).
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

from eventsourcing.application import Application
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
from api.views import VIEW_POSITION_HEADER, views_of
from projections.audit.checkpoints import Checkpoint, public_key_text
from projections.audit.verify import proof_to_text
from projections.pages import SortKey, keyset_page
from registry.common.actors import Act, Role
from registry.common.clock import Clock, local_date
from registry.common.errors import Failure, InvalidInput, NotFound
from registry.common.identity import validated_document_key
from registry.system import Registry

EVENT_FIELDS_SHOWN_ELSEWHERE = ("originator_id", "originator_version", "timestamp", "originator_topic")
# Below 2**63, the limit of PostgreSQL's BIGINT and SQLite's INTEGER, and far beyond any log; a power of two, so that
# the OpenAPI schema (which carries bounds as JSON floats) states it exactly.
LOG_INTEGER_MAX = 2**62
CHECKPOINT_ORDER = SortKey((("tree_size", int),))


def log_integer(description: str) -> Any:
    """A position or tree size: at least 1 and at most 2**62 (a larger one is a 400 problem, never a store error)."""
    return Parameter(ge=1, le=LOG_INTEGER_MAX, description=description)


def application_named(registry: Registry, name: str) -> Application[UUID]:
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
    try:
        aggregate: Any = app.repository.get(aggregate_id, version=version)
    except Exception:  # AggregateNotFoundError, or a version beyond what the store can hold
        aggregate = None
    if aggregate is None or (version is not None and aggregate.version != version):
        # The repository replays up to a version and stops at the last: a version never reached does not exist.
        raise NotFound(detail="no record with that id and version in that application")
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
        conditions, params = ["1 = 1"], []
        criteria: dict[str, str] = {}
        for column, value in (
            ("actor_id", data.actor_id),
            ("actor_office", data.office),
            ("event_type", data.event_type),
            ("application", data.application),
        ):
            if value is not None:
                conditions.append(f"t.{column} = ?")
                params.append(value)
                criteria[column] = value
        if data.person is not None:
            today = local_date(clock.now())
            key = validated_document_key(
                data.person.document_type, data.person.document_number, data.person.nationality, today=today
            )
            ref = registry.marriage.person_keys.ref(key)
            conditions.append(
                "EXISTS (SELECT 1 FROM audit_trail_persons p WHERE p.application = t.application "
                "AND p.position = t.position AND p.person_ref = ?)"
            )
            params.append(ref)
            criteria["person_ref"] = ref
        for op, moment, name in ((">=", data.since, "since"), ("<=", data.until, "until")):
            if moment is not None:
                conditions.append(f"t.recorded_at {op} ?")
                params.append(moment.astimezone(UTC).isoformat())  # recorded_at is UTC ISO text
                criteria[name] = moment.isoformat()
        if data.after is not None:
            conditions.append("(t.recorded_at, t.application, t.position) > (?, ?, ?)")
            params.extend(_cursor(data.after))
        rows = state.read_side.store.query(
            "SELECT t.application, t.position, t.recorded_at, t.aggregate_type, t.aggregate_id, t.version, "
            "t.event_type, t.actor_id, t.actor_role, t.actor_office, t.request_id, t.reason FROM audit_trail t "
            f"WHERE {' AND '.join(conditions)} ORDER BY t.recorded_at, t.application, t.position LIMIT ?",
            (*params, data.limit + 1),
        )
        registry.oversight.record_read(
            act_of(request, clock), what="audit-search", target="audit_trail", criteria=criteria
        )
        page = [AuditRow(**dict(zip(AuditRow.__struct_fields__, row, strict=True))) for row in rows[: data.limit]]
        next_cursor = None
        if len(rows) > data.limit:
            last = page[-1]
            next_cursor = f"{last.recorded_at}|{last.application}|{last.position}"
        return Response(
            AuditPage(rows=page, next=next_cursor), headers={VIEW_POSITION_HEADER: f"marriage={view_position}"}
        )


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
        page = keyset_page(
            state.read_side.store, columns="application, tree_size, last_position, root_hash, signed_at, signature",
            table="audit_checkpoints", where=["application = ?"], params=[application], key=CHECKPOINT_ORDER,
            limit=limit, after=after,
        )  # fmt: skip
        checkpoints = [asdict(Checkpoint(a, int(s), int(p), r, t, g)) for a, s, p, r, t, g in page.rows]
        return CheckpointPage(checkpoints=checkpoints, next_after=page.next_after)

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


def _cursor(raw: str) -> tuple[Any, ...]:
    try:
        recorded_at, application, position = raw.split("|")
        return recorded_at, application, int(position)
    except ValueError:
        raise InvalidInput([Failure("cursor-malformed", "use the `next` value of the previous page")]) from None
