"""DvInquiryDesk: filing, reviewing and answering pre-marriage domestic-violence inquiries."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.domain import BaseAggregate
from eventsourcing.utils import EnvType

from registry.common.actors import Act
from registry.common.application import CommandResult, RegistryApplication
from registry.common.clock import local_date
from registry.common.errors import Failure, Forbidden, NotEligible
from registry.common.ids import PersonKeys
from registry.common.sealing import KeyStore, seal, unseal
from registry.marriage.application import MarriageRegistry
from registry.marriage.dv_inquiry import DvInquiry, DvInquiryQuota
from registry.marriage.marriage import APPLIED


class Disclosure(Protocol):
    """What the DV register tells an approved inquiry: category and year of each record in force."""

    @property
    def category(self) -> str: ...

    @property
    def year(self) -> int: ...


class DvRegisterView(Protocol):
    """The one question this context may ask the DV register."""

    def disclosable(self, subject_ref: str, on: date) -> Sequence[Disclosure]: ...


def result_key_id(inquiry_id: UUID) -> str:
    return f"dv-inquiry:{inquiry_id}"


class DvInquiryDesk(RegistryApplication):
    """The inquiry's own log; it reads marriage applications and asks the DV register only once approved."""

    name = "dv_inquiries"

    def __init__(
        self,
        env: EnvType | None = None,
        *,
        person_keys: PersonKeys,
        keys: KeyStore,
        marriages: MarriageRegistry,
        register: DvRegisterView,
    ) -> None:
        super().__init__(env)
        self.person_keys = person_keys
        self.keys = keys
        self.marriages = marriages
        self.register = register

    def inquiry(self, inquiry_id: UUID) -> DvInquiry:
        return self.load(inquiry_id, DvInquiry)

    def file(
        self,
        act: Act,
        *,
        marriage_id: UUID,
        applicant_party: str,
        subject_document_key: str,
        subject_name: str,
        pledge_signed: bool,
        request: str = "",
    ) -> CommandResult:
        """A party to a pending application asks about the other party of that application, and no one else."""
        marriage = self.marriages.marriage(marriage_id)
        other = marriage.party("b" if applicant_party == "a" else "a")
        failures = []
        if marriage.state != APPLIED:
            failures.append(Failure("marriage-application-not-pending", "the marriage application is not pending"))
        if subject_document_key != other.document_key or subject_name.strip() != other.name:
            failures.append(Failure("dv-subject-not-the-other-party", "the person asked about is not the other party"))
        if not pledge_signed:
            failures.append(Failure("confidentiality-pledge-missing", "the signed confidentiality pledge is required"))
        if failures:
            raise NotEligible(failures)
        applicant_ref = self.marriages.person_ref(marriage.party(applicant_party))
        subject_ref = self.marriages.person_ref(other)
        year = local_date(act.at).year

        def decide() -> Sequence[BaseAggregate[UUID]]:
            inquiry = DvInquiry.file(
                act, marriage_id=marriage.id, office=marriage.office, applicant_party=applicant_party,
                applicant_ref=applicant_ref, subject_ref=subject_ref, year=year,
            )  # fmt: skip
            quota = self._quota(act, applicant_ref, year)
            quota.use(act, inquiry_id=inquiry.id, subject_ref=subject_ref)
            return [inquiry, quota]

        return self.execute(act, decide, request_fingerprint=request)

    def refuse(self, act: Act, inquiry_id: UUID, *, reason: str, request: str = "") -> CommandResult:
        def decide() -> Sequence[BaseAggregate[UUID]]:
            inquiry = self.inquiry(inquiry_id)
            self._check_reviewer(act, inquiry)
            inquiry.refuse(act, reason=reason)
            quota = self._quota(act, inquiry.applicant_ref, inquiry.year)
            quota.release(act, inquiry.id)
            return [inquiry, quota]

        return self.execute(act, decide, request_fingerprint=request)

    def approve(self, act: Act, inquiry_id: UUID, *, request: str = "") -> CommandResult:
        """Approve and run the inquiry at once; the result is sealed for the applicant alone."""

        def decide() -> Sequence[BaseAggregate[UUID]]:
            inquiry = self.inquiry(inquiry_id)
            self._check_reviewer(act, inquiry)
            found = self.register.disclosable(inquiry.subject_ref, local_date(act.at))
            result = {"records": [{"category": d.category, "year": d.year} for d in found]}
            key = self.keys.get(result_key_id(inquiry.id)) or self.keys.create(result_key_id(inquiry.id))
            inquiry.answer(act, sealed_result=seal(key, result, str(inquiry.id)))
            return [inquiry]

        return self.execute(act, decide, request_fingerprint=request)

    def read_result(self, act: Act, inquiry_id: UUID, *, reader_ref: str) -> dict[str, Any]:
        """The applicant reads the result; the reading itself is recorded."""
        inquiry = self.inquiry(inquiry_id)
        if reader_ref != inquiry.applicant_ref:
            raise Forbidden([Failure("not-the-applicant", "only the applicant may read the result")])

        def decide() -> Sequence[BaseAggregate[UUID]]:
            fresh = self.inquiry(inquiry_id)
            fresh.record_read(act)
            return [fresh]

        self.execute(act, decide)  # refuses unless the inquiry has been answered
        answered = self.inquiry(inquiry_id)
        return unseal(self.keys.get(result_key_id(answered.id)), answered.sealed_result or "", str(answered.id))

    def _check_reviewer(self, act: Act, inquiry: DvInquiry) -> None:
        if act.by.office != inquiry.office:
            raise Forbidden(
                [Failure("wrong-office", "the inquiry is reviewed at the office of the marriage application")]
            )

    def _quota(self, act: Act, applicant_ref: str, year: int) -> DvInquiryQuota:
        quota_id = DvInquiryQuota.id_for(applicant_ref, year)
        return self.find(quota_id, DvInquiryQuota) or DvInquiryQuota.open(act, applicant_ref, year)
