"""Bodies of the domestic-violence register and inquiry APIs."""

from __future__ import annotations

from datetime import date
from typing import Literal
from uuid import UUID

import msgspec

from api.schemas.common import IdentityDocumentIn, Input, Output, PartyLabel, PersonName, Reason, ShortText

Category = Literal["criminal-judgment", "protection-order", "administrative-detention", "police-warning"]


class DvSubjectIn(IdentityDocumentIn, kw_only=True):
    name: PersonName


class DvRecordCreate(Input, kw_only=True):
    subject: DvSubjectIn
    category: Category
    document_number: ShortText
    issued_on: date
    expires_on: date | None = None


class DvRecordChange(Input, kw_only=True):
    reason: Reason


class DvRecordExtension(Input, kw_only=True):
    """A court's extension of its protection order: the new last day."""

    expires_on: date


class DvRecordRead(Output, kw_only=True):
    """Shown only to the issuing authority; after sealing, nothing of the details remains readable."""

    id: UUID
    version: int
    authority: str
    state: Literal["in-force", "revoked", "sealed"]
    category: str | None
    document_number: str | None
    issued_on: date | None
    expires_on: date | None
    subject_name: str | None


class DvInquiryCreate(Input, kw_only=True):
    marriage_id: UUID
    applicant_party: PartyLabel | None = None
    subject: DvSubjectIn
    truthfulness_pledge_signed: bool = msgspec.field(default=False)
    confidentiality_pledge_signed: bool


class DvInquiryRefusal(Input, kw_only=True):
    reason: Reason


class DvInquiryRead(Output, kw_only=True):
    """What anyone but the applicant's result-read sees: that it was filed, reviewed, answered."""

    id: UUID
    version: int
    marriage_id: UUID
    office: str
    applicant_party: str
    state: str


class DvRecordFound(Output, kw_only=True):
    category: str
    year: int


class DvInquiryResult(Output, kw_only=True):
    """For reference only: "no record", or the category and year of each record in force."""

    inquiry_id: UUID
    outcome: Literal["no-record", "records-found"]
    records: list[DvRecordFound]
    notice: str
