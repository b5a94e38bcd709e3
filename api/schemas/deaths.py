"""Bodies of the deaths and post-death bundle APIs."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import TYPE_CHECKING, Annotated, Literal
from uuid import UUID

import msgspec

from api.schemas.common import (
    IdentityDocumentIn,
    Input,
    Output,
    PartyIn,
    PartyRead,
    PayoutAccount,
    PhoneNumber,
    Reason,
    ShortText,
)
from registry.deaths.services import DeceasedFacts


class DeathCreate(Input, kw_only=True):
    deceased: PartyIn
    certificate_kind: Literal["medical", "police"]
    certificate_number: ShortText
    died_on: date
    place: ShortText
    in_city: bool


class DeathReview(Input, kw_only=True):
    decision: Literal["keep", "correct"]
    reason: Reason


class DeathDecision(Input, kw_only=True):
    """A supervisor's confirmation or rejection of a clerk's registration, with the reason."""

    reason: Reason


class BenefitPayment(Input, kw_only=True):
    benefit: Annotated[
        str, msgspec.Meta(pattern=r"^[a-z][a-z0-9-]{0,63}$", description="e.g. subsistence-allowance, pension")
    ]
    paid_for: date
    amount_fen: Annotated[int, msgspec.Meta(ge=1, le=10_000_000_00)]


class DeathRead(Output, kw_only=True):
    id: UUID
    version: int
    outcome: str | None
    state: Literal["in-effect", "awaiting-confirmation", "rejected"]
    deceased: PartyRead
    died_on: date
    place: str
    in_city: bool
    funeral_fee_waived: bool
    funeral_fee_basis: str | None
    review_pending: bool
    rejection_reason: str | None


class PaymentRead(Output, kw_only=True):
    death_id: UUID
    benefit: str
    paid_for: date
    payable_until: date | None
    flagged_for_recovery: bool


class NextOfKinIn(Input, kw_only=True):
    name: ShortText
    relationship: Literal["spouse", "child", "parent", "sibling", "grandchild", "other-relative"]
    contact_phone: PhoneNumber
    payout_account: PayoutAccount
    document: IdentityDocumentIn | None = None


if TYPE_CHECKING:

    class FactsIn(Input, kw_only=True):
        """What the family states about the deceased: every field of DeceasedFacts, each a bool defaulting to false."""

else:
    # Built from the domain's own list of facts, so that a fact added there is accepted here without a second list.
    FactsIn = msgspec.defstruct(
        "FactsIn",
        [(field.name, bool, field.default) for field in dataclasses.fields(DeceasedFacts)],
        bases=(Input,),
        kw_only=True,
        module=__name__,
    )


def deceased_facts(facts: FactsIn) -> DeceasedFacts:
    """The domain's facts from the body's."""
    return DeceasedFacts(**msgspec.structs.asdict(facts))


class BundleCreate(Input, kw_only=True):
    death_id: UUID
    applicant: NextOfKinIn
    facts: FactsIn


class TaskAction(Input, kw_only=True):
    multi_line_fields = frozenset({"note"})

    note: Annotated[str, msgspec.Meta(max_length=1000)] = ""


class TaskRead(Output, kw_only=True):
    service: str
    department: str
    reason: str
    due_on: date
    overdue: bool
    state: str
    reference: str | None
    rejection_reason: str | None


class BundleRead(Output, kw_only=True):
    id: UUID
    version: int
    death_id: UUID
    applied_on: date
    completed: bool
    applicant_name: str
    relationship: str
    payout_account_masked: str
    tasks: list[TaskRead]


class DepartmentTaskRow(Output, kw_only=True):
    case_id: str
    service: str
    reason: str
    due_on: date
    state: str
    overdue: bool


class DepartmentWorklist(Output, kw_only=True):
    department: str
    tasks: list[DepartmentTaskRow]
    next_after: str | None


class DeathDecisionRow(Output, kw_only=True):
    death_id: str
    kind: Literal["confirmation", "review"]
    since: date
    raised_by_role: str
    raised_by_office: str


class DeathDecisionWorklist(Output, kw_only=True):
    decisions: list[DeathDecisionRow]
    next_after: str | None
