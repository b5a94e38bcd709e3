"""Request and response bodies of the marriage API."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from api.schemas.common import (
    IdentityDocumentIn,
    Input,
    Output,
    PartyIn,
    PartyLabel,
    PartyRead,
    Reason,
    ShortText,
)


class MarriageApplicationCreate(Input, kw_only=True):
    party_a: PartyIn
    party_b: PartyIn


class MarriageFromExchangeCreate(Input, kw_only=True):
    """Both parties of a marriage registered in another province, to record it here from the exchange."""

    party_a: PartyIn
    party_b: PartyIn


class RecordedFromRead(Output, kw_only=True):
    """Where a marriage recorded from the exchange was registered, and its record there."""

    jurisdiction: str
    marriage: str


class AttendanceIn(Input, kw_only=True):
    """What the clerk witnessed of one party."""

    present: bool
    declares_voluntary: bool
    signed_no_spouse_statement: bool = False
    signed_no_kinship_statement: bool = False


class MarriageAttendanceIn(AttendanceIn, kw_only=True):
    declaration_certified: Annotated[
        bool,
        msgspec.Meta(
            description="a party who is not a mainland resident presented the certified or notarised declaration of "
            "no spouse and no prohibited kinship (regs art 8)"
        ),
    ] = False


class MarriageRegistrationCommand(Input, kw_only=True):
    party_a: MarriageAttendanceIn
    party_b: MarriageAttendanceIn


class MarriageRefusalCommand(Input, kw_only=True):
    reason: Reason
    failed_conditions: Annotated[list[Annotated[str, msgspec.Meta(max_length=64)]], msgspec.Meta(max_length=20)] = (
        msgspec.field(default_factory=list)
    )


class CertificateReissueCommand(Input, kw_only=True):
    party: PartyLabel
    reason: Literal["lost", "damaged"]


class CourtJudgmentCommand(Input, kw_only=True):
    kind: Literal["divorce", "void", "annulled"]
    court: ShortText
    judgment_number: ShortText
    effective_on: date
    reason: Annotated[str, msgspec.Meta(max_length=1000)] = ""


class JudgmentRead(Output, kw_only=True):
    court: str
    judgment_number: str
    effective_on: date


class MarriageRead(Output, kw_only=True):
    id: UUID
    version: int
    state: str
    office: str
    party_a: PartyRead
    party_b: PartyRead
    registered_on: date | None
    ended_on: date | None
    certificates: dict[str, str]
    verification_codes: dict[str, str]
    replaced_certificates: list[str]
    refusal_reason: str | None
    pending_divorce_id: UUID | None
    judgment: JudgmentRead | None
    recorded_from: RecordedFromRead | None = None


class DivorceAttendanceIn(AttendanceIn, kw_only=True):
    signed_divorce_agreement: bool = False


class DivorceApplicationCreate(Input, kw_only=True):
    marriage_id: UUID
    party_a: DivorceAttendanceIn
    party_b: DivorceAttendanceIn


class DivorceWithdrawalCommand(Input, kw_only=True):
    party: PartyLabel | None = None


class DivorceRegistrationCommand(Input, kw_only=True):
    party_a: AttendanceIn
    party_b: AttendanceIn


class DivorceRead(Output, kw_only=True):
    id: UUID
    version: int
    marriage_id: UUID
    office: str
    state: str
    received_on: date
    withdrawal_deadline: date | None
    registration_opens: date | None
    registration_deadline: date | None
    deadlines_pending: str | None  # why a date is null: its year's working calendar is not configured yet
    withdrawn_by: str | None
    withdrawn_on: date | None
    registered_on: date | None
    certificates: dict[str, str]


class MaritalStatusQuery(IdentityDocumentIn, kw_only=True):
    """Whose status to look up: in the body, never in the URL."""


class MaritalStatusRead(Output, kw_only=True):
    status: Literal["unmarried", "married", "divorced", "widowed"]
    since: date | None
    current_marriage_id: UUID | None
    marriages_known: int
