"""Deaths: registering deaths, the bundled post-death service, and benefit payments after a death."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, ClassVar, cast
from uuid import UUID

from eventsourcing.domain import BaseAggregate
from eventsourcing.persistence import Tracking
from eventsourcing.utils import EnvType

from registry.common.actors import Act
from registry.common.application import CommandResult, RegistryApplication, TrackedApplication, check_version
from registry.common.clock import local_date
from registry.common.errors import Failure, WrongState
from registry.common.identity import Person
from registry.common.ids import PersonKeys
from registry.common.workdays import WorkingCalendar
from registry.deaths.benefits import BenefitEnds
from registry.deaths.bundle import BundleCase, NextOfKin, Task
from registry.deaths.death import (
    AWAITING_CONFIRMATION,
    DIED_IN_CITY,
    IN_EFFECT,
    REJECTED,
    RESIDENT_CREMATED_IN_CITY,
    Death,
    DeathIndex,
    DeathOnRecord,
    DeathReport,
)
from registry.deaths.services import FUNERAL_FEE_WAIVER, DeceasedFacts, KnownFacts, is_city_resident, plan_services

REGISTERED, DUPLICATE, FLAGGED = "registered", "duplicate", "flagged-for-review"
AWAITING, CONFIRMED = "awaiting-confirmation", "confirmed"


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
        benefit_ends: BenefitEnds | None = None,
    ) -> None:
        super().__init__(env)
        self.person_keys = person_keys
        self.calendar = calendar
        self.marital_status = marital_status
        self.benefit_ends = benefit_ends or BenefitEnds()

    def death(self, death_id: UUID) -> Death:
        return self.load(death_id, Death)

    def case(self, case_id: UUID) -> BundleCase:
        return self.load(case_id, BundleCase)

    def date_of_death(self, document_key: str) -> date | None:
        """The date of death of the person with this document, if their death is in effect (also under review)."""
        return self.dates_of_death([document_key]).get(document_key)

    def dates_of_death(self, document_keys: Sequence[str]) -> dict[str, date]:
        """The same for several people, their deaths' index read together; those with no death in effect are absent."""
        ids = {DeathIndex.id_for(self.person_keys.ref(key)): key for key in document_keys}
        indexes = self.find_all(ids, DeathIndex, shared=True)
        deaths = {ids[index_id]: self.death(index.death_id) for index_id, index in indexes.items()}
        return {key: death.report.died_on for key, death in deaths.items() if death.state == IN_EFFECT}

    def death_id_of(self, document_key: str) -> UUID | None:
        """The registered death of the person with this document, whatever its state (a family names the deceased
        by their document, not by the registry's id)."""
        index = self.find(DeathIndex.id_for(self.person_keys.ref(document_key)), DeathIndex)
        return index.death_id if index else None

    def first_in_effect_at(self, death_id: UUID, version: int) -> Death | None:
        """The death as it was at `version`, if that is when it first became in effect and free of review.

        Decided from the death's own history, so that whoever follows the log reacts once and the same way on
        every run, however late it runs: registration by its issuer, a confirmation, or the end of a review.
        """
        death: Death | None = None
        for event in self.events.get(death_id, lte=version):
            before = death is not None and death.is_effective
            death = cast(Death.Event, event).mutate(death)
            if before:
                return None
        return death if death is not None and death.is_effective else None

    def death_on_record(self, death_id: UUID) -> DeathOnRecord:
        """What another context may rely on: refused (WrongState) unless the death is in effect and not under review."""
        death = self.death(death_id)
        return death.on_record(city_resident=is_city_resident(death.deceased))

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
        """Register a death, or recognise a second certificate of it (noted if it agrees, flagged if not).

        The outcome: registered (in effect), awaiting-confirmation (a clerk's), duplicate, confirmed (the issuing
        body's agreeing certificate confirmed a clerk's registration) or flagged-for-review.
        """
        ref = self.person_keys.ref(deceased.document_key)
        outcome = REGISTERED
        today = local_date(act.at)

        def decide() -> Sequence[BaseAggregate[UUID]]:
            nonlocal outcome
            index = self.find(DeathIndex.id_for(ref), DeathIndex)
            current = self.death(index.death_id) if index else None
            if current is not None and current.state != REJECTED:
                awaited = current.state == AWAITING_CONFIRMATION
                flagged = current.receive_report(act, report, today=today)
                outcome = FLAGGED if flagged else CONFIRMED if awaited and current.state == IN_EFFECT else DUPLICATE
                return [current]
            death = Death.register(act, deceased=deceased, deceased_ref=ref, report=report, today=today)
            outcome = AWAITING if death.state == AWAITING_CONFIRMATION else REGISTERED
            if index is not None and current is not None:  # the registration it points to was rejected
                index.reclaim(act, death.id, current=current)
                return [death, index]
            return [death, DeathIndex.claim(act, ref, death.id)]

        result = self.execute(act, decide, request_fingerprint=request)
        return result, outcome

    def confirm_death(
        self, act: Act, death_id: UUID, *, reason: str, expected_version: int | None = None, request: str = ""
    ) -> CommandResult:
        """A supervisor confirms a clerk's registration: the death takes effect."""
        return self._change_death(
            act, death_id, lambda death: death.confirm(act, reason=reason), expected_version, request
        )

    def reject_death(
        self, act: Act, death_id: UUID, *, reason: str, expected_version: int | None = None, request: str = ""
    ) -> CommandResult:
        """A supervisor rejects a clerk's registration: it never takes effect."""
        return self._change_death(
            act, death_id, lambda death: death.reject(act, reason=reason), expected_version, request
        )

    def resolve_review(
        self, act: Act, death_id: UUID, *, decision: str, reason: str, expected_version: int | None = None,
        request: str = "",
    ) -> CommandResult:  # fmt: skip
        """A supervisor keeps or corrects the details a conflicting certificate disputes."""
        return self._change_death(
            act, death_id, lambda death: death.resolve_review(act, decision=decision, reason=reason),
            expected_version, request,
        )  # fmt: skip

    def record_payment(
        self, act: Act, death_id: UUID, *, benefit: str, paid_for: date, amount_fen: int,
        expected_version: int | None = None, request: str = "",
    ) -> CommandResult:  # fmt: skip
        """A department records a benefit paid for a date; the death flags it if its benefit had ended by then."""
        return self._change_death(
            act, death_id,
            lambda death: death.record_payment(
                act, benefit=benefit, paid_for=paid_for, amount_fen=amount_fen, ends=self.benefit_ends
            ),
            expected_version, request,
        )  # fmt: skip

    def _change_death(
        self, act: Act, death_id: UUID, change: Callable[[Death], object], expected_version: int | None, request: str
    ) -> CommandResult:
        def decide() -> Sequence[BaseAggregate[UUID]]:
            death = self.death(death_id)
            check_version(death, expected_version)
            change(death)
            return [death]

        return self.execute(act, decide, request_fingerprint=request)

    def apply_for_bundle(
        self, act: Act, *, death_id: UUID, applicant: NextOfKin, facts: DeceasedFacts, request: str = ""
    ) -> CommandResult:
        """One application starts every applicable task, each routed, explained and given its deadline."""

        def decide() -> Sequence[BaseAggregate[UUID]]:
            death = self.death(death_id)
            death.check_effective()
            if self.find(BundleCase.id_for(death.id), BundleCase) is not None:
                raise WrongState([Failure("bundle-already-applied", "this death already has its bundled application")])
            known = KnownFacts(
                document_type=death.deceased.document_type,
                died_in_city=death.report.in_city,
                marital_status=self.marital_status(death.deceased.document_key),
                city_resident=is_city_resident(death.deceased),
            )
            applied_on = local_date(act.at)
            tasks = [
                Task(
                    plan.service,
                    plan.department,
                    plan.reason,
                    self.calendar.add_working_days(applied_on, plan.working_days),
                )
                for plan in plan_services(facts, known, self.benefit_ends)
            ]
            return [BundleCase.open(act, death_id=death.id, applicant=applicant, tasks=tasks, applied_on=applied_on)]

        return self.execute(act, decide, request_fingerprint=request)

    def acknowledge_task(
        self, act: Act, case_id: UUID, service: str, *, expected_version: int | None = None, request: str = ""
    ) -> CommandResult:
        """The task's department has taken the task on."""
        return self._change_case(act, case_id, lambda case: case.acknowledge(act, service), expected_version, request)

    def complete_task(
        self, act: Act, case_id: UUID, service: str, *, reference: str, expected_version: int | None = None,
        request: str = "",
    ) -> CommandResult:  # fmt: skip
        """The task's department has done it, under its reference.

        The funeral service completing the fee waiver also records the waiver on the death (once), with its basis.
        """

        def decide() -> Sequence[BaseAggregate[UUID]]:
            case = self.case(case_id)
            check_version(case, expected_version)
            case.complete(act, service, reference=reference)
            if service != FUNERAL_FEE_WAIVER:
                return [case]
            death = self.death(case.death_id)
            death.waive_funeral_fee(act, basis=DIED_IN_CITY if death.report.in_city else RESIDENT_CREMATED_IN_CITY)
            return [case, death]

        return self.execute(act, decide, request_fingerprint=request)

    def reject_task(
        self, act: Act, case_id: UUID, service: str, *, reason: str, expected_version: int | None = None,
        request: str = "",
    ) -> CommandResult:  # fmt: skip
        """The task's department will not do it, and says why."""
        return self._change_case(
            act, case_id, lambda case: case.reject(act, service, reason=reason), expected_version, request
        )

    def _change_case(
        self, act: Act, case_id: UUID, change: Callable[[BundleCase], None], expected_version: int | None,
        request: str,
    ) -> CommandResult:  # fmt: skip
        def decide() -> Sequence[BaseAggregate[UUID]]:
            case = self.case(case_id)
            check_version(case, expected_version)
            change(case)
            return [case]

        return self.execute(act, decide, request_fingerprint=request)
