"""EcoBurialRewards: the reward schedule and the claims against it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, ClassVar, Protocol
from uuid import UUID

from eventsourcing.domain import BaseAggregate

from registry.burial.claim import (
    BurialRecord,
    Claimant,
    CremationRecord,
    RewardClaim,
    RewardIndex,
    check_payment_reference,
)
from registry.burial.schedule import RewardSchedule, ScheduleEntry, amount_in_force
from registry.common.actors import Act
from registry.common.application import CommandResult, RegistryApplication
from registry.common.clock import local_date


class RegisteredDeaths(Protocol):
    """The one question this context asks the deaths context: when did this registered death happen."""

    def died_on(self, death_id: UUID) -> date: ...


class EcoBurialRewards(RegistryApplication):
    name = "burial"
    value_types: ClassVar[dict[str, type[Any]]] = {
        **RegistryApplication.value_types,
        "schedule_entry": ScheduleEntry,
        "claimant": Claimant,
        "cremation_record": CremationRecord,
        "burial_record": BurialRecord,
    }

    def __init__(self, env: Any = None, *, deaths: RegisteredDeaths) -> None:
        super().__init__(env)
        self.deaths = deaths

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
        """The amount is the one in force on the burial date; one reward per deceased."""
        died_on = self.deaths.died_on(death_id)

        def decide() -> Sequence[BaseAggregate[UUID]]:
            claim = RewardClaim.file(
                act, death_id=death_id, died_on=died_on, claimant=claimant, cremation=cremation, burial=burial,
                amount_fen=self.amount(burial.kind, burial.buried_on), today=local_date(act.at),
            )  # fmt: skip
            index = self.find(RewardIndex.id_for(death_id), RewardIndex) or RewardIndex.open(act, death_id)
            current = self.claim(index.claim_id) if index.claim_id else None
            index.claim(act, claim.id, current=current)
            return [claim, index]

        return self.execute(act, decide, request_fingerprint=request)

    def decide_claim(
        self, act: Act, claim_id: UUID, *, action: str, note: str = "", request: str = ""
    ) -> CommandResult:
        """approve, reject (note = reason), pay (note = payment reference) or recover (note = reason)."""

        def decide() -> Sequence[BaseAggregate[UUID]]:
            claim = self.claim(claim_id)
            if action == "approve":
                claim.approve(act)
            elif action == "reject":
                claim.reject(act, reason=note)
            elif action == "pay":
                check_payment_reference(note)
                claim.pay(act, payment_reference=note)
            else:
                claim.recover(act, reason=note)
            return [claim]

        return self.execute(act, decide, request_fingerprint=request)
