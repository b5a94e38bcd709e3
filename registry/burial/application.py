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
from registry.common.application import CommandResult, RegistryApplication, check_version
from registry.common.clock import local_date
from registry.common.errors import VersionMismatch


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

    def add_schedule_entry(
        self, act: Act, entry: ScheduleEntry, *, reason: str, expected_version: int | None = None, request: str = ""
    ) -> CommandResult:
        """A new entry; the schedule is recorded with its first one (until then it is the default, at version 0)."""

        def decide() -> Sequence[BaseAggregate[UUID]]:
            recorded = self.schedule()
            if recorded is not None:
                check_version(recorded, expected_version)
            elif expected_version:
                raise VersionMismatch(detail=f"expected version {expected_version}, the schedule is at version 0")
            schedule = recorded or RewardSchedule.start(act)
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

    def approve_claim(
        self, act: Act, claim_id: UUID, *, expected_version: int | None = None, request: str = ""
    ) -> CommandResult:
        """The claim's office approves the reward."""
        return self._change_claim(act, claim_id, lambda claim: claim.approve(act), expected_version, request)

    def reject_claim(
        self, act: Act, claim_id: UUID, *, reason: str, expected_version: int | None = None, request: str = ""
    ) -> CommandResult:
        """The claim's office refuses the reward, saying why."""
        return self._change_claim(
            act, claim_id, lambda claim: claim.reject(act, reason=reason), expected_version, request
        )

    def pay_claim(
        self, act: Act, claim_id: UUID, *, payment_reference: str, expected_version: int | None = None,
        request: str = "",
    ) -> CommandResult:  # fmt: skip
        """The claim's office records the payment of an approved reward."""
        return self._change_claim(
            act, claim_id, lambda claim: claim.pay(act, payment_reference=payment_reference), expected_version,
            request,
        )  # fmt: skip

    def recover_claim(
        self, act: Act, claim_id: UUID, *, reason: str, expected_version: int | None = None, request: str = ""
    ) -> CommandResult:
        """A paid reward found to be wrong is recovered, with the reason."""
        return self._change_claim(
            act, claim_id, lambda claim: claim.recover(act, reason=reason), expected_version, request
        )

    def _change_claim(
        self, act: Act, claim_id: UUID, change: Callable[[RewardClaim], None], expected_version: int | None,
        request: str,
    ) -> CommandResult:  # fmt: skip
        def decide() -> Sequence[BaseAggregate[UUID]]:
            claim = self.claim(claim_id)
            check_version(claim, expected_version)
            change(claim)
            return [claim]

        return self.execute(act, decide, request_fingerprint=request)
