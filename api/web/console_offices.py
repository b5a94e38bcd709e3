"""The back offices: a department's post-death tasks, the place-name officer's names and plates, and the auditor's
reading of any record at any version or time, and of checkpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from litestar import Controller, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from api.auth import allow
from api.context import principal_of, record_official_read
from api.controllers.audit import record_events, record_state
from api.controllers.deaths import bundle_read, visible_case
from api.controllers.places import STEPS, place_read
from api.pages import MAX_PAGE_SIZE
from api.views import views_of
from api.web.pages import (
    AnyRequest,
    Form,
    confirm_page,
    confirmed,
    form_fingerprint,
    render,
    see,
    text_field,
    web_act,
)
from api.web.public import new_form_key
from projections.addresses.queries import AddressSearch, address_versions
from projections.audit.checkpoints import verify_signature
from projections.audit.merkle import verify_consistency
from projections.front_desk.queries import place_names
from projections.worklists.queries import open_tasks
from registry.common.actors import Role
from registry.common.clock import Clock, local_date
from registry.common.errors import Failure, InvalidInput
from registry.system import Registry

PLACE_KINDS = ("road", "estate", "building", "bridge", "square", "village", "natural")
WEB_STEPS = tuple(step for step in STEPS if step != "opinion")  # the consulted body gives its opinion elsewhere


class DepartmentConsole(Controller):
    """A department's own tasks, overdue first; acting on a task is for its department only (the domain checks)."""

    path = "/console"
    include_in_schema = False
    guards = [allow(Role.DEPARTMENT)]  # noqa: RUF012 (Litestar declares guards as a list)

    @get("/tasks", sync_to_thread=True, dependencies={"view_position": views_of("deaths")})
    def tasks(
        self, request: AnyRequest, state: State, clock: NamedDependency[Clock], view_position: NamedDependency[int]
    ) -> Template:
        department = principal_of(request).office
        rows, _ = open_tasks(state.read_side.reads, department, local_date(clock.now()), limit=MAX_PAGE_SIZE)
        rows.sort(key=lambda task: not task.overdue)  # overdue first, each group still earliest deadline first
        return render(request, "console/tasks.html", tasks=rows, department=department)

    @get("/bundle-cases/{case_id:uuid}", sync_to_thread=True)
    def case(
        self,
        request: AnyRequest,
        case_id: FromPath[UUID],
        registry: NamedDependency[Registry],
        clock: NamedDependency[Clock],
    ) -> Template:
        case = visible_case(registry, request, case_id)
        deceased = registry.deaths.death(case.death_id).deceased_ref
        record_official_read(request, registry, clock, what="bundle-case", target=f"bundle-case/{case_id}",
                             persons=[deceased, case.applicant.person_ref])  # fmt: skip
        body = bundle_read(case, local_date(clock.now()))
        return render(request, "console/case.html", case=body, department=principal_of(request).office,
                      form_key=new_form_key())  # fmt: skip

    @post("/bundle-cases/{case_id:uuid}/tasks/{service:str}/{action:str}", sync_to_thread=True, status_code=303)
    def task(
        self, request: AnyRequest, case_id: FromPath[UUID], service: FromPath[str], action: FromPath[str], data: Form,
        registry: NamedDependency[Registry], clock: NamedDependency[Clock],
    ) -> Template | Redirect:  # fmt: skip
        """Take on, complete (with the reference) or reject (with the reason the family is told) one task."""
        back = f"/console/bundle-cases/{case_id}"
        if action not in ("acknowledgement", "completion", "rejection"):
            return see(back)
        if action != "acknowledgement" and not confirmed(data):
            return confirm_page(request, data, question="console.task.confirm", cancel=back)
        act, note, fingerprint = (
            web_act(request, clock, data),
            text_field(data, "note")[:1000],
            form_fingerprint(request, data),
        )
        deaths = registry.deaths
        if action == "acknowledgement":
            result = deaths.acknowledge_task(act, case_id, service, request=fingerprint)
        elif action == "completion":
            result = deaths.complete_task(act, case_id, service, reference=note, request=fingerprint)
        else:
            result = deaths.reject_task(act, case_id, service, reason=note, request=fingerprint)
        return see(f"{back}?wait_for={result.position}")


class PlaceNameConsole(Controller):
    """Names through their lifecycle, and door plates along approved roads; approval by the kind's authority."""

    path = "/console"
    include_in_schema = False
    guards = [allow(Role.PLACE_NAME_OFFICER)]  # noqa: RUF012 (Litestar declares guards as a list)

    @get("/places", sync_to_thread=True, dependencies={"view_position": views_of("places")})
    def places(
        self, request: AnyRequest, state: State, view_position: NamedDependency[int], offset: FromQuery[int] = 0
    ) -> Template:
        names, total = place_names(state.read_side.reads, offset=max(offset, 0), limit=50)
        return render(request, "console/places.html", names=names, total=total, kinds=PLACE_KINDS,
                      offset=offset, form_key=new_form_key())  # fmt: skip

    @post("/places", sync_to_thread=True, status_code=303)
    def propose(
        self, request: AnyRequest, data: Form, registry: NamedDependency[Registry], clock: NamedDependency[Clock]
    ) -> Redirect:
        result = registry.places.propose(
            web_act(request, clock, data), name=text_field(data, "name")[:40], kind=text_field(data, "kind"),
            origin_and_meaning=text_field(data, "origin")[:1000], planning_reference=text_field(data, "planning")[:64],
            request=form_fingerprint(request, data),
        )  # fmt: skip
        return see(f"/console/places/{result.aggregate_id}")

    @get("/places/{place_id:uuid}", sync_to_thread=True, dependencies={"view_position": views_of("places")})
    def place(
        self, request: AnyRequest, place_id: FromPath[UUID], state: State, registry: NamedDependency[Registry],
        clock: NamedDependency[Clock], view_position: NamedDependency[int],
    ) -> Template:  # fmt: skip
        place = registry.places.place(place_id)
        body = place_read(place, registry.places.policy)
        plates = None
        if place.kind == "road":
            search = AddressSearch(road=place.name)
            plates, _ = address_versions(state.read_side.reads, local_date(clock.now()), search, limit=MAX_PAGE_SIZE)
        return render(request, "console/place.html", place=body, steps=WEB_STEPS, plates=plates,
                      form_key=new_form_key())  # fmt: skip

    @post("/places/{place_id:uuid}/steps", sync_to_thread=True, status_code=303)
    def step(
        self, request: AnyRequest, place_id: FromPath[UUID], data: Form, registry: NamedDependency[Registry],
        clock: NamedDependency[Clock],
    ) -> Template | Redirect:  # fmt: skip
        """One step of the lifecycle, recorded for good after a confirmation."""
        step = text_field(data, "step")
        if step not in WEB_STEPS:
            raise InvalidInput([Failure("place-name-step-unknown", f"steps: {', '.join(WEB_STEPS)}")])
        if not confirmed(data):
            return confirm_page(
                request, data, question="console.place.step.confirm", cancel=f"/console/places/{place_id}"
            )
        registry.places.advance(
            web_act(request, clock, data), place_id, step=STEPS[step], note=text_field(data, "note")[:1000],
            homophone_reason=text_field(data, "homophone_reason")[:1000], request=form_fingerprint(request, data),
        )  # fmt: skip
        return see(f"/console/places/{place_id}")

    @post("/places/{road_id:uuid}/plates", sync_to_thread=True, status_code=303)
    def assign_plate(
        self, request: AnyRequest, road_id: FromPath[UUID], data: Form, registry: NamedDependency[Registry],
        clock: NamedDependency[Clock],
    ) -> Template | Redirect:  # fmt: skip
        """A plate on application along an approved road (numbers are never reused), after a confirmation."""
        if not confirmed(data):
            return confirm_page(
                request, data, question="console.place.assign.confirm", cancel=f"/console/places/{road_id}"
            )
        try:
            distance = float(text_field(data, "distance"))
        except ValueError:
            raise InvalidInput([Failure("plate-before-first", "give the distance in metres")]) from None
        act = web_act(request, clock, data)
        result = registry.places.assign_plate(
            act, road_id=road_id, side=text_field(data, "side"), distance=distance,
            building_ref=text_field(data, "building")[:64], town=text_field(data, "town")[:40],
            applied_on=local_date(act.at), request=form_fingerprint(request, data),
        )  # fmt: skip
        return see(f"/console/places/{road_id}?wait_for={result.position}")


class AuditConsole(Controller):
    """Any record at any version or time, every event, and checkpoints; each read is itself recorded."""

    path = "/console/audit"
    include_in_schema = False
    guards = [allow(Role.AUDITOR)]  # noqa: RUF012 (Litestar declares guards as a list)

    @get("/", sync_to_thread=True)
    def audit(
        self, request: AnyRequest, registry: NamedDependency[Registry], clock: NamedDependency[Clock],
        application: FromQuery[str] = "marriage", record: FromQuery[str] = "", version: FromQuery[int | None] = None,
        at: FromQuery[str] = "",
    ) -> Template:  # fmt: skip
        state: Any = None
        events: Any = None
        if record.strip():
            try:
                record_id = UUID(record.strip())
                moment = datetime.fromisoformat(at.strip()) if at.strip() else None
            except ValueError:
                raise InvalidInput([Failure("malformed-request", "a record id and an ISO 8601 time")]) from None
            act = web_act(request, clock, {})
            state = record_state(registry, act, application, record_id, version=version, at=moment)
            events = record_events(registry, act, application, record_id, limit=500)
        return render(
            request, "console/audit.html", applications=list(registry.applications()), application=application,
            record=record, version=version, at=at, state=state, events=events,
        )  # fmt: skip

    @get("/checkpoint", sync_to_thread=True)
    def checkpoint(
        self, request: AnyRequest, state: State, registry: NamedDependency[Registry], clock: NamedDependency[Clock],
        application: FromQuery[str] = "marriage",
    ) -> Template:  # fmt: skip
        """A checkpoint signed now, its signature checked, and its consistency with the last one published."""
        if application not in registry.applications():
            application = "marriage"
        log = state.audit_log
        checkpoint = log.checkpoint(application, clock.now())
        signature_ok = verify_signature(checkpoint, log.key.public_key())
        earlier = [
            c for c in state.read_side.publisher.published(application) if 0 < c.tree_size < checkpoint.tree_size
        ]
        consistent = None
        if earlier:
            older = earlier[-1]
            proof = log.consistency(application, older.tree_size, checkpoint.tree_size)
            consistent = verify_signature(older, log.key.public_key()) and verify_consistency(
                older.tree_size, checkpoint.tree_size, older.root(), checkpoint.root(), proof
            )
        registry.oversight.record_read(
            web_act(request, clock, {}), what="checkpoint", target=f"{application}/checkpoint"
        )
        return render(request, "console/checkpoint.html", applications=list(registry.applications()),
                      application=application, checkpoint=checkpoint, signature_ok=signature_ok,
                      earlier=earlier[-1] if earlier else None, consistent=consistent)  # fmt: skip
