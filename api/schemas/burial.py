"""Bodies of the eco-burial rewards API (amounts in fen: exact integers)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from api.schemas.common import IdentityDocumentIn, Input, Output, PayoutAccount, Reason, ShortText

EcoKind = Literal["sea-burial", "ash-scattering", "tree-burial", "flower-burial", "lawn-burial", "wall-niche-burial"]
BurialKind = Literal[
    "sea-burial", "ash-scattering", "tree-burial", "flower-burial", "lawn-burial", "wall-niche-burial",
    "traditional-cemetery",
]  # fmt: skip
Fen = Annotated[int, msgspec.Meta(ge=0, le=100_000_000)]


class ScheduleEntryIn(Input, kw_only=True):
    effective_from: date
    amounts_fen: Annotated[dict[EcoKind, Fen], msgspec.Meta(min_length=1, max_length=6)]
    burial_fee_waived: bool = True
    reason: Reason


class ScheduleEntryRead(Output, kw_only=True):
    effective_from: date
    amounts_fen: dict[str, int]
    burial_fee_waived: bool


class ScheduleRead(Output, kw_only=True):
    entries: list[ScheduleEntryRead]


class ClaimantIn(Input, kw_only=True):
    name: ShortText
    relationship: Literal["spouse", "child", "parent", "sibling", "grandchild", "other-relative"]
    payout_account: PayoutAccount
    document: IdentityDocumentIn | None = None


class CremationIn(Input, kw_only=True):
    number: ShortText
    crematorium: ShortText
    cremated_on: date


class BurialIn(Input, kw_only=True):
    kind: BurialKind
    place: ShortText
    buried_on: date


class ClaimCreate(Input, kw_only=True):
    death_id: UUID
    claimant: ClaimantIn
    cremation: CremationIn
    burial: BurialIn


class ClaimDecision(Input, kw_only=True):
    multi_line_fields = frozenset({"note"})

    note: Annotated[str, msgspec.Meta(max_length=1000)] = ""


class ClaimRead(Output, kw_only=True):
    id: UUID
    version: int
    death_id: UUID
    state: str
    office: str
    eligible_as: str
    burial_kind: str
    buried_on: date
    amount_on: date
    amount_fen: int
    claimant_name: str
    payout_account_masked: str
    reason: str | None
    payment_reference: str | None


class LedgerRow(Output, kw_only=True):
    month: str
    burial_kind: str
    approved_fen: int
    paid_fen: int
    recovered_fen: int


class UptakeRow(Output, kw_only=True):
    month: str
    deaths: int
    by_kind: dict[str, int]
    share_by_kind: dict[str, float]


class EcoBurialStatistics(Output, kw_only=True):
    ledger: list[LedgerRow]
    uptake: list[UptakeRow]
