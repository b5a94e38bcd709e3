"""BundleCase: one application by a next of kin starts every follow-up task of a death."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from uuid import UUID

from eventsourcing.domain import AggregateCreated

from registry.common.actors import Act
from registry.common.errors import Failure, Forbidden, InvalidInput, NotFound, WrongState
from registry.common.events import RegistryAggregate, RegistryEvent
from registry.common.ids import natural_id

OPEN = "open"
ACKNOWLEDGED = "acknowledged"
COMPLETED = "completed"
REJECTED = "rejected"


@dataclass(frozen=True)
class NextOfKin:
    """Who applied, and where payouts go."""

    name: str
    relationship: str
    contact_phone: str
    payout_account: str
    person_ref: str


@dataclass(frozen=True)
class Task:
    """One service for one department, with why it applies and when it is due."""

    service: str
    department: str
    reason: str
    due_on: date
    state: str = OPEN
    reference: str | None = None
    rejection_reason: str | None = None

    @property
    def is_done(self) -> bool:
        return self.state in (COMPLETED, REJECTED)

    def is_overdue_on(self, day: date) -> bool:
        """The one overdue rule: not done, and its last day (due_on) has passed."""
        return not self.is_done and self.due_on < day


class BundleCase(RegistryAggregate):
    """Complete when every task is completed or rejected; the applicant follows every step."""

    TOPIC = "deaths:BundleCase"

    class Event(RegistryEvent):
        pass

    class Opened(Event, AggregateCreated):
        TOPIC = "deaths:BundleCase.Opened"
        death_id: UUID
        applicant: NextOfKin
        tasks: list[Task]
        applied_on: date

    class TaskAcknowledged(Event):
        TOPIC = "deaths:BundleCase.TaskAcknowledged"
        service: str

        def apply(self, case: BundleCase) -> None:
            case.tasks[self.service] = replace(case.tasks[self.service], state=ACKNOWLEDGED)

    class TaskCompleted(Event):
        TOPIC = "deaths:BundleCase.TaskCompleted"
        service: str
        reference: str

        def apply(self, case: BundleCase) -> None:
            case.tasks[self.service] = replace(case.tasks[self.service], state=COMPLETED, reference=self.reference)

    class TaskRejected(Event):
        TOPIC = "deaths:BundleCase.TaskRejected"
        service: str
        reason: str

        def apply(self, case: BundleCase) -> None:
            case.tasks[self.service] = replace(case.tasks[self.service], state=REJECTED, rejection_reason=self.reason)

    class CaseCompleted(Event):
        TOPIC = "deaths:BundleCase.CaseCompleted"

        def apply(self, case: BundleCase) -> None:
            case.completed = True

    def __init__(self, death_id: UUID, applicant: NextOfKin, tasks: list[Task], applied_on: date) -> None:
        self.death_id = death_id
        self.applicant = applicant
        self.tasks = {task.service: task for task in tasks}
        self.applied_on = applied_on
        self.completed = False

    @staticmethod
    def id_for(death_id: UUID) -> UUID:
        """One bundle per death."""
        return natural_id("bundle-case", str(death_id))

    @classmethod
    def open(cls, act: Act, *, death_id: UUID, applicant: NextOfKin, tasks: list[Task], applied_on: date) -> BundleCase:
        case: BundleCase = cls._create_from(
            cls.Opened, act, id=cls.id_for(death_id), death_id=death_id, applicant=applicant, tasks=tasks,
            applied_on=applied_on,
        )  # fmt: skip
        return case

    def acknowledge(self, act: Act, service: str) -> None:
        self.check_task(act, service, allowed=(OPEN,))
        self._record(self.TaskAcknowledged, act, service=service)

    def complete(self, act: Act, service: str, *, reference: str) -> None:
        """The department did it; its reference (e.g. the cancellation number) is required."""
        self.check_task(act, service, allowed=(OPEN, ACKNOWLEDGED))
        check_given(reference, "reference-required", "a completion is recorded with the department's reference")
        self._record(self.TaskCompleted, act, service=service, reference=reference)
        self._complete_if_done(act)

    def reject(self, act: Act, service: str, *, reason: str) -> None:
        """The department will not do it; the family is told why."""
        self.check_task(act, service, allowed=(OPEN, ACKNOWLEDGED))
        check_given(reason, "reason-required", "a rejection is recorded with its reason")
        self._record(self.TaskRejected, act, service=service, reason=reason)
        self._complete_if_done(act)

    def check_task(self, act: Act, service: str, *, allowed: tuple[str, ...]) -> None:
        task = self.tasks.get(service)
        if task is None:
            raise NotFound(detail=f"this case has no {service} task")
        if act.by.office != task.department:
            raise Forbidden([Failure("not-your-department", f"the {service} task is for {task.department}")])
        if task.state not in allowed:
            raise WrongState([Failure(f"task-{task.state}", f"the {service} task is already {task.state}")])

    def overdue_on(self, day: date) -> list[Task]:
        return [task for task in self.tasks.values() if task.is_overdue_on(day)]

    def _complete_if_done(self, act: Act) -> None:
        if all(task.is_done for task in self.tasks.values()):
            self._record(self.CaseCompleted, act)


def check_given(text: str, code: str, detail: str) -> None:
    """A reference or reason that the act must carry: not blank."""
    if not text.strip():
        raise InvalidInput([Failure(code, detail)])
