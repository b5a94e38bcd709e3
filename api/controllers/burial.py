"""Eco-burial rewards: the schedule, claims, and their ledger and uptake statistics."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Response, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from api.auth import allow
from api.context import (
    AnyRequest,
    act_of,
    answer,
    expected_version,
    next_of_kin_ref,
    principal_of,
    record_official_read,
    request_fingerprint,
)
from api.schemas.burial import (
    ClaimCreate,
    ClaimDecision,
    ClaimRead,
    EcoBurialStatistics,
    LedgerRow,
    ScheduleEntryIn,
    ScheduleEntryRead,
    ScheduleRead,
    UptakeRow,
)
from api.schemas.common import mask
from api.views import VIEW_POSITION_HEADER, views_of
from projections.rewards_ledger.queries import ledger_months, uptake_months
from registry.burial.claim import BurialRecord, Claimant, CremationRecord, RewardClaim
from registry.burial.schedule import DEFAULT_SCHEDULE, RewardSchedule, ScheduleEntry
from registry.common.actors import Act, Role
from registry.common.application import CommandResult
from registry.common.clock import Clock
from registry.common.errors import NotFound
from registry.system import Registry

OFFICIALS = (Role.CLERK, Role.SUPERVISOR, Role.AUDITOR)


def claim_read(claim: RewardClaim) -> ClaimRead:
    return ClaimRead(
        id=claim.id, version=claim.version, death_id=claim.death_id, state=claim.state, office=claim.office,
        eligible_as=claim.eligible_as, burial_kind=claim.burial.kind, buried_on=claim.burial.buried_on,
        amount_on=claim.amount_on, amount_fen=claim.amount_fen, claimant_name=claim.claimant.name,
        payout_account_masked=mask(claim.claimant.payout_account), reason=claim.reason,
        payment_reference=claim.payment_reference,
    )  # fmt: skip


def claim_answer(registry: Registry, result: CommandResult, status: int = 200) -> Response[Any]:
    claim = registry.burial.subject_of(result, RewardClaim)
    location = f"/v1/reward-claims/{claim.id}" if status == 201 else None
    return answer(claim_read(claim), version=claim.version, result=result, status=status, location=location)


def file_claim(
    registry: Registry, request: AnyRequest, act: Act, data: ClaimCreate, request_fingerprint: str
) -> CommandResult:
    """A next of kin's claim (a citizen as themselves; a clerk names the claimant's document)."""
    claimant_ref = next_of_kin_ref(request, act, registry.marriage.person_keys, data.claimant.document)
    return registry.burial.file_claim(
        act, death_id=data.death_id,
        claimant=Claimant(data.claimant.name, data.claimant.relationship, data.claimant.payout_account, claimant_ref),
        cremation=CremationRecord(data.cremation.number, data.cremation.crematorium, data.cremation.cremated_on),
        burial=BurialRecord(data.burial.kind, data.burial.place, data.burial.buried_on),
        request=request_fingerprint,
    )  # fmt: skip


def visible_claim(registry: Registry, request: AnyRequest, claim_id: UUID) -> RewardClaim:
    """Officials see every claim; a citizen only their own."""
    claim = registry.burial.claim(claim_id)
    principal = principal_of(request)
    if principal.role == Role.CITIZEN and principal.subject != claim.claimant.person_ref:
        raise NotFound()
    return claim


def schedule_read(schedule: RewardSchedule | None) -> ScheduleRead:
    """Every entry of the schedule, the default first."""
    entries = [DEFAULT_SCHEDULE, *(schedule.entries if schedule else [])]
    return ScheduleRead(
        entries=[
            ScheduleEntryRead(
                effective_from=e.effective_from,
                amounts_fen=dict(e.amounts_fen),
                burial_fee_waived=e.burial_fee_waived,
            )
            for e in entries
        ]
    )


def schedule_answer(
    schedule: RewardSchedule | None, result: CommandResult | None = None, status: int = 200
) -> Response[Any]:
    """The schedule with its ETag: its version, 0 while only the default is in force."""
    return answer(schedule_read(schedule), version=schedule.version if schedule else 0, result=result, status=status)


class RewardScheduleController(Controller):
    path = "/v1/reward-schedule"
    tags = ("eco-burial",)

    @get("/", guards=[allow(*OFFICIALS, Role.CITIZEN)], sync_to_thread=True)
    def read(self, registry: NamedDependency[Registry]) -> Response[ScheduleRead]:
        """Every entry of the schedule, the default first."""
        return schedule_answer(registry.burial.schedule())

    @post("/entries", guards=[allow(Role.SUPERVISOR)], sync_to_thread=True, status_code=201)
    def add(
        self, request: AnyRequest, data: JSONBody[ScheduleEntryIn], registry: NamedDependency[Registry],
        clock: NamedDependency[Clock],
    ) -> Response[ScheduleRead]:  # fmt: skip
        """A new schedule entry, in force for burials from its date."""
        amounts: dict[str, int] = {str(kind): amount for kind, amount in data.amounts_fen.items()}
        entry = ScheduleEntry(data.effective_from, amounts, data.burial_fee_waived)
        result = registry.burial.add_schedule_entry(
            act_of(request, clock), entry, reason=data.reason, expected_version=expected_version(request),
            request=request_fingerprint(request, data),
        )  # fmt: skip
        return schedule_answer(registry.burial.subject_of(result, RewardSchedule), result, status=201)


class RewardClaimController(Controller):
    path = "/v1/reward-claims"
    tags = ("eco-burial",)

    @post("/", guards=[allow(Role.CITIZEN, Role.CLERK)], sync_to_thread=True, status_code=201)
    def file(
        self, request: AnyRequest, data: JSONBody[ClaimCreate], registry: NamedDependency[Registry],
        clock: NamedDependency[Clock],
    ) -> Response[ClaimRead]:  # fmt: skip
        """A next of kin claims for a death in effect (one reward per deceased); a clerk files at their own office,
        a citizen's claim goes to the configured office (REGISTRY_REWARD_OFFICE)."""
        result = file_claim(registry, request, act_of(request, clock), data, request_fingerprint(request, data))
        return claim_answer(registry, result, status=201)

    @get("/{claim_id:uuid}", guards=[allow(Role.CITIZEN, *OFFICIALS)], sync_to_thread=True)
    def read(
        self, request: AnyRequest, claim_id: FromPath[UUID], registry: NamedDependency[Registry],
        clock: NamedDependency[Clock],
    ) -> Response[ClaimRead]:  # fmt: skip
        """A claim; the claimant follows it through the citizen API."""
        claim = visible_claim(registry, request, claim_id)
        record_official_read(
            request, registry, clock, what="reward-claim", target=f"reward-claim/{claim_id}",
            persons=[claim.claimant.person_ref],
        )  # fmt: skip
        return answer(claim_read(claim), version=claim.version)

    @post("/{claim_id:uuid}/approval", guards=[allow(Role.CLERK, Role.SUPERVISOR)], sync_to_thread=True,
          status_code=200)  # fmt: skip
    def approve(
        self, request: AnyRequest, claim_id: FromPath[UUID], data: JSONBody[ClaimDecision],
        registry: NamedDependency[Registry], clock: NamedDependency[Clock],
    ) -> Response[ClaimRead]:  # fmt: skip
        """The claim's office approves the reward."""
        result = registry.burial.approve_claim(
            act_of(request, clock), claim_id, expected_version=expected_version(request),
            request=request_fingerprint(request, data),
        )  # fmt: skip
        return claim_answer(registry, result)

    @post("/{claim_id:uuid}/rejection", guards=[allow(Role.CLERK, Role.SUPERVISOR)], sync_to_thread=True,
          status_code=200)  # fmt: skip
    def reject(
        self, request: AnyRequest, claim_id: FromPath[UUID], data: JSONBody[ClaimDecision],
        registry: NamedDependency[Registry], clock: NamedDependency[Clock],
    ) -> Response[ClaimRead]:  # fmt: skip
        """The claim's office refuses the reward (note = the reason)."""
        result = registry.burial.reject_claim(
            act_of(request, clock), claim_id, reason=data.note, expected_version=expected_version(request),
            request=request_fingerprint(request, data),
        )  # fmt: skip
        return claim_answer(registry, result)

    @post("/{claim_id:uuid}/payment", guards=[allow(Role.CLERK, Role.SUPERVISOR)], sync_to_thread=True,
          status_code=200)  # fmt: skip
    def pay(
        self, request: AnyRequest, claim_id: FromPath[UUID], data: JSONBody[ClaimDecision],
        registry: NamedDependency[Registry], clock: NamedDependency[Clock],
    ) -> Response[ClaimRead]:  # fmt: skip
        """The claim's office records the payment (note = the payment reference)."""
        result = registry.burial.pay_claim(
            act_of(request, clock), claim_id, payment_reference=data.note, expected_version=expected_version(request),
            request=request_fingerprint(request, data),
        )  # fmt: skip
        return claim_answer(registry, result)

    @post("/{claim_id:uuid}/recovery", guards=[allow(Role.CLERK, Role.SUPERVISOR)], sync_to_thread=True,
          status_code=200)  # fmt: skip
    def recover(
        self, request: AnyRequest, claim_id: FromPath[UUID], data: JSONBody[ClaimDecision],
        registry: NamedDependency[Registry], clock: NamedDependency[Clock],
    ) -> Response[ClaimRead]:  # fmt: skip
        """A paid reward found wrong is recovered (note = the reason)."""
        result = registry.burial.recover_claim(
            act_of(request, clock), claim_id, reason=data.note, expected_version=expected_version(request),
            request=request_fingerprint(request, data),
        )  # fmt: skip
        return claim_answer(registry, result)


class EcoBurialStatisticsController(Controller):
    path = "/v1/statistics/eco-burial"
    tags = ("eco-burial",)

    @get("/", guards=[allow(Role.SUPERVISOR, Role.AUDITOR)], sync_to_thread=True,
         dependencies={"view_position": views_of("burial")})  # fmt: skip
    def statistics(self, state: State, view_position: NamedDependency[int]) -> Response[EcoBurialStatistics]:
        """The ledger (fen approved, paid, recovered by kind and month) and uptake (share of deaths per kind)."""
        store = state.read_side.reads
        ledger = [
            LedgerRow(month=m.month, burial_kind=m.burial_kind, approved_fen=m.approved_fen, paid_fen=m.paid_fen,
                      recovered_fen=m.recovered_fen)
            for m in ledger_months(store)
        ]  # fmt: skip
        uptake = [
            UptakeRow(month=u.month, deaths=u.deaths, by_kind=u.by_kind, share_by_kind=u.share_by_kind)
            for u in uptake_months(store)
        ]
        body = EcoBurialStatistics(ledger=ledger, uptake=uptake)
        return Response(body, headers={VIEW_POSITION_HEADER: f"burial={view_position}"})
