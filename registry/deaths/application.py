"""Deaths: registering deaths, the bundled post-death service, and benefit payments after a death."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.domain import BaseAggregate
from eventsourcing.persistence import Tracking
from eventsourcing.utils import EnvType

from registry.common.actors import Act
from registry.common.application import CommandResult, RegistryApplication, TrackedApplication
from registry.common.clock import local_date
from registry.common.errors import Failure, WrongState
from registry.common.identity import Person
from registry.common.ids import PersonKeys
from registry.common.workdays import WorkingCalendar
from registry.deaths.bundle import BundleCase, NextOfKin, Task
from registry.deaths.death import Death, DeathIndex, DeathReport
from registry.deaths.services import DeceasedFacts, KnownFacts, plan_services

REGISTERED, DUPLICATE, FLAGGED = "registered", "duplicate", "flagged-for-review"


class Deaths(TrackedApplication):
    """One death per person; one bundle per death; tasks for departments with working-day deadlines."""

    name = "deaths"
    value_types: ClassVar[dict[str, type[Any]]] = {
        **RegistryApplication.value_types,
        "death_report": DeathReport,
        "next_of_kin": NextOfKin,
        "bundle_task": Task,
    }

    def __init__(
        self,
        env: EnvType | None = None,
        *,
        person_keys: PersonKeys,
        calendar: WorkingCalendar,
        marital_status: Callable[[str], str],
    ) -> None:
        super().__init__(env)
        self.person_keys = person_keys
        self.calendar = calendar
        self.marital_status = marital_status

    def death(self, death_id: UUID) -> Death:
        return self.load(death_id, Death)

    def case(self, case_id: UUID) -> BundleCase:
        return self.load(case_id, BundleCase)

    def date_of_death(self, document_key: str) -> date | None:
        """The registered date of death of the person with this document, if their death is registered."""
        index = self.find(DeathIndex.id_for(self.person_keys.ref(document_key)), DeathIndex)
        return self.death(index.death_id).report.died_on if index else None

    def died_on(self, death_id: UUID) -> date:
        return self.death(death_id).report.died_on

    def complete_task_by_policy(
        self, act: Act, *, death_id: UUID, service: str, reference: str, tracking: Tracking
    ) -> bool:
        """Another context completed this death's task (e.g. the eco-burial reward was paid): exactly once."""
        case = self.find(BundleCase.id_for(death_id), BundleCase)
        task = case.tasks.get(service) if case else None
        if case is None or task is None or task.is_done:
            self.save_tracked(tracking)
            return False
        case.complete(act, service, reference=reference)
        self.save_tracked(tracking, case)
        return True

    def register_death(
        self, act: Act, *, deceased: Person, report: DeathReport, request: str = ""
    ) -> tuple[CommandResult, str]:
        """Register a death, or recognise a second certificate of it (noted if it agrees, flagged if not)."""
        ref = self.person_keys.ref(deceased.document_key)
        outcome = REGISTERED

        def decide() -> Sequence[BaseAggregate[UUID]]:
            nonlocal outcome
            index = self.find(DeathIndex.id_for(ref), DeathIndex)
            if index is not None:
                death = self.death(index.death_id)
                outcome = FLAGGED if death.receive_report(act, report) else DUPLICATE
                return [death]
            outcome = REGISTERED
            death = Death.register(act, deceased=deceased, deceased_ref=ref, report=report, today=local_date(act.at))
            return [death, DeathIndex.claim(act, ref, death.id)]

        result = self.execute(act, decide, request_fingerprint=request)
        return result, outcome

    def resolve_review(
        self, act: Act, death_id: UUID, *, decision: str, reason: str, request: str = ""
    ) -> CommandResult:
        def decide() -> Sequence[BaseAggregate[UUID]]:
            death = self.death(death_id)
            death.resolve_review(act, decision=decision, reason=reason)
            return [death]

        return self.execute(act, decide, request_fingerprint=request)

    def record_payment(
        self, act: Act, death_id: UUID, *, benefit: str, paid_for: date, amount_fen: int, request: str = ""
    ) -> CommandResult:
        def decide() -> Sequence[BaseAggregate[UUID]]:
            death = self.death(death_id)
            death.record_payment(act, benefit=benefit, paid_for=paid_for, amount_fen=amount_fen)
            return [death]

        return self.execute(act, decide, request_fingerprint=request)

    def apply_for_bundle(
        self, act: Act, *, death_id: UUID, applicant: NextOfKin, facts: DeceasedFacts, request: str = ""
    ) -> CommandResult:
        """One application starts every applicable task, each routed, explained and given its deadline."""

        def decide() -> Sequence[BaseAggregate[UUID]]:
            death = self.death(death_id)
            if self.find(BundleCase.id_for(death.id), BundleCase) is not None:
                raise WrongState([Failure("bundle-already-applied", "this death already has its bundled application")])
            known = KnownFacts(
                document_type=death.deceased.document_type,
                died_in_city=death.report.in_city,
                marital_status=self.marital_status(death.deceased.document_key),
            )
            applied_on = local_date(act.at)
            tasks = [
                Task(
                    plan.service,
                    plan.department,
                    plan.reason,
                    self.calendar.add_working_days(applied_on, plan.working_days),
                )
                for plan in plan_services(facts, known)
            ]
            return [BundleCase.open(act, death_id=death.id, applicant=applicant, tasks=tasks, applied_on=applied_on)]

        return self.execute(act, decide, request_fingerprint=request)

    def acknowledge_task(self, act: Act, case_id: UUID, service: str, *, request: str = "") -> CommandResult:
        """The task's department has taken the task on."""
        return self._change_case(act, case_id, lambda case: case.acknowledge(act, service), request)

    def complete_task(
        self, act: Act, case_id: UUID, service: str, *, reference: str, request: str = ""
    ) -> CommandResult:
        """The task's department has done it, under its reference."""
        return self._change_case(act, case_id, lambda case: case.complete(act, service, reference=reference), request)

    def reject_task(self, act: Act, case_id: UUID, service: str, *, reason: str, request: str = "") -> CommandResult:
        """The task's department will not do it, and says why."""
        return self._change_case(act, case_id, lambda case: case.reject(act, service, reason=reason), request)

    def _change_case(
        self, act: Act, case_id: UUID, change: Callable[[BundleCase], None], request: str
    ) -> CommandResult:
        def decide() -> Sequence[BaseAggregate[UUID]]:
            case = self.case(case_id)
            change(case)
            return [case]

        return self.execute(act, decide, request_fingerprint=request)
