"""EcoBurialRewards: the reward schedule and the claims against it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, ClassVar, Protocol
from uuid import UUID

from eventsourcing.domain import BaseAggregate

from registry.burial.claim import (
    BurialRecord,
    Claimant,
    CremationRecord,
    DeathFacts,
    RewardClaim,
    RewardIndex,
)
from registry.burial.rules import RewardRules
from registry.burial.schedule import RewardSchedule, ScheduleEntry, amount_in_force
from registry.common.actors import Act
from registry.common.application import CommandResult, RegistryApplication
from registry.common.clock import local_date


class RecordedDeath(Protocol):
    """What the deaths context vouches for about a death in effect."""

    @property
    def died_on(self) -> date: ...

    @property
    def died_in_city(self) -> bool: ...

    @property
    def city_resident(self) -> bool: ...


class RegisteredDeaths(Protocol):
    """The one question this context asks the deaths context: what is on record about this death in effect.

    It refuses (WrongState) a death awaiting confirmation, rejected, or under review.
    """

    def death_on_record(self, death_id: UUID) -> RecordedDeath: ...


class EcoBurialRewards(RegistryApplication):
    """The reward schedule and the claims against it, under the configured rules."""

    name = "burial"
    value_types: ClassVar[dict[str, type[Any]]] = {
        **RegistryApplication.value_types,
        "schedule_entry": ScheduleEntry,
        "claimant": Claimant,
        "cremation_record": CremationRecord,
        "burial_record": BurialRecord,
    }

    def __init__(self, env: Any = None, *, deaths: RegisteredDeaths, rules: RewardRules | None = None) -> None:
        super().__init__(env)
        self.deaths = deaths
        self.rules = rules or RewardRules()

    def schedule(self) -> RewardSchedule | None:
        return self.find(RewardSchedule.id_for(), RewardSchedule)

    def amount(self, kind: str, on: date) -> int:
        """The reward in force on a day (the default schedule until a supervisor changes it)."""
        schedule = self.schedule()
        return amount_in_force(schedule.entries if schedule else [], kind, on)

    def claim(self, claim_id: UUID) -> RewardClaim:
        return self.load(claim_id, RewardClaim)

    def add_schedule_entry(self, act: Act, entry: ScheduleEntry, *, reason: str, request: str = "") -> CommandResult:
        def decide() -> Sequence[BaseAggregate[UUID]]:
            schedule = self.schedule() or RewardSchedule.start(act)
            schedule.add_entry(act, entry, reason=reason)
            return [schedule]

        return self.execute(act, decide, request_fingerprint=request)

    def file_claim(
        self, act: Act, *, death_id: UUID, claimant: Claimant, cremation: CremationRecord, burial: BurialRecord,
        request: str = "",
    ) -> CommandResult:  # fmt: skip
        """For an eligible death in effect; the amount in force on the date the rules key on; one per deceased."""
        record = self.deaths.death_on_record(death_id)
        death = DeathFacts(record.died_on, record.died_in_city, record.city_resident)

        def decide() -> Sequence[BaseAggregate[UUID]]:
            schedule = self.schedule()
            claim = RewardClaim.file(
                act, death_id=death_id, death=death, claimant=claimant, cremation=cremation, burial=burial,
                schedule=schedule.entries if schedule else [], rules=self.rules, today=local_date(act.at),
            )  # fmt: skip
            index = self.find(RewardIndex.id_for(death_id), RewardIndex) or RewardIndex.open(act, death_id)
            current = self.claim(index.claim_id) if index.claim_id else None
            index.claim(act, claim.id, current=current)
            return [claim, index]

        return self.execute(act, decide, request_fingerprint=request)

    def approve_claim(self, act: Act, claim_id: UUID, *, request: str = "") -> CommandResult:
        """The claim's office approves the reward."""
        return self._change_claim(act, claim_id, lambda claim: claim.approve(act), request)

    def reject_claim(self, act: Act, claim_id: UUID, *, reason: str, request: str = "") -> CommandResult:
        """The claim's office refuses the reward, saying why."""
        return self._change_claim(act, claim_id, lambda claim: claim.reject(act, reason=reason), request)

    def pay_claim(self, act: Act, claim_id: UUID, *, payment_reference: str, request: str = "") -> CommandResult:
        """The claim's office records the payment of an approved reward."""
        return self._change_claim(
            act, claim_id, lambda claim: claim.pay(act, payment_reference=payment_reference), request
        )

    def recover_claim(self, act: Act, claim_id: UUID, *, reason: str, request: str = "") -> CommandResult:
        """A paid reward found to be wrong is recovered, with the reason."""
        return self._change_claim(act, claim_id, lambda claim: claim.recover(act, reason=reason), request)

    def _change_claim(
        self, act: Act, claim_id: UUID, change: Callable[[RewardClaim], None], request: str
    ) -> CommandResult:
        def decide() -> Sequence[BaseAggregate[UUID]]:
            claim = self.claim(claim_id)
            change(claim)
            return [claim]

        return self.execute(act, decide, request_fingerprint=request)
