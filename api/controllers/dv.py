"""The domestic-violence register (courts and police only) and the pre-marriage inquiry."""

from __future__ import annotations

from typing import Any, Literal
from uuid import UUID

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from api.auth import allow
from api.context import (
    AnyRequest,
    act_of,
    answer,
    expected_version,
    principal_of,
    record_official_read,
    request_fingerprint,
)
from api.schemas.dv import (
    DvInquiryCreate,
    DvInquiryRead,
    DvInquiryRefusal,
    DvInquiryResult,
    DvRecordChange,
    DvRecordCreate,
    DvRecordExtension,
    DvRecordFound,
    DvRecordRead,
)
from registry.common.actors import Act, Role
from registry.common.application import CommandResult
from registry.common.clock import Clock, local_date
from registry.common.errors import NotFound
from registry.common.identity import validated_document_key
from registry.common.sealing import Unreadable
from registry.dv_records.record import DvRecord
from registry.marriage.dv_inquiry import DvInquiry
from registry.system import Registry

RESULT_NOTICE = "For your own marriage decision only; for reference, not proof. Keep it confidential."


def record_read(registry: Registry, record: DvRecord) -> DvRecordRead:
    state: Literal["in-force", "revoked", "sealed"] = (
        "sealed" if record.sealed else "revoked" if record.revoked else "in-force"
    )
    details = None
    if not record.sealed:
        try:
            details = registry.dv_records.details(record)
        except Unreadable:
            state = "sealed"
    return DvRecordRead(
        id=record.id, version=record.version, authority=record.authority, state=state,
        category=details.category if details else None, document_number=details.document_number if details else None,
        issued_on=details.issued_on if details else None, expires_on=details.expires_on if details else None,
        subject_name=details.subject_name if details else None,
    )  # fmt: skip


def issuers_record(registry: Registry, request: AnyRequest, record_id: UUID) -> DvRecord:
    """Another authority is told no more than that there is no such record."""
    record = registry.dv_records.record(record_id)
    if record.authority != principal_of(request).office:
        raise NotFound()
    return record


def record_answer(registry: Registry, result: CommandResult, status: int = 200) -> Response[Any]:
    record = registry.dv_records.subject_of(result, DvRecord)
    location = f"/v1/dv-records/{record.id}" if status == 201 else None
    return answer(
        record_read(registry, record), version=record.version, result=result, status=status, location=location
    )


class DvRecordController(Controller):
    """Only the issuing bodies add, revoke, seal and read their records; nobody else can even see one exists."""

    path = "/v1/dv-records"
    tags = ("domestic violence",)
    guards = [allow(Role.DV_SOURCE)]  # noqa: RUF012 (Litestar declares guards as a list)

    @post("/", sync_to_thread=True, status_code=201)
    def add(
        self, request: AnyRequest, data: JSONBody[DvRecordCreate], registry: NamedDependency[Registry],
        clock: NamedDependency[Clock],
    ) -> Response[DvRecordRead]:  # fmt: skip
        """Add a record issued by the caller's authority (protection orders run at most 6 months)."""
        act = act_of(request, clock)
        subject = registry.dv_records.identify_subject(
            document_type=data.subject.document_type, document_number=data.subject.document_number,
            nationality=data.subject.nationality, name=data.subject.name, today=local_date(act.at),
        )  # fmt: skip
        result = registry.dv_records.add_record(
            act, subject=subject, category=data.category, document_number=data.document_number,
            issued_on=data.issued_on, expires_on=data.expires_on, request=request_fingerprint(request, data),
        )  # fmt: skip
        return record_answer(registry, result, status=201)

    @get("/{record_id:uuid}", sync_to_thread=True)
    def read(
        self, request: AnyRequest, record_id: FromPath[UUID], registry: NamedDependency[Registry],
        clock: NamedDependency[Clock],
    ) -> Response[DvRecordRead]:  # fmt: skip
        """The issuing authority's own record (the read is recorded without naming its subject: once the record is
        sealed, nothing may link the person to the register)."""
        record = issuers_record(registry, request, record_id)
        record_official_read(request, registry, clock, what="dv-record", target=f"dv-record/{record_id}")
        return answer(record_read(registry, record), version=record.version)

    @post("/{record_id:uuid}/revocation", sync_to_thread=True, status_code=200)
    def revoke(
        self, request: AnyRequest, record_id: FromPath[UUID], data: JSONBody[DvRecordChange],
        registry: NamedDependency[Registry], clock: NamedDependency[Clock],
    ) -> Response[DvRecordRead]:  # fmt: skip
        """Revoke a record (it is no longer disclosed)."""
        issuers_record(registry, request, record_id)
        result = registry.dv_records.revoke(
            act_of(request, clock), record_id, reason=data.reason, expected_version=expected_version(request),
            request=request_fingerprint(request, data),
        )  # fmt: skip
        return record_answer(registry, result)

    @post("/{record_id:uuid}/extensions", sync_to_thread=True, status_code=200)
    def extend(
        self, request: AnyRequest, record_id: FromPath[UUID], data: JSONBody[DvRecordExtension],
        registry: NamedDependency[Registry], clock: NamedDependency[Clock],
    ) -> Response[DvRecordRead]:  # fmt: skip
        """A court extends its protection order before it ends (at most six months at a time)."""
        issuers_record(registry, request, record_id)
        result = registry.dv_records.extend(
            act_of(request, clock), record_id, expires_on=data.expires_on, expected_version=expected_version(request),
            request=request_fingerprint(request, data),
        )  # fmt: skip
        return record_answer(registry, result)

    @post("/{record_id:uuid}/sealing", sync_to_thread=True, status_code=200)
    def seal(
        self, request: AnyRequest, record_id: FromPath[UUID], data: JSONBody[DvRecordChange],
        registry: NamedDependency[Registry], clock: NamedDependency[Clock],
    ) -> Response[DvRecordRead]:  # fmt: skip
        """Seal (expunge) a record: its key is destroyed, its details unreadable everywhere, for good."""
        issuers_record(registry, request, record_id)
        result = registry.dv_records.seal(
            act_of(request, clock), record_id, reason=data.reason, expected_version=expected_version(request),
            request=request_fingerprint(request, data),
        )  # fmt: skip
        return record_answer(registry, result)


def inquiry_read(inquiry: DvInquiry) -> DvInquiryRead:
    return DvInquiryRead(
        id=inquiry.id, version=inquiry.version, marriage_id=inquiry.marriage_id, office=inquiry.office,
        applicant_party=inquiry.applicant_party, state=inquiry.state,
    )  # fmt: skip


def visible_inquiry(registry: Registry, request: AnyRequest, inquiry_id: UUID) -> DvInquiry:
    """Clerks of the reviewing office, auditors, and the applicant; to anyone else it does not exist."""
    inquiry = registry.dv_inquiries.inquiry(inquiry_id)
    principal = principal_of(request)
    allowed = (
        principal.role == Role.AUDITOR
        or (principal.role == Role.CLERK and principal.office == inquiry.office)
        or (principal.role == Role.CITIZEN and principal.subject == inquiry.applicant_ref)
    )
    if not allowed:
        raise NotFound()
    return inquiry


def inquiry_answer(registry: Registry, result: CommandResult, status: int = 200) -> Response[Any]:
    inquiry = registry.dv_inquiries.subject_of(result, DvInquiry)
    location = f"/v1/dv-inquiries/{inquiry.id}" if status == 201 else None
    return answer(inquiry_read(inquiry), version=inquiry.version, result=result, status=status, location=location)


def file_inquiry(registry: Registry, act: Act, data: DvInquiryCreate, request_fingerprint: str) -> CommandResult:
    """File the inquiry the body describes; who may apply as which party is the inquiry desk's rule."""
    key = validated_document_key(
        data.subject.document_type, data.subject.document_number, data.subject.nationality, today=local_date(act.at)
    )
    result = registry.dv_inquiries.file(
        act, marriage_id=data.marriage_id, applicant_party=data.applicant_party, subject_document_key=key,
        subject_name=data.subject.name, truthfulness_pledged=data.truthfulness_pledge_signed,
        confidentiality_pledged=data.confidentiality_pledge_signed,
        request=request_fingerprint,
    )  # fmt: skip
    return result


class DvInquiryController(Controller):
    """A party to a pending marriage application asks about the other party; a clerk reviews it first."""

    path = "/v1/dv-inquiries"
    tags = ("domestic violence",)

    @post("/", guards=[allow(Role.CITIZEN, Role.CLERK)], sync_to_thread=True, status_code=201)
    def file(
        self, request: AnyRequest, data: JSONBody[DvInquiryCreate], registry: NamedDependency[Registry],
        clock: NamedDependency[Clock],
    ) -> Response[DvInquiryRead]:  # fmt: skip
        """File an inquiry (a citizen as themselves, or a clerk of the application's office on their behalf)."""
        result = file_inquiry(registry, act_of(request, clock), data, request_fingerprint(request, data))
        return inquiry_answer(registry, result, status=201)

    @get("/{inquiry_id:uuid}", guards=[allow(Role.CITIZEN, Role.CLERK, Role.AUDITOR)], sync_to_thread=True)
    def read(
        self, request: AnyRequest, inquiry_id: FromPath[UUID], registry: NamedDependency[Registry],
        clock: NamedDependency[Clock],
    ) -> Response[DvInquiryRead]:  # fmt: skip
        """Where the inquiry stands (never its result)."""
        inquiry = visible_inquiry(registry, request, inquiry_id)
        record_official_read(
            request, registry, clock, what="dv-inquiry", target=f"dv-inquiry/{inquiry_id}",
            persons=[inquiry.applicant_ref, inquiry.subject_ref],
        )  # fmt: skip
        return answer(inquiry_read(inquiry), version=inquiry.version)

    @post("/{inquiry_id:uuid}/approval", guards=[allow(Role.CLERK)], sync_to_thread=True, status_code=200)
    def approve(
        self, request: AnyRequest, inquiry_id: FromPath[UUID], registry: NamedDependency[Registry],
        clock: NamedDependency[Clock],
    ) -> Response[DvInquiryRead]:  # fmt: skip
        """Approve; the inquiry runs at once and its result goes to the applicant alone."""
        visible_inquiry(registry, request, inquiry_id)
        result = registry.dv_inquiries.approve(
            act_of(request, clock), inquiry_id, expected_version=expected_version(request),
            request=request_fingerprint(request),
        )  # fmt: skip
        return inquiry_answer(registry, result)

    @post("/{inquiry_id:uuid}/refusal", guards=[allow(Role.CLERK)], sync_to_thread=True, status_code=200)
    def refuse(
        self, request: AnyRequest, inquiry_id: FromPath[UUID], data: JSONBody[DvInquiryRefusal],
        registry: NamedDependency[Registry], clock: NamedDependency[Clock],
    ) -> Response[DvInquiryRead]:  # fmt: skip
        """Refuse, with the reason; a refused inquiry does not count against the applicant's yearly limit."""
        visible_inquiry(registry, request, inquiry_id)
        result = registry.dv_inquiries.refuse(
            act_of(request, clock), inquiry_id, reason=data.reason, expected_version=expected_version(request),
            request=request_fingerprint(request, data),
        )  # fmt: skip
        return inquiry_answer(registry, result)

    @get("/{inquiry_id:uuid}/result", guards=[allow(Role.CITIZEN)], sync_to_thread=True)
    def result(
        self, request: AnyRequest, inquiry_id: FromPath[UUID], registry: NamedDependency[Registry],
        clock: NamedDependency[Clock],
    ) -> DvInquiryResult:  # fmt: skip
        """The applicant's result: "no record", or category and year of each record in force. Each read is recorded."""
        visible_inquiry(registry, request, inquiry_id)
        found = registry.dv_inquiries.read_result(
            act_of(request, clock), inquiry_id, reader_ref=principal_of(request).subject
        )
        records = [DvRecordFound(category=r["category"], year=r["year"]) for r in found["records"]]
        return DvInquiryResult(
            inquiry_id=inquiry_id, outcome="records-found" if records else "no-record", records=records,
            notice=RESULT_NOTICE,
        )  # fmt: skip
