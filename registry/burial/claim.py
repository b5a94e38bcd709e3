"""RewardClaim: a next of kin claims the eco-burial reward for a registered death; one reward per deceased."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.domain import AggregateCreated

from registry.burial.rules import CITY_CIVIL_AFFAIRS_OFFICE, RewardRules
from registry.burial.schedule import BURIAL_KINDS, ECO_KINDS, ScheduleEntry, amount_in_force
from registry.common.actors import Act, Actor, Role
from registry.common.errors import Failure, Forbidden, InvalidInput, NotEligible, WrongState
from registry.common.events import RegistryAggregate, RegistryEvent
from registry.common.ids import natural_id

FILED = "filed"
APPROVED = "approved"
REJECTED = "rejected"
PAID = "paid"
RECOVERED = "recovered"


@dataclass(frozen=True)
class CremationRecord:
    number: str
    crematorium: str
    cremated_on: date


@dataclass(frozen=True)
class BurialRecord:
    kind: str
    place: str
    buried_on: date


@dataclass(frozen=True)
class Claimant:
    name: str
    relationship: str
    payout_account: str
    person_ref: str


@dataclass(frozen=True)
class DeathFacts:
    """What the deaths context vouches for about the death claimed for."""

    died_on: date
    died_in_city: bool
    city_resident: bool


def check_records(
    cremation: CremationRecord, burial: BurialRecord, *, died_on: date, today: date, ineligible: Failure | None = None
) -> None:
    """The deceased must be eligible and the records must fit the death and each other; every failure is named."""
    failures = [ineligible] if ineligible else []
    if burial.kind not in BURIAL_KINDS:
        failures.append(Failure("burial-kind-unknown", f"burial kinds: {', '.join(BURIAL_KINDS)}"))
    elif burial.kind not in ECO_KINDS:
        failures.append(Failure("burial-not-eco", "a traditional cemetery burial earns no eco-burial reward"))
    if not died_on <= cremation.cremated_on <= burial.buried_on:
        failures.append(Failure("burial-dates-out-of-order", "cremation after the death, burial after the cremation"))
    if burial.buried_on > today:
        failures.append(Failure("burial-in-future", "the burial date is after today"))
    if failures:
        raise NotEligible(failures)


class RewardClaim(RegistryAggregate):
    """Filed, then approved or rejected with reason, then paid; a wrong reward is recovered with reason."""

    TOPIC = "burial:RewardClaim"

    class Event(RegistryEvent):
        pass

    class Filed(Event, AggregateCreated):
        TOPIC = "burial:RewardClaim.Filed"
        class_version = 2
        death_id: UUID
        claimant: Claimant
        cremation: CremationRecord
        burial: BurialRecord
        amount_fen: int
        office: str
        amount_on: date
        eligible_as: str

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """Version 1 kept no office (a clerk's claim was at the clerk's office, a citizen's at the default one),
            keyed the amount on the burial date, and did not check eligibility."""
            actor = state["actor"]
            state["office"] = actor.office if actor.role == Role.CLERK else CITY_CIVIL_AFFAIRS_OFFICE
            state["amount_on"] = state["burial"].buried_on
            state["eligible_as"] = "not-checked"

    class Approved(Event):
        TOPIC = "burial:RewardClaim.Approved"

        def apply(self, claim: RewardClaim) -> None:
            claim.state = APPROVED

    class Rejected(Event):
        TOPIC = "burial:RewardClaim.Rejected"
        reason: str

        def apply(self, claim: RewardClaim) -> None:
            claim.state = REJECTED
            claim.reason = self.reason

    class Paid(Event):
        TOPIC = "burial:RewardClaim.Paid"
        payment_reference: str
        amount_fen: int

        def apply(self, claim: RewardClaim) -> None:
            claim.state = PAID
            claim.payment_reference = self.payment_reference

    class Recovered(Event):
        TOPIC = "burial:RewardClaim.Recovered"
        reason: str
        amount_fen: int

        def apply(self, claim: RewardClaim) -> None:
            claim.state = RECOVERED
            claim.reason = self.reason

    def __init__(
        self, death_id: UUID, claimant: Claimant, cremation: CremationRecord, burial: BurialRecord, amount_fen: int,
        office: str, amount_on: date, eligible_as: str,
    ) -> None:  # fmt: skip
        self.death_id = death_id
        self.claimant = claimant
        self.cremation = cremation
        self.burial = burial
        self.amount_fen = amount_fen
        self.office = office
        self.amount_on = amount_on
        self.eligible_as = eligible_as
        self.state = FILED
        self.reason: str | None = None
        self.payment_reference: str | None = None

    @classmethod
    def file(
        cls, act: Act, *, death_id: UUID, death: DeathFacts, claimant: Claimant, cremation: CremationRecord,
        burial: BurialRecord, schedule: list[ScheduleEntry], rules: RewardRules, today: date,
    ) -> RewardClaim:  # fmt: skip
        """Filed at the filer's office (a citizen's at the configured one), for the amount in force on the date the
        rules key on, if the deceased is eligible and the records fit."""
        eligible_as = rules.eligible_as(city_resident=death.city_resident, died_in_city=death.died_in_city)
        ineligible = rules.ineligibility() if eligible_as is None else None
        check_records(cremation, burial, died_on=death.died_on, today=today, ineligible=ineligible)
        amount_on = rules.amount_on(cremated_on=cremation.cremated_on, buried_on=burial.buried_on)
        claim: RewardClaim = cls._create_from(
            cls.Filed, act, id=uuid4(), death_id=death_id, claimant=claimant, cremation=cremation, burial=burial,
            amount_fen=amount_in_force(schedule, burial.kind, amount_on), office=rules.office_for(act.by),
            amount_on=amount_on, eligible_as=eligible_as,
        )  # fmt: skip
        return claim

    def approve(self, act: Act) -> None:
        self.check_decided_by_office(act.by)
        self.check_state(FILED)
        self._record(self.Approved, act)

    def reject(self, act: Act, *, reason: str) -> None:
        self.check_decided_by_office(act.by)
        self.check_state(FILED)
        check_given(reason, "reason-required", "a rejection is recorded with its reason")
        self._record(self.Rejected, act, reason=reason)

    def pay(self, act: Act, *, payment_reference: str) -> None:
        self.check_decided_by_office(act.by)
        self.check_state(APPROVED)
        check_given(payment_reference, "payment-reference-required", "a payment is recorded with its reference")
        self._record(self.Paid, act, payment_reference=payment_reference, amount_fen=self.amount_fen)

    def recover(self, act: Act, *, reason: str) -> None:
        self.check_decided_by_office(act.by)
        self.check_state(PAID)
        check_given(reason, "reason-required", "a recovery is recorded with its reason")
        self._record(self.Recovered, act, reason=reason, amount_fen=self.amount_fen)

    def check_decided_by_office(self, actor: Actor) -> None:
        """Approval, rejection, payment and recovery are for clerks and supervisors of the claim's office."""
        if actor.role not in (Role.CLERK, Role.SUPERVISOR) or actor.office != self.office:
            raise Forbidden(
                [Failure("claim-office", f"this claim is decided by clerks and supervisors of office {self.office}")]
            )

    def check_state(self, expected: str) -> None:
        if self.state != expected:
            raise WrongState([Failure(f"claim-{self.state}", f"the claim is {self.state}, not {expected}")])


class RewardIndex(RegistryAggregate):
    """One reward per deceased: points to the claim that holds it (a rejected claim frees the place)."""

    TOPIC = "burial:RewardIndex"

    class Event(RegistryEvent):
        pass

    class Opened(Event, AggregateCreated):
        TOPIC = "burial:RewardIndex.Opened"

    class Claimed(Event):
        TOPIC = "burial:RewardIndex.Claimed"
        claim_id: UUID

        def apply(self, index: RewardIndex) -> None:
            index.claim_id = self.claim_id

    def __init__(self) -> None:
        self.claim_id: UUID | None = None

    @staticmethod
    def id_for(death_id: UUID) -> UUID:
        return natural_id("eco-burial-reward", str(death_id))

    @classmethod
    def open(cls, act: Act, death_id: UUID) -> RewardIndex:
        index: RewardIndex = cls._create_from(cls.Opened, act, id=cls.id_for(death_id))
        return index

    def claim(self, act: Act, claim_id: UUID, *, current: RewardClaim | None) -> None:
        if current is not None and current.state != REJECTED:
            raise NotEligible([Failure("reward-already-claimed", "this death's reward is already claimed")])
        self._record(self.Claimed, act, claim_id=claim_id)


def check_given(text: str, code: str, detail: str) -> None:
    """A reason or reference that the act must carry: not blank."""
    if not text.strip():
        raise InvalidInput([Failure(code, detail)])
