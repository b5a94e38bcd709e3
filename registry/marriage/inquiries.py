"""DvInquiryDesk: filing, reviewing and answering pre-marriage domestic-violence inquiries."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, Protocol
from uuid import UUID, uuid4

from eventsourcing.domain import BaseAggregate
from eventsourcing.utils import EnvType

from registry.common.actors import Act, Role
from registry.common.application import CommandResult, RegistryApplication, check_version
from registry.common.clock import local_date
from registry.common.errors import Failure, Forbidden, InvalidInput, NotEligible, NotFound
from registry.common.identity import Person
from registry.common.ids import PersonKeys
from registry.common.sealing import DataKeys, seal, unseal
from registry.marriage.application import MarriageRegistry
from registry.marriage.dv_inquiry import DvInquiry, DvInquiryQuota
from registry.marriage.marriage import APPLIED, Marriage


class Disclosure(Protocol):
    """What the DV register tells an approved inquiry: category and year of each record (and which record it is,
    only so that the entry can be sealed under that record's own key)."""

    @property
    def record_id(self) -> UUID: ...

    @property
    def category(self) -> str: ...

    @property
    def year(self) -> int: ...


class DvRegisterView(Protocol):
    """The one question this context may ask the DV register."""

    def disclosable(self, subject_ref: str, on: date) -> Sequence[Disclosure]: ...


def result_key_id(inquiry_id: UUID) -> str:
    return f"dv-inquiry:{inquiry_id}"


def slot_id() -> str:
    """A fresh key id for one disclosed entry: random, so that nothing outside the key store ties it to its record."""
    return f"dv-slot:{uuid4()}"


class DvInquiryDesk(RegistryApplication):
    """The inquiry's own log; it reads marriage applications and asks the DV register only once approved."""

    name = "dv_inquiries"

    def __init__(
        self,
        env: EnvType | None = None,
        *,
        person_keys: PersonKeys,
        keys: DataKeys,
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
        applicant_party: str | None,
        subject_document_key: str,
        subject_name: str,
        truthfulness_pledged: bool,
        confidentiality_pledged: bool,
        request: str = "",
    ) -> CommandResult:
        """A party to a pending application asks about the other party of that application, and no one else, and
        pledges that what they state is true and that they keep the result confidential."""
        marriage = self.marriages.marriage(marriage_id)
        applicant_party = self._applicant_party(act, marriage, applicant_party)
        other = marriage.party("b" if applicant_party == "a" else "a")
        self._check_may_file(
            act, marriage, other, subject_key=subject_document_key, subject_name=subject_name,
            truthfulness_pledged=truthfulness_pledged, confidentiality_pledged=confidentiality_pledged,
        )  # fmt: skip
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

    def _applicant_party(self, act: Act, marriage: Marriage, named: str | None) -> str:
        """A citizen inquires as themselves (to them another couple's application does not exist: NotFound); a clerk
        files at the application's office, naming the applicant."""
        if act.by.role == Role.CITIZEN.value:
            refs = {label: self.marriages.person_ref(marriage.party(label)) for label in ("a", "b")}
            own = next((label for label, ref in refs.items() if ref == act.by.id), None)
            if own is None:
                raise NotFound()
            if named not in (None, own):
                raise InvalidInput([Failure("not-your-party", "a citizen inquires only as themselves")])
            return own
        if act.by.office != marriage.office:
            raise Forbidden([Failure("wrong-office", "file at the office of the marriage application")])
        if named is None:
            raise InvalidInput([Failure("applicant-party-required", "name the applicant: party a or b")])
        return named

    def _check_may_file(
        self,
        act: Act,
        marriage: Marriage,
        other: Person,
        *,
        subject_key: str,
        subject_name: str,
        truthfulness_pledged: bool,
        confidentiality_pledged: bool,
    ) -> None:
        """NotEligible naming every failed condition of filing: a pending application, its other party, both pledges."""
        failures = []
        if self.marriages.marriage_state_on(marriage, local_date(act.at)) != APPLIED:
            failures.append(Failure("marriage-application-not-pending", "the marriage application is not pending"))
        if subject_key != other.document_key or subject_name.strip() != other.name:
            failures.append(Failure("dv-subject-not-the-other-party", "the person asked about is not the other party"))
        if not truthfulness_pledged:
            failures.append(Failure("truthfulness-pledge-missing", "the signed pledge that the request is true"))
        if not confidentiality_pledged:
            failures.append(Failure("confidentiality-pledge-missing", "the signed confidentiality pledge is required"))
        if failures:
            raise NotEligible(failures)

    def refuse(
        self, act: Act, inquiry_id: UUID, *, reason: str, expected_version: int | None = None, request: str = ""
    ) -> CommandResult:
        def decide() -> Sequence[BaseAggregate[UUID]]:
            inquiry = self.inquiry(inquiry_id)
            check_version(inquiry, expected_version)
            self._check_reviewer(act, inquiry)
            inquiry.refuse(act, reason=reason)
            quota = self._quota(act, inquiry.applicant_ref, inquiry.year)
            quota.release(act, inquiry.id)
            return [inquiry, quota]

        return self.execute(act, decide, request_fingerprint=request)

    def approve(
        self, act: Act, inquiry_id: UUID, *, expected_version: int | None = None, request: str = ""
    ) -> CommandResult:
        """Approve and run the inquiry at once; the result is sealed for the applicant alone.

        Each disclosed entry is sealed under its record's own data key (shared under a random slot id), so that a
        record sealed or revoked later disappears from this result too when it is read again.
        """

        def decide() -> Sequence[BaseAggregate[UUID]]:
            inquiry = self.inquiry(inquiry_id)
            check_version(inquiry, expected_version)
            self._check_reviewer(act, inquiry)
            inquiry.check_filed()
            entries = []
            for found in self.register.disclosable(inquiry.subject_ref, local_date(act.at)):
                slot = slot_id()
                key = self.keys.share(str(found.record_id), slot)
                if key is not None:
                    disclosed = {"category": found.category, "year": found.year}
                    entries.append({"slot": slot, "sealed": seal(key, disclosed, slot)})
            own = result_key_id(inquiry.id)
            key = self.keys.get(own) or self.keys.create(own, owner=own)
            inquiry.answer(act, sealed_result=seal(key, {"entries": entries}, str(inquiry.id)))
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
        result = unseal(self.keys.get(result_key_id(answered.id)), answered.sealed_result or "", str(answered.id))
        if "records" in result:  # answered before results were sealed per record
            return result
        records = []
        for entry in result["entries"]:
            key = self.keys.get(entry["slot"])
            if key is not None:  # gone with a record sealed or revoked since
                records.append(unseal(key, entry["sealed"], entry["slot"]))
        return {"records": sorted(records, key=lambda r: (r["year"], r["category"]))}

    def _check_reviewer(self, act: Act, inquiry: DvInquiry) -> None:
        if act.by.office != inquiry.office:
            raise Forbidden(
                [Failure("wrong-office", "the inquiry is reviewed at the office of the marriage application")]
            )

    def _quota(self, act: Act, applicant_ref: str, year: int) -> DvInquiryQuota:
        quota_id = DvInquiryQuota.id_for(applicant_ref, year)
        return self.find(quota_id, DvInquiryQuota) or DvInquiryQuota.open(act, applicant_ref, year)
