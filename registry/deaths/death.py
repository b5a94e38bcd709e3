"""Death: one per person, registered from a medical or police death certificate; later reports are recognised.

A hospital (medical certificate) or the police (police certificate) register a death that takes effect at once. A
civil-affairs clerk may enter a certificate too, but that registration waits for a supervisor, who confirms or
rejects it with a reason. What follows from a death (the spouse widowed, the bundle, benefits ended, the funeral-fee
waiver, a reward) waits for a death that is in effect and not flagged for review.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal
from uuid import UUID, uuid4

from eventsourcing.domain import AggregateCreated

from registry.common.actors import Act, Actor, Role
from registry.common.errors import Failure, Forbidden, InvalidInput, WrongState
from registry.common.events import RegistryAggregate, RegistryEvent
from registry.common.identity import Person
from registry.common.ids import natural_id
from registry.deaths.benefits import BenefitEnds, BenefitPayment, check_benefit_code

CERTIFICATE_KINDS = ("medical", "police")
# Who issues which certificate; a clerk may enter either, for a supervisor to confirm.
ISSUER_OF = {Role.HOSPITAL.value: "medical", Role.POLICE.value: "police"}

DeathState = Literal["in-effect", "awaiting-confirmation", "rejected"]
IN_EFFECT: DeathState = "in-effect"
AWAITING_CONFIRMATION: DeathState = "awaiting-confirmation"
REJECTED: DeathState = "rejected"

# Why the basic funeral fees are waived (docs/domain.md rule B9).
DIED_IN_CITY = "died-in-city"
RESIDENT_CREMATED_IN_CITY = "resident-cremated-at-city-funeral-home"


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


@dataclass(frozen=True)
class DeathOnRecord:
    """What other contexts may rely on about a death in effect."""

    died_on: date
    died_in_city: bool
    city_resident: bool  # household registration in the city, as the resident identity number shows it


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


def check_may_report(actor: Actor, report: DeathReport) -> None:
    """A hospital reports on its medical certificate, the police on theirs; a clerk enters either kind."""
    if actor.role == Role.CLERK:
        return
    issued = ISSUER_OF.get(actor.role)
    if issued is None:
        raise Forbidden([Failure("death-report-role", "deaths are reported by a hospital, the police or a clerk")])
    if report.certificate_kind != issued:
        raise Forbidden(
            [Failure("certificate-not-issued-by-reporter", f"a {actor.role} reports on a {issued} death certificate")]
        )


def check_supervisor(actor: Actor, what: str) -> None:
    if actor.role != Role.SUPERVISOR:
        raise Forbidden([Failure("supervisor-required", f"only a supervisor may {what}")])


class Death(RegistryAggregate):
    """A registered death; duplicate reports are noted, conflicting ones flagged for a supervisor's review."""

    TOPIC = "deaths:Death"

    class Event(RegistryEvent):
        pass

    class Registered(Event, AggregateCreated):
        TOPIC = "deaths:Death.Registered"
        class_version = 2
        deceased: Person
        deceased_ref: str
        report: DeathReport
        awaits_confirmation: bool

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """Version 1 had no confirmation step: every registration took effect at once (and was acted on)."""
            state["awaits_confirmation"] = False

        def apply(self, death: Death) -> None:
            death.registered_by = self.actor

    class Confirmed(Event):
        """The registration takes effect: confirmed by a supervisor, or by the issuing body's own certificate."""

        TOPIC = "deaths:Death.Confirmed"
        reason: str
        died_on: date

        def apply(self, death: Death) -> None:
            death.state = IN_EFFECT

    class Rejected(Event):
        """A supervisor found a clerk's registration wrong: it never takes effect (nor is any conflict reviewed)."""

        TOPIC = "deaths:Death.Rejected"
        reason: str

        def apply(self, death: Death) -> None:
            death.state = REJECTED
            death.rejection_reason = self.reason
            death.pending_review = None

    class FuneralFeeWaived(Event):
        """The basic funeral fees are waived: for every death in the city, and for residents cremated here."""

        TOPIC = "deaths:Death.FuneralFeeWaived"
        class_version = 2
        basis: str

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """Version 1 waived the fees only for deaths in the city."""
            state["basis"] = DIED_IN_CITY

        def apply(self, death: Death) -> None:
            death.funeral_fee_waived = True
            death.funeral_fee_basis = self.basis

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
        """A payment for a period after its benefit ended is flagged for recovery."""

        TOPIC = "deaths:Death.BenefitPaymentRecorded"
        class_version = 2
        benefit: str
        paid_for: date
        amount_fen: int
        flagged_for_recovery: bool
        payable_until: date | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """Version 1 flagged any payment for a day after the death; it did not record the last payable day."""
            state["payable_until"] = None

        def apply(self, death: Death) -> None:
            death.payments.append(
                BenefitPayment(self.benefit, self.paid_for, self.amount_fen, self.flagged_for_recovery,
                               self.payable_until)
            )  # fmt: skip

    def __init__(self, deceased: Person, deceased_ref: str, report: DeathReport, awaits_confirmation: bool) -> None:
        self.deceased = deceased
        self.deceased_ref = deceased_ref
        self.report = report
        self.state: DeathState = AWAITING_CONFIRMATION if awaits_confirmation else IN_EFFECT
        self.registered_by: Actor | None = None
        self.rejection_reason: str | None = None
        self.funeral_fee_waived = False
        self.funeral_fee_basis: str | None = None
        self.pending_review: DeathReport | None = None
        self.payments: list[BenefitPayment] = []

    @classmethod
    def register(cls, act: Act, *, deceased: Person, deceased_ref: str, report: DeathReport, today: date) -> Death:
        """In effect at once from its issuer; a clerk's registration awaits a supervisor's confirmation."""
        check_report(report, today=today, birth_date=deceased.birth_date)
        check_may_report(act.by, report)
        awaits = act.by.role == Role.CLERK
        death: Death = cls._create_from(
            cls.Registered, act, id=uuid4(), deceased=deceased, deceased_ref=deceased_ref, report=report,
            awaits_confirmation=awaits,
        )  # fmt: skip
        if not awaits:
            death._took_effect(act)
        return death

    @property
    def is_effective(self) -> bool:
        """In effect and not flagged for review: what follows from the death may follow now."""
        return self.state == IN_EFFECT and self.pending_review is None

    def check_effective(self) -> None:
        """Acts that follow from a death wait for it to be in effect and not under review; every reason is listed."""
        failures = []
        if self.state == AWAITING_CONFIRMATION:
            failures.append(Failure("death-awaiting-confirmation", "a supervisor has not yet confirmed this death"))
        if self.state == REJECTED:
            failures.append(Failure("death-registration-rejected", "this registration was rejected"))
        if self.pending_review is not None:
            failures.append(Failure("death-under-review", "a conflicting certificate awaits a supervisor's review"))
        if failures:
            raise WrongState(failures)

    def on_record(self, *, city_resident: bool) -> DeathOnRecord:
        """The facts other contexts may rely on, once the death is in effect and not under review."""
        self.check_effective()
        return DeathOnRecord(self.report.died_on, self.report.in_city, city_resident)

    def receive_report(self, act: Act, report: DeathReport, *, today: date) -> bool:
        """Another certificate of the same death: noted if it agrees, flagged for review if not; True if flagged.

        The issuing body's own agreeing certificate confirms a clerk's registration that awaits confirmation.
        """
        check_report(report, today=today, birth_date=self.deceased.birth_date)
        check_may_report(act.by, report)
        self.check_not_rejected()
        if not report.agrees_with(self.report):
            self._record(self.ConflictFlagged, act, report=report)
            return True
        self._record(self.DuplicateReceived, act, report=report)
        if self.state == AWAITING_CONFIRMATION and act.by.role in ISSUER_OF and self.pending_review is None:
            reason = f"the issuing body's {report.certificate_kind} certificate agrees"
            self._record(self.Confirmed, act, reason=reason, died_on=self.report.died_on)
            self._took_effect(act)
        return False

    def confirm(self, act: Act, *, reason: str) -> None:
        """A supervisor confirms a clerk's registration: it takes effect now."""
        check_supervisor(act.by, "confirm a clerk's registration of a death")
        failures = []
        if self.state != AWAITING_CONFIRMATION:
            failures.append(Failure(f"death-{self.state}", f"this registration is {self.state}, not awaiting"))
        if self.pending_review is not None:
            failures.append(Failure("death-under-review", "resolve the conflicting certificate first"))
        if failures:
            raise WrongState(failures)
        self._record(self.Confirmed, act, reason=reason, died_on=self.report.died_on)
        self._took_effect(act)

    def reject(self, act: Act, *, reason: str) -> None:
        """A supervisor rejects a clerk's registration: it never takes effect, and frees the person's index."""
        check_supervisor(act.by, "reject a clerk's registration of a death")
        if self.state != AWAITING_CONFIRMATION:
            raise WrongState([Failure(f"death-{self.state}", f"this registration is {self.state}, not awaiting")])
        self._record(self.Rejected, act, reason=reason)

    def resolve_review(self, act: Act, *, decision: str, reason: str) -> None:
        """A supervisor keeps the registered details, or corrects them from the conflicting certificate."""
        check_supervisor(act.by, "resolve a conflicting certificate")
        if self.pending_review is None:
            raise WrongState([Failure("no-review-pending", "no conflicting report is waiting for review")])
        if decision not in ("keep", "correct"):
            raise InvalidInput([Failure("review-decision", "decide keep (the registered details) or correct")])
        self._record(self.ReviewResolved, act, decision=decision, reason=reason)

    def record_payment(
        self, act: Act, *, benefit: str, paid_for: date, amount_fen: int, ends: BenefitEnds
    ) -> BenefitPayment:
        """Record a benefit payment; it is flagged when it pays for a period after its benefit ended."""
        failures = check_benefit_code(benefit)
        if amount_fen <= 0:
            failures.append(Failure("payment-amount", "the amount must be positive (in fen)"))
        if failures:
            raise InvalidInput(failures)
        self.check_effective()
        payable_until = ends.last_payable_day(benefit, self.report.died_on)
        self._record(
            self.BenefitPaymentRecorded, act, benefit=benefit, paid_for=paid_for, amount_fen=amount_fen,
            flagged_for_recovery=paid_for > payable_until, payable_until=payable_until,
        )  # fmt: skip
        return self.payments[-1]

    def waive_funeral_fee(self, act: Act, *, basis: str) -> None:
        """Record the waiver once, with its basis."""
        if not self.funeral_fee_waived:
            self._record(self.FuneralFeeWaived, act, basis=basis)

    def check_not_rejected(self) -> None:
        if self.state == REJECTED:
            raise WrongState([Failure("death-registration-rejected", "this registration was rejected")])

    def _took_effect(self, act: Act) -> None:
        if self.report.in_city:
            self.waive_funeral_fee(act, basis=DIED_IN_CITY)


class DeathIndex(RegistryAggregate):
    """One per person: makes a second registration of the same death find the first (a rejected one frees it)."""

    TOPIC = "deaths:DeathIndex"

    class Event(RegistryEvent):
        pass

    class Claimed(Event, AggregateCreated):
        TOPIC = "deaths:DeathIndex.Claimed"
        death_id: UUID

    class Reclaimed(Event):
        """A new registration replaces one a supervisor rejected."""

        TOPIC = "deaths:DeathIndex.Reclaimed"
        death_id: UUID

        def apply(self, index: DeathIndex) -> None:
            index.death_id = self.death_id

    def __init__(self, death_id: UUID) -> None:
        self.death_id = death_id

    @staticmethod
    def id_for(person_ref: str) -> UUID:
        return natural_id("death", person_ref)

    @classmethod
    def claim(cls, act: Act, person_ref: str, death_id: UUID) -> DeathIndex:
        index: DeathIndex = cls._create_from(cls.Claimed, act, id=cls.id_for(person_ref), death_id=death_id)
        return index

    def reclaim(self, act: Act, death_id: UUID, *, current: Death) -> None:
        if current.state != REJECTED:
            raise WrongState([Failure("death-already-registered", "this person's death is already registered")])
        self._record(self.Reclaimed, act, death_id=death_id)
