"""Death: one per person, registered from a medical or police death certificate; later reports are recognised."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID, uuid4

from eventsourcing.domain import AggregateCreated

from registry.common.actors import Act
from registry.common.errors import Failure, InvalidInput, WrongState
from registry.common.events import RegistryAggregate, RegistryEvent
from registry.common.identity import Person
from registry.common.ids import natural_id

CERTIFICATE_KINDS = ("medical", "police")


@dataclass(frozen=True)
class DeathReport:
    """What a death certificate states."""

    certificate_kind: str
    certificate_number: str
    died_on: date
    place: str
    in_city: bool

    def agrees_with(self, other: DeathReport) -> bool:
        """Two reports of one death agree when the date and the place agree (certificates differ by issuer)."""
        return (self.died_on, self.place, self.in_city) == (other.died_on, other.place, other.in_city)


def check_report(report: DeathReport, *, today: date, birth_date: date) -> None:
    failures = []
    if report.certificate_kind not in CERTIFICATE_KINDS:
        failures.append(Failure("death-certificate-kind", "a medical or police death certificate is required"))
    if report.died_on > today:
        failures.append(Failure("death-date-in-future", "the date of death is after today"))
    if report.died_on < birth_date:
        failures.append(Failure("death-before-birth", "the date of death is before the birth date"))
    if failures:
        raise InvalidInput(failures)


class Death(RegistryAggregate):
    """A registered death; duplicate reports are noted, conflicting ones flagged for a supervisor's review."""

    TOPIC = "deaths:Death"

    class Event(RegistryEvent):
        pass

    class Registered(Event, AggregateCreated):
        TOPIC = "deaths:Death.Registered"
        deceased: Person
        deceased_ref: str
        report: DeathReport

    class FuneralFeeWaived(Event):
        """The basic funeral fees are waived for everyone who dies in the city, whatever their registration."""

        TOPIC = "deaths:Death.FuneralFeeWaived"

        def apply(self, death: Death) -> None:
            death.funeral_fee_waived = True

    class DuplicateReceived(Event):
        TOPIC = "deaths:Death.DuplicateReceived"
        report: DeathReport

    class ConflictFlagged(Event):
        TOPIC = "deaths:Death.ConflictFlagged"
        report: DeathReport

        def apply(self, death: Death) -> None:
            death.pending_review = self.report

    class ReviewResolved(Event):
        TOPIC = "deaths:Death.ReviewResolved"
        decision: str
        reason: str

        def apply(self, death: Death) -> None:
            if self.decision == "correct" and death.pending_review is not None:
                death.report = death.pending_review
            death.pending_review = None

    class BenefitPaymentRecorded(Event):
        """A benefit paid for a date after the death is flagged for recovery (benefits stop as of the death)."""

        TOPIC = "deaths:Death.BenefitPaymentRecorded"
        benefit: str
        paid_for: date
        amount_fen: int
        flagged_for_recovery: bool

    def __init__(self, deceased: Person, deceased_ref: str, report: DeathReport) -> None:
        self.deceased = deceased
        self.deceased_ref = deceased_ref
        self.report = report
        self.funeral_fee_waived = False
        self.pending_review: DeathReport | None = None

    @classmethod
    def register(cls, act: Act, *, deceased: Person, deceased_ref: str, report: DeathReport, today: date) -> Death:
        check_report(report, today=today, birth_date=deceased.birth_date)
        death: Death = cls._create_from(
            cls.Registered, act, id=uuid4(), deceased=deceased, deceased_ref=deceased_ref, report=report
        )
        if report.in_city:
            death._record(cls.FuneralFeeWaived, act)
        return death

    def receive_report(self, act: Act, report: DeathReport) -> bool:
        """Another certificate of the same death: noted if it agrees, flagged for review if not; True if flagged."""
        if report.agrees_with(self.report):
            self._record(self.DuplicateReceived, act, report=report)
            return False
        self._record(self.ConflictFlagged, act, report=report)
        return True

    def resolve_review(self, act: Act, *, decision: str, reason: str) -> None:
        if self.pending_review is None:
            raise WrongState([Failure("no-review-pending", "no conflicting report is waiting for review")])
        if decision not in ("keep", "correct"):
            raise InvalidInput([Failure("review-decision", "decide keep (the registered details) or correct")])
        self._record(self.ReviewResolved, act, decision=decision, reason=reason)

    def record_payment(self, act: Act, *, benefit: str, paid_for: date, amount_fen: int) -> bool:
        """Record a benefit payment; True when it is for a day after the death and must be recovered."""
        if amount_fen <= 0:
            raise InvalidInput([Failure("payment-amount", "the amount must be positive (in fen)")])
        flagged = paid_for > self.report.died_on
        self._record(
            self.BenefitPaymentRecorded, act, benefit=benefit, paid_for=paid_for, amount_fen=amount_fen,
            flagged_for_recovery=flagged,
        )  # fmt: skip
        return flagged


class DeathIndex(RegistryAggregate):
    """One per person: makes a second registration of the same death find the first."""

    TOPIC = "deaths:DeathIndex"

    class Event(RegistryEvent):
        pass

    class Claimed(Event, AggregateCreated):
        TOPIC = "deaths:DeathIndex.Claimed"
        death_id: UUID

    def __init__(self, death_id: UUID) -> None:
        self.death_id = death_id

    @staticmethod
    def id_for(person_ref: str) -> UUID:
        return natural_id("death", person_ref)

    @classmethod
    def claim(cls, act: Act, person_ref: str, death_id: UUID) -> DeathIndex:
        index: DeathIndex = cls._create_from(cls.Claimed, act, id=cls.id_for(person_ref), death_id=death_id)
        return index
