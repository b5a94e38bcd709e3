"""DvInquiry: a party to a pending marriage application asks whether the other party has a DV record.

The applicant alone sees the result; what is recorded for everyone else is that the inquiry was filed, reviewed and
answered, with the result sealed under a key of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID, uuid4

from eventsourcing.domain import AggregateCreated

from registry.common.actors import Act
from registry.common.errors import Failure, NotEligible, WrongState
from registry.common.events import RegistryAggregate, RegistryEvent
from registry.common.ids import natural_id

# Local choice, fixed in code: the city's published rule for its inquiry (docs/domain.md D9); no law sets them.
MAX_INQUIRIES_PER_YEAR = 2
MAX_SUBJECTS_PER_YEAR = 2

FILED = "filed"
REFUSED = "refused"
ANSWERED = "answered"


class DvInquiry(RegistryAggregate):
    """Filed with a signed confidentiality pledge, reviewed by a clerk, answered to the applicant alone."""

    TOPIC = "marriage:DvInquiry"

    class Event(RegistryEvent):
        pass

    class Filed(Event, AggregateCreated):
        TOPIC = "marriage:DvInquiry.Filed"
        marriage_id: UUID
        office: str
        applicant_party: str
        applicant_ref: str
        subject_ref: str
        year: int

    class Refused(Event):
        TOPIC = "marriage:DvInquiry.Refused"
        reason: str

        def apply(self, inquiry: DvInquiry) -> None:
            inquiry.state = REFUSED

    class Answered(Event):
        """Approved by the clerk and answered at once; the result is sealed for the applicant."""

        TOPIC = "marriage:DvInquiry.Answered"
        sealed_result: str

        def apply(self, inquiry: DvInquiry) -> None:
            inquiry.state = ANSWERED
            inquiry.sealed_result = self.sealed_result

    class ResultRead(Event):
        TOPIC = "marriage:DvInquiry.ResultRead"

    def __init__(
        self, marriage_id: UUID, office: str, applicant_party: str, applicant_ref: str, subject_ref: str, year: int
    ) -> None:
        self.marriage_id = marriage_id
        self.office = office
        self.applicant_party = applicant_party
        self.applicant_ref = applicant_ref
        self.subject_ref = subject_ref
        self.year = year
        self.state = FILED
        self.sealed_result: str | None = None

    @classmethod
    def file(
        cls, act: Act, *, marriage_id: UUID, office: str, applicant_party: str, applicant_ref: str, subject_ref: str,
        year: int,
    ) -> DvInquiry:  # fmt: skip
        inquiry: DvInquiry = cls._create_from(
            cls.Filed, act, id=uuid4(), marriage_id=marriage_id, office=office, applicant_party=applicant_party,
            applicant_ref=applicant_ref, subject_ref=subject_ref, year=year,
        )  # fmt: skip
        return inquiry

    def refuse(self, act: Act, *, reason: str) -> None:
        self.check_filed()
        self._record(self.Refused, act, reason=reason)

    def answer(self, act: Act, *, sealed_result: str) -> None:
        self.check_filed()
        self._record(self.Answered, act, sealed_result=sealed_result)

    def record_read(self, act: Act) -> None:
        if self.state != ANSWERED:
            raise WrongState([Failure(f"dv-inquiry-{self.state}", f"the inquiry is {self.state}, not answered")])
        self._record(self.ResultRead, act)

    def check_filed(self) -> None:
        if self.state != FILED:
            raise WrongState([Failure(f"dv-inquiry-{self.state}", f"the inquiry is already {self.state}")])


@dataclass
class QuotaEntry:
    inquiry_id: UUID
    subject_ref: str
    counts: bool = True


class DvInquiryQuota(RegistryAggregate):
    """One per applicant and calendar year: at most 2 inquiries, about at most 2 different people."""

    TOPIC = "marriage:DvInquiryQuota"

    class Event(RegistryEvent):
        pass

    class Opened(Event, AggregateCreated):
        TOPIC = "marriage:DvInquiryQuota.Opened"
        applicant_ref: str
        year: int

    class Used(Event):
        TOPIC = "marriage:DvInquiryQuota.Used"
        inquiry_id: UUID
        subject_ref: str

        def apply(self, quota: DvInquiryQuota) -> None:
            quota.entries.append(QuotaEntry(self.inquiry_id, self.subject_ref))

    class Released(Event):
        """A refused inquiry does not count against the applicant."""

        TOPIC = "marriage:DvInquiryQuota.Released"
        inquiry_id: UUID

        def apply(self, quota: DvInquiryQuota) -> None:
            for entry in quota.entries:
                if entry.inquiry_id == self.inquiry_id:
                    entry.counts = False

    def __init__(self, applicant_ref: str, year: int) -> None:
        self.applicant_ref = applicant_ref
        self.year = year
        self.entries: list[QuotaEntry] = []

    @staticmethod
    def id_for(applicant_ref: str, year: int) -> UUID:
        return natural_id("dv-inquiry-quota", applicant_ref, str(year))

    @classmethod
    def open(cls, act: Act, applicant_ref: str, year: int) -> DvInquiryQuota:
        quota: DvInquiryQuota = cls._create_from(
            cls.Opened, act, id=cls.id_for(applicant_ref, year), applicant_ref=applicant_ref, year=year
        )
        return quota

    def use(self, act: Act, *, inquiry_id: UUID, subject_ref: str) -> None:
        counting = [e for e in self.entries if e.counts]
        failures = []
        if len(counting) >= MAX_INQUIRIES_PER_YEAR:
            failures.append(Failure("dv-inquiry-limit", f"at most {MAX_INQUIRIES_PER_YEAR} inquiries a calendar year"))
        if len({e.subject_ref for e in counting} | {subject_ref}) > MAX_SUBJECTS_PER_YEAR:
            failures.append(
                Failure("dv-inquiry-subject-limit", f"inquiries about at most {MAX_SUBJECTS_PER_YEAR} people a year")
            )
        if failures:
            raise NotEligible(failures)
        self._record(self.Used, act, inquiry_id=inquiry_id, subject_ref=subject_ref)

    def release(self, act: Act, inquiry_id: UUID) -> None:
        self._record(self.Released, act, inquiry_id=inquiry_id)
