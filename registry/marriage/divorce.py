"""DivorceApplication: divorce by agreement with the cooling-off period of Civil Code art. 1077."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID, uuid4

from eventsourcing.domain import AggregateCreated

from registry.common.actors import Act
from registry.common.clock import local_date
from registry.common.errors import Failure, Forbidden, NotEligible, WrongState
from registry.common.events import RegistryAggregate, RegistryEvent
from registry.marriage.values import PARTIES, Attendance, party_name

# Periods are counted in days from the day after receipt (Civil Code art. 201).
COOLING_OFF_DAYS = 30
REGISTRATION_WINDOW_DAYS = 30

COOLING_OFF = "cooling-off"
AWAITING_REGISTRATION = "awaiting-registration"
WITHDRAWN = "withdrawn"
LAPSED = "lapsed"
REGISTERED = "registered"
CLOSED = "closed"


def withdrawal_deadline(received_on: date) -> date:
    """Last day either party may withdraw."""
    return received_on + timedelta(days=COOLING_OFF_DAYS)


def registration_deadline(received_on: date) -> date:
    """Last day both may come back to be registered; the application lapses after it."""
    return withdrawal_deadline(received_on) + timedelta(days=REGISTRATION_WINDOW_DAYS)


class DivorceApplication(RegistryAggregate):
    """Filed together; either party may withdraw while cooling off; both return to register, or it lapses."""

    TOPIC = "marriage:DivorceApplication"

    class Event(RegistryEvent):
        pass

    class Filed(Event, AggregateCreated):
        TOPIC = "marriage:DivorceApplication.Filed"
        marriage_id: UUID
        office: str
        received_on: date

    class Withdrawn(Event):
        TOPIC = "marriage:DivorceApplication.Withdrawn"
        party: str
        withdrawn_on: date

        def apply(self, divorce: DivorceApplication) -> None:
            divorce.withdrawn_by = self.party
            divorce.withdrawn_on = self.withdrawn_on

    class Closed(Event):
        """The marriage ended otherwise (a court divorce, a judgment of voidness, a death): nothing left to decide."""

        TOPIC = "marriage:DivorceApplication.Closed"
        reason: str

        def apply(self, divorce: DivorceApplication) -> None:
            divorce.closed = True

    class Registered(Event):
        TOPIC = "marriage:DivorceApplication.Registered"
        registered_on: date
        certificate_a: str
        certificate_b: str

        def apply(self, divorce: DivorceApplication) -> None:
            divorce.registered_on = self.registered_on
            divorce.certificates = {"a": self.certificate_a, "b": self.certificate_b}

    def __init__(self, marriage_id: UUID, office: str, received_on: date) -> None:
        self.marriage_id = marriage_id
        self.office = office
        self.received_on = received_on
        self.withdrawn_by: str | None = None
        self.withdrawn_on: date | None = None
        self.registered_on: date | None = None
        self.certificates: dict[str, str] = {}
        self.closed = False

    @property
    def withdrawal_deadline(self) -> date:
        return withdrawal_deadline(self.received_on)

    @property
    def registration_opens(self) -> date:
        return self.withdrawal_deadline + timedelta(days=1)

    @property
    def registration_deadline(self) -> date:
        return registration_deadline(self.received_on)

    def state_on(self, day: date) -> str:
        """The state on a given day: derived from the dates, so a lapse needs no job to record it."""
        if self.registered_on is not None:
            return REGISTERED
        if self.withdrawn_on is not None:
            return WITHDRAWN
        if self.closed:
            return CLOSED
        if day <= self.withdrawal_deadline:
            return COOLING_OFF
        if day <= self.registration_deadline:
            return AWAITING_REGISTRATION
        return LAPSED

    def is_open_on(self, day: date) -> bool:
        return self.state_on(day) in (COOLING_OFF, AWAITING_REGISTRATION)

    # -- commands ---------------------------------------------------------------------------------------------

    @classmethod
    def file(cls, act: Act, *, marriage_id: UUID, attendance: tuple[Attendance, Attendance]) -> DivorceApplication:
        """Both parties apply together, in person, with a signed divorce agreement."""
        check_attendance(attendance, needs_agreement=True)
        divorce: DivorceApplication = cls._create_from(
            cls.Filed, act, id=uuid4(), marriage_id=marriage_id, office=act.by.office, received_on=local_date(act.at)
        )
        return divorce

    def withdraw(self, act: Act, *, party: str) -> None:
        """Either party withdraws within 30 days of receipt; that ends the application."""
        self.check_state_on(local_date(act.at), COOLING_OFF)
        self._record(self.Withdrawn, act, party=party, withdrawn_on=local_date(act.at))

    def register(
        self, act: Act, *, attendance: tuple[Attendance, Attendance], certificate_numbers: tuple[str, str]
    ) -> None:
        """Both come back in person, to the same office, in the 30 days after the cooling-off period."""
        today = local_date(act.at)
        self.check_state_on(today, AWAITING_REGISTRATION)
        if act.by.office != self.office:
            raise Forbidden([Failure("wrong-office", f"the divorce was filed at office {self.office}; register there")])
        check_attendance(attendance, needs_agreement=False)
        self._record(
            self.Registered,
            act,
            registered_on=today,
            certificate_a=certificate_numbers[0],
            certificate_b=certificate_numbers[1],
        )

    def close(self, act: Act, *, reason: str) -> None:
        """End an open application because its marriage ended by other means."""
        if self.is_open_on(local_date(act.at)):
            self._record(self.Closed, act, reason=reason)

    def check_state_on(self, day: date, expected: str) -> None:
        state = self.state_on(day)
        if state != expected:
            raise WrongState([Failure(f"divorce-{state}", f"on {day.isoformat()} the divorce application is {state}")])


def check_attendance(attendance: tuple[Attendance, Attendance], *, needs_agreement: bool) -> None:
    """Both parties present, each declaring the divorce voluntary (and, at filing, the signed agreement)."""
    failures = []
    for label, seen in zip(PARTIES, attendance, strict=True):
        name = party_name(label)
        if not seen.present:
            failures.append(Failure("party-not-present", f"{name} is not present in person", label))
        if not seen.declares_voluntary:
            failures.append(Failure("divorce-not-voluntary", f"{name} has not declared the divorce voluntary", label))
        if needs_agreement and not seen.signed_divorce_agreement:
            failures.append(Failure("divorce-agreement-missing", f"{name} has not signed the divorce agreement", label))
    if failures:
        raise NotEligible(failures)
