"""Deaths and the bundled post-death service ("after a death, one application")."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from litestar import Controller, Response, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody

from api.auth import allow
from api.context import (
    AnyRequest,
    act_of,
    answer,
    expected_version,
    next_of_kin_ref,
    principal_of,
    record_official_read,
    request_fingerprint,
)
from api.pages import PAGE_SIZE, After, Limit
from api.parties import party_read, person_from
from api.schemas.common import mask
from api.schemas.deaths import (
    BenefitPayment,
    BundleCreate,
    BundleRead,
    DeathCreate,
    DeathDecision,
    DeathDecisionRow,
    DeathDecisionWorklist,
    DeathRead,
    DeathReview,
    DepartmentTaskRow,
    DepartmentWorklist,
    PaymentRead,
    TaskAction,
    TaskRead,
    deceased_facts,
)
from api.views import VIEW_POSITION_HEADER, views_of
from projections.worklists.queries import open_tasks, pending_death_decisions
from registry.common.actors import Act, Role
from registry.common.application import CommandResult
from registry.common.clock import Clock, local_date
from registry.common.errors import NotFound
from registry.deaths.application import CONFIRMED, DUPLICATE, FLAGGED
from registry.deaths.bundle import BundleCase, NextOfKin
from registry.deaths.death import Death, DeathReport
from registry.system import Registry

STATUS_BY_OUTCOME = {DUPLICATE: 200, CONFIRMED: 200, FLAGGED: 202}
TASK = "/{case_id:uuid}/tasks/{service:str}"
OFFICIALS = (Role.CLERK, Role.SUPERVISOR, Role.AUDITOR, Role.DEPARTMENT)


def death_read(death: Death, outcome: str | None = None) -> DeathRead:
    return DeathRead(
        id=death.id, version=death.version, outcome=outcome, state=death.state, deceased=party_read(death.deceased),
        died_on=death.report.died_on, place=death.report.place, in_city=death.report.in_city,
        funeral_fee_waived=death.funeral_fee_waived, funeral_fee_basis=death.funeral_fee_basis,
        review_pending=death.pending_review is not None, rejection_reason=death.rejection_reason,
    )  # fmt: skip


def bundle_read(case: BundleCase, today: date) -> BundleRead:
    return BundleRead(
        id=case.id, version=case.version, death_id=case.death_id, applied_on=case.applied_on, completed=case.completed,
        applicant_name=case.applicant.name, relationship=case.applicant.relationship,
        payout_account_masked=mask(case.applicant.payout_account),
        tasks=[
            TaskRead(
                service=t.service, department=t.department, reason=t.reason, due_on=t.due_on,
                overdue=t.is_overdue_on(today), state=t.state, reference=t.reference,
                rejection_reason=t.rejection_reason,
            )
            for t in case.tasks.values()
        ],
    )  # fmt: skip


def visible_case(registry: Registry, request: AnyRequest, case_id: UUID) -> BundleCase:
    """Officials see every case; a citizen only the case they applied for."""
    case = registry.deaths.case(case_id)
    principal = principal_of(request)
    if principal.role == Role.CITIZEN and principal.subject != case.applicant.person_ref:
        raise NotFound()
    return case


def apply_for_bundle(
    registry: Registry, request: AnyRequest, act: Act, data: BundleCreate, request_fingerprint: str
) -> CommandResult:
    """A next of kin's one application (a citizen as themselves; a clerk names the applicant's document)."""
    applicant_ref = next_of_kin_ref(request, act, registry.marriage.person_keys, data.applicant.document)
    kin = NextOfKin(data.applicant.name, data.applicant.relationship, data.applicant.contact_phone,
                    data.applicant.payout_account, applicant_ref)  # fmt: skip
    return registry.deaths.apply_for_bundle(
        act, death_id=data.death_id, applicant=kin, facts=deceased_facts(data.facts), request=request_fingerprint
    )


def case_answer(registry: Registry, result: CommandResult, clock: Clock, status: int = 200) -> Response[Any]:
    case = registry.deaths.subject_of(result, BundleCase)
    location = f"/v1/bundle-cases/{case.id}" if status == 201 else None
    today = local_date(clock.now())
    return answer(bundle_read(case, today), version=case.version, result=result, status=status, location=location)


class DeathController(Controller):
    path = "/v1/deaths"
    tags = ("deaths",)

    @post("/", guards=[allow(Role.HOSPITAL, Role.POLICE, Role.CLERK)], sync_to_thread=True, status_code=201)
    def register(
        self, request: AnyRequest, data: JSONBody[DeathCreate], registry: NamedDependency[Registry],
        clock: NamedDependency[Clock],
    ) -> Response[DeathRead]:  # fmt: skip
        """Register a death from its certificate: 201 new, 200 a duplicate report, 202 a conflicting one flagged.

        A hospital's or the police's registration is in effect at once; a clerk's (201, state awaiting-confirmation)
        waits for a supervisor. The issuing body's agreeing certificate confirms a clerk's registration (200).
        """
        act = act_of(request, clock)
        report = DeathReport(data.certificate_kind, data.certificate_number, data.died_on, data.place, data.in_city)
        result, outcome = registry.deaths.register_death(
            act, deceased=person_from(data.deceased, act), report=report, request=request_fingerprint(request, data)
        )
        death = registry.deaths.subject_of(result, Death)
        status = STATUS_BY_OUTCOME.get(outcome, 201)
        location = f"/v1/deaths/{death.id}" if status == 201 else None
        return answer(
            death_read(death, outcome), version=death.version, result=result, status=status, location=location
        )

    @get("/{death_id:uuid}", guards=[allow(*OFFICIALS)], sync_to_thread=True)
    def read(
        self, request: AnyRequest, death_id: FromPath[UUID], registry: NamedDependency[Registry],
        clock: NamedDependency[Clock],
    ) -> Response[DeathRead]:  # fmt: skip
        """A registered death."""
        death = registry.deaths.death(death_id)
        record_official_read(
            request, registry, clock, what="death", target=f"death/{death_id}", persons=[death.deceased_ref]
        )
        return answer(death_read(death), version=death.version)

    @post("/{death_id:uuid}/review", guards=[allow(Role.SUPERVISOR)], sync_to_thread=True, status_code=200)
    def review(
        self, request: AnyRequest, death_id: FromPath[UUID], data: JSONBody[DeathReview],
        registry: NamedDependency[Registry], clock: NamedDependency[Clock],
    ) -> Response[DeathRead]:  # fmt: skip
        """Resolve a conflicting report: keep the registered details, or correct them from the report."""
        result = registry.deaths.resolve_review(
            act_of(request, clock), death_id, decision=data.decision, reason=data.reason,
            expected_version=expected_version(request), request=request_fingerprint(request, data),
        )  # fmt: skip
        death = registry.deaths.subject_of(result, Death)
        return answer(death_read(death), version=death.version, result=result)

    @post("/{death_id:uuid}/confirmation", guards=[allow(Role.SUPERVISOR)], sync_to_thread=True, status_code=200)
    def confirm(
        self, request: AnyRequest, death_id: FromPath[UUID], data: JSONBody[DeathDecision],
        registry: NamedDependency[Registry], clock: NamedDependency[Clock],
    ) -> Response[DeathRead]:  # fmt: skip
        """Confirm a clerk's registration: the death takes effect (the spouse is widowed, the bundle may open)."""
        result = registry.deaths.confirm_death(
            act_of(request, clock), death_id, reason=data.reason, expected_version=expected_version(request),
            request=request_fingerprint(request, data),
        )  # fmt: skip
        death = registry.deaths.subject_of(result, Death)
        return answer(death_read(death), version=death.version, result=result)

    @post("/{death_id:uuid}/rejection", guards=[allow(Role.SUPERVISOR)], sync_to_thread=True, status_code=200)
    def reject(
        self, request: AnyRequest, death_id: FromPath[UUID], data: JSONBody[DeathDecision],
        registry: NamedDependency[Registry], clock: NamedDependency[Clock],
    ) -> Response[DeathRead]:  # fmt: skip
        """Reject a clerk's registration with the reason: it never takes effect."""
        result = registry.deaths.reject_death(
            act_of(request, clock), death_id, reason=data.reason, expected_version=expected_version(request),
            request=request_fingerprint(request, data),
        )  # fmt: skip
        death = registry.deaths.subject_of(result, Death)
        return answer(death_read(death), version=death.version, result=result)

    @post("/{death_id:uuid}/benefit-payments", guards=[allow(Role.DEPARTMENT)], sync_to_thread=True, status_code=200)
    def payment(
        self, request: AnyRequest, death_id: FromPath[UUID], data: JSONBody[BenefitPayment],
        registry: NamedDependency[Registry], clock: NamedDependency[Clock],
    ) -> Response[PaymentRead]:  # fmt: skip
        """Record a benefit payment; one for a period after its benefit ended is flagged for recovery."""
        result = registry.deaths.record_payment(
            act_of(request, clock), death_id, benefit=data.benefit, paid_for=data.paid_for,
            amount_fen=data.amount_fen, expected_version=expected_version(request),
            request=request_fingerprint(request, data),
        )  # fmt: skip
        death = registry.deaths.subject_of(result, Death)
        payment = death.payments[-1]  # the death as this payment left it (also for a replayed request)
        body = PaymentRead(
            death_id=death_id, benefit=payment.benefit, paid_for=payment.paid_for,
            payable_until=payment.payable_until, flagged_for_recovery=payment.flagged_for_recovery,
        )  # fmt: skip
        return answer(body, version=death.version, result=result)


class BundleController(Controller):
    path = "/v1/bundle-cases"
    tags = ("deaths",)

    @post("/", guards=[allow(Role.CITIZEN, Role.CLERK)], sync_to_thread=True, status_code=201)
    def apply(
        self, request: AnyRequest, data: JSONBody[BundleCreate], registry: NamedDependency[Registry],
        clock: NamedDependency[Clock],
    ) -> Response[BundleRead]:  # fmt: skip
        """One application by a next of kin starts every follow-up task."""
        result = apply_for_bundle(registry, request, act_of(request, clock), data, request_fingerprint(request, data))
        return case_answer(registry, result, clock, status=201)

    @get("/{case_id:uuid}", guards=[allow(Role.CITIZEN, *OFFICIALS)], sync_to_thread=True)
    def read(
        self, request: AnyRequest, case_id: FromPath[UUID], registry: NamedDependency[Registry],
        clock: NamedDependency[Clock],
    ) -> Response[BundleRead]:  # fmt: skip
        """The case and every task's state: the family follows every step."""
        case = visible_case(registry, request, case_id)
        deceased = registry.deaths.death(case.death_id).deceased_ref
        record_official_read(
            request, registry, clock, what="bundle-case", target=f"bundle-case/{case_id}",
            persons=[deceased, case.applicant.person_ref],
        )  # fmt: skip
        return answer(bundle_read(case, local_date(clock.now())), version=case.version)

    @post(TASK + "/acknowledgement", guards=[allow(Role.DEPARTMENT)], sync_to_thread=True, status_code=200)
    def acknowledge_task(
        self, request: AnyRequest, case_id: FromPath[UUID], service: FromPath[str], data: JSONBody[TaskAction],
        registry: NamedDependency[Registry], clock: NamedDependency[Clock],
    ) -> Response[BundleRead]:  # fmt: skip
        """The task's department takes it on."""
        result = registry.deaths.acknowledge_task(
            act_of(request, clock), case_id, service, expected_version=expected_version(request),
            request=request_fingerprint(request, data),
        )  # fmt: skip
        return case_answer(registry, result, clock)

    @post(TASK + "/completion", guards=[allow(Role.DEPARTMENT)], sync_to_thread=True, status_code=200)
    def complete_task(
        self, request: AnyRequest, case_id: FromPath[UUID], service: FromPath[str], data: JSONBody[TaskAction],
        registry: NamedDependency[Registry], clock: NamedDependency[Clock],
    ) -> Response[BundleRead]:  # fmt: skip
        """The task's department did it (note = its reference)."""
        result = registry.deaths.complete_task(
            act_of(request, clock), case_id, service, reference=data.note, expected_version=expected_version(request),
            request=request_fingerprint(request, data),
        )  # fmt: skip
        return case_answer(registry, result, clock)

    @post(TASK + "/rejection", guards=[allow(Role.DEPARTMENT)], sync_to_thread=True, status_code=200)
    def reject_task(
        self, request: AnyRequest, case_id: FromPath[UUID], service: FromPath[str], data: JSONBody[TaskAction],
        registry: NamedDependency[Registry], clock: NamedDependency[Clock],
    ) -> Response[BundleRead]:  # fmt: skip
        """The task's department will not do it (note = the reason the family is given)."""
        result = registry.deaths.reject_task(
            act_of(request, clock), case_id, service, reason=data.note, expected_version=expected_version(request),
            request=request_fingerprint(request, data),
        )  # fmt: skip
        return case_answer(registry, result, clock)


class DepartmentWorklistController(Controller):
    path = "/v1/worklists/department"
    tags = ("deaths",)

    @get("/", guards=[allow(Role.DEPARTMENT)], sync_to_thread=True, dependencies={"view_position": views_of("deaths")})
    def worklist(
        self, request: AnyRequest, state: State, clock: NamedDependency[Clock], view_position: NamedDependency[int],
        overdue_only: FromQuery[bool] = False, limit: Limit = PAGE_SIZE, after: After = None,
    ) -> Response[DepartmentWorklist]:  # fmt: skip
        """The caller's department's open tasks, earliest deadline first."""
        department = principal_of(request).office
        rows, next_after = open_tasks(
            state.read_side.reads, department, local_date(clock.now()), overdue_only=overdue_only, limit=limit,
            after=after,
        )  # fmt: skip
        tasks = [
            DepartmentTaskRow(
                case_id=t.case_id, service=t.service, reason=t.reason, due_on=t.due_on, state=t.state, overdue=t.overdue
            )
            for t in rows
        ]
        body = DepartmentWorklist(department=department, tasks=tasks, next_after=next_after)
        return Response(body, headers={VIEW_POSITION_HEADER: f"deaths={view_position}"})


class DeathDecisionWorklistController(Controller):
    path = "/v1/worklists/death-decisions"
    tags = ("deaths",)

    @get("/", guards=[allow(Role.SUPERVISOR)], sync_to_thread=True, dependencies={"view_position": views_of("deaths")})
    def worklist(
        self, state: State, view_position: NamedDependency[int], limit: Limit = PAGE_SIZE, after: After = None
    ) -> Response[DeathDecisionWorklist]:
        """Clerks' registrations awaiting confirmation and conflicting certificates awaiting review, oldest first."""
        owed, next_after = pending_death_decisions(state.read_side.reads, limit=limit, after=after)
        decisions = [
            DeathDecisionRow(
                death_id=d.death_id, kind=d.kind, since=d.since, raised_by_role=d.raised_by_role,
                raised_by_office=d.raised_by_office,
            )
            for d in owed
        ]  # fmt: skip
        return Response(
            DeathDecisionWorklist(decisions=decisions, next_after=next_after),
            headers={VIEW_POSITION_HEADER: f"deaths={view_position}"},
        )
