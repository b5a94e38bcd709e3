"""DivorceApplication: divorce by agreement with the cooling-off period of Civil Code art. 1077."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from uuid import UUID, uuid4

from eventsourcing.domain import AggregateCreated

from registry.common.actors import Act, Role
from registry.common.clock import local_date
from registry.common.errors import CalendarMissing, Failure, Forbidden, InvalidInput, NotEligible, WrongState
from registry.common.events import RegistryAggregate, RegistryEvent
from registry.common.workdays import WorkingCalendar
from registry.marriage.values import PARTIES, Attendance, party_name

# Periods in days (Civil Code arts. 201, 203; MCA 民发〔2020〕116号): the day of receipt is day 0; a window whose
# last day is a statutory rest day ends on the first working day after it, and the next starts the day after that.
COOLING_OFF_DAYS = 30
REGISTRATION_WINDOW_DAYS = 30

COOLING_OFF = "cooling-off"
AWAITING_REGISTRATION = "awaiting-registration"
WITHDRAWN = "withdrawn"
LAPSED = "lapsed"
REGISTERED = "registered"
CLOSED = "closed"
UNDETERMINED = "undetermined"  # shown, never acted on: the calendar of a year the windows reach is not configured


def withdrawal_deadline(received_on: date, calendar: WorkingCalendar) -> date:
    """Last day either party may withdraw (CalendarMissing if it cannot be known yet)."""
    return calendar.period_end(received_on, COOLING_OFF_DAYS)


def registration_deadline(received_on: date, calendar: WorkingCalendar) -> date:
    """Last day both may come back to be registered; the application lapses after it."""
    return calendar.period_end(withdrawal_deadline(received_on, calendar), REGISTRATION_WINDOW_DAYS)


@dataclass(frozen=True)
class Windows:
    """The dates the windows close, as far as the configured calendars tell; `pending` says why one is unknown."""

    withdrawal_deadline: date | None
    registration_opens: date | None
    registration_deadline: date | None
    pending: str | None = None


def divorce_windows(received_on: date, calendar: WorkingCalendar) -> Windows:
    """Every date that can be stated; a date in a year without a calendar is left unstated, never guessed."""
    try:
        withdrawal = withdrawal_deadline(received_on, calendar)
    except CalendarMissing as missing:
        return Windows(None, None, None, missing.detail)
    try:
        return Windows(withdrawal, withdrawal + timedelta(days=1), registration_deadline(received_on, calendar))
    except CalendarMissing as missing:
        return Windows(withdrawal, withdrawal + timedelta(days=1), None, missing.detail)


def window_state(received_on: date, day: date, calendar: WorkingCalendar) -> str:
    """Cooling off, awaiting registration or lapsed on a day; asks the calendar only what the answer depends on.

    A window never ends before its unextended last day, so a day up to it needs no calendar; CalendarMissing is
    raised only when the answer depends on a year that has none.
    """
    if day <= received_on + timedelta(days=COOLING_OFF_DAYS):
        return COOLING_OFF
    withdrawal = withdrawal_deadline(received_on, calendar)
    if day <= withdrawal:
        return COOLING_OFF
    if day <= withdrawal + timedelta(days=REGISTRATION_WINDOW_DAYS):
        return AWAITING_REGISTRATION
    if day <= calendar.period_end(withdrawal, REGISTRATION_WINDOW_DAYS):
        return AWAITING_REGISTRATION
    return LAPSED


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

    def windows(self, calendar: WorkingCalendar) -> Windows:
        """The dates the windows close (those the configured calendars can tell)."""
        return divorce_windows(self.received_on, calendar)

    def state_on(self, day: date, calendar: WorkingCalendar) -> str:
        """The state on a given day: derived from the dates, so a lapse needs no job to record it.

        CalendarMissing when it depends on a year without a calendar (the act is then refused, not guessed).
        """
        if self.registered_on is not None:
            return REGISTERED
        if self.withdrawn_on is not None:
            return WITHDRAWN
        if self.closed:
            return CLOSED
        return window_state(self.received_on, day, calendar)

    def is_open_on(self, day: date, calendar: WorkingCalendar) -> bool:
        return self.state_on(day, calendar) in (COOLING_OFF, AWAITING_REGISTRATION)

    # -- commands ---------------------------------------------------------------------------------------------

    @classmethod
    def file(cls, act: Act, *, marriage_id: UUID, attendance: tuple[Attendance, Attendance]) -> DivorceApplication:
        """Both parties apply together, in person, with a signed divorce agreement."""
        check_attendance(attendance, needs_agreement=True)
        divorce: DivorceApplication = cls._create_from(
            cls.Filed, act, id=uuid4(), marriage_id=marriage_id, office=act.by.office, received_on=local_date(act.at)
        )
        return divorce

    def withdraw(self, act: Act, *, party: str | None, calendar: WorkingCalendar) -> None:
        """Either party withdraws within 30 days of receipt (extended past rest days); that ends the application.

        The party withdraws at the office that received the application (Civil Code art. 1077, Marriage Registration
        Regulations): only a clerk of that office records it, naming the party who came.
        """
        self.check_state_on(local_date(act.at), COOLING_OFF, calendar)
        self.check_withdrawn_at_receiving_office(act, calendar)
        if party not in PARTIES:
            raise InvalidInput([Failure("party-required", "name the party who withdraws: a or b")])
        self._record(self.Withdrawn, act, party=party, withdrawn_on=local_date(act.at))

    def check_withdrawn_at_receiving_office(self, act: Act, calendar: WorkingCalendar) -> None:
        """A withdrawal is an act of a clerk of the receiving office; a party is told where to go, and by when."""
        if act.by.role != Role.CLERK:
            last_day = withdrawal_deadline(self.received_on, calendar)
            where = f"withdraw in person at office {self.office}, which received the application, by {last_day}"
            raise Forbidden([Failure("withdrawal-at-the-receiving-office", where)])
        if act.by.office != self.office:
            raise Forbidden([Failure("wrong-office", f"the divorce was filed at office {self.office}; withdraw there")])

    def register(
        self,
        act: Act,
        *,
        attendance: tuple[Attendance, Attendance],
        certificate_numbers: tuple[str, str],
        calendar: WorkingCalendar,
    ) -> None:
        """Both come back in person, to the same office, in the 30 days after the cooling-off period."""
        today = local_date(act.at)
        self.check_state_on(today, AWAITING_REGISTRATION, calendar)
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

    def close(self, act: Act, *, reason: str, calendar: WorkingCalendar) -> None:
        """End an open application because its marriage ended by other means.

        One that may still be open (a calendar it depends on is missing) is closed too: closing it loses nothing.
        """
        try:
            still_open = self.is_open_on(local_date(act.at), calendar)
        except CalendarMissing:
            still_open = True
        if still_open:
            self._record(self.Closed, act, reason=reason)

    def check_state_on(self, day: date, expected: str, calendar: WorkingCalendar) -> None:
        state = self.state_on(day, calendar)
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
