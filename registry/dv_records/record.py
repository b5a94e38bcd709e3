"""DvRecord: a domestic-violence record from a court or the police; its personal details are sealed per record."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.domain import AggregateCreated

from registry.common.actors import Act
from registry.common.errors import Failure, Forbidden, InvalidInput, WrongState
from registry.common.events import RegistryAggregate, RegistryEvent
from registry.common.ids import natural_id

CRIMINAL_JUDGMENT = "criminal-judgment"
PROTECTION_ORDER = "protection-order"
ADMINISTRATIVE_DETENTION = "administrative-detention"
POLICE_WARNING = "police-warning"
STANDARD_CATEGORIES = (CRIMINAL_JUDGMENT, PROTECTION_ORDER, ADMINISTRATIVE_DETENTION)
PROTECTION_ORDER_MONTHS = 6


def months_after(day: date, months: int) -> date:
    """The same day `months` later (the month's last day when it has no such day)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has 28 days")


@dataclass(frozen=True)
class DvDetails:
    """What a record says: sealed in the events, readable only while the record's key exists."""

    category: str
    document_number: str
    issued_on: date
    expires_on: date | None
    subject_name: str
    subject_document: str

    def as_fields(self) -> dict[str, Any]:
        fields = asdict(self)
        fields["issued_on"] = self.issued_on.isoformat()
        fields["expires_on"] = self.expires_on.isoformat() if self.expires_on else None
        return fields

    @classmethod
    def from_fields(cls, fields: dict[str, Any]) -> DvDetails:
        expires = fields.get("expires_on")
        return cls(
            category=fields["category"],
            document_number=fields["document_number"],
            issued_on=date.fromisoformat(fields["issued_on"]),
            expires_on=date.fromisoformat(expires) if expires else None,
            subject_name=fields["subject_name"],
            subject_document=fields["subject_document"],
        )

    def is_in_force_on(self, day: date) -> bool:
        return self.issued_on <= day and (self.expires_on is None or day <= self.expires_on)


def check_details(details: DvDetails, *, today: date, categories: tuple[str, ...]) -> None:
    """Every rule a new record must meet, all reported together."""
    failures = []
    if details.category not in categories:
        failures.append(Failure("dv-category-not-accepted", f"accepted categories: {', '.join(categories)}"))
    if details.issued_on > today:
        failures.append(Failure("dv-issued-in-future", "the issue date is after today"))
    if details.category == PROTECTION_ORDER:
        limit = months_after(details.issued_on, PROTECTION_ORDER_MONTHS)
        if details.expires_on is None or not details.issued_on < details.expires_on <= limit:
            failures.append(
                Failure("protection-order-validity", "a protection order runs at most 6 months from its issue date")
            )
    elif details.expires_on is not None:
        failures.append(Failure("dv-expiry-not-applicable", f"a {details.category} has no expiry date"))
    if failures:
        raise InvalidInput(failures)


class DvRecord(RegistryAggregate):
    """Added, and possibly revoked or sealed, by the authority that issued it; never browsed by clerks."""

    TOPIC = "dv_records:DvRecord"

    class Event(RegistryEvent):
        pass

    class Added(Event, AggregateCreated):
        TOPIC = "dv_records:DvRecord.Added"
        subject_ref: str
        authority: str
        sealed_details: str

    class Revoked(Event):
        TOPIC = "dv_records:DvRecord.Revoked"
        reason: str

        def apply(self, record: DvRecord) -> None:
            record.revoked = True

    class Sealed(Event):
        TOPIC = "dv_records:DvRecord.Sealed"
        reason: str

        def apply(self, record: DvRecord) -> None:
            record.sealed = True

    def __init__(self, subject_ref: str, authority: str, sealed_details: str) -> None:
        self.subject_ref = subject_ref
        self.authority = authority
        self.sealed_details = sealed_details
        self.revoked = False
        self.sealed = False

    @staticmethod
    def new_id() -> UUID:
        return uuid4()

    @classmethod
    def add(
        cls,
        act: Act,
        *,
        record_id: UUID,
        subject_ref: str,
        details: DvDetails,
        categories: tuple[str, ...],
        today: date,
        seal: Callable[[DvDetails], str],
    ) -> DvRecord:
        check_details(details, today=today, categories=categories)
        record: DvRecord = cls._create_from(
            cls.Added, act, id=record_id, subject_ref=subject_ref, authority=act.by.office, sealed_details=seal(details)
        )
        return record

    def revoke(self, act: Act, *, reason: str) -> None:
        self.check_issued_by(act)
        self.check_active()
        self._record(self.Revoked, act, reason=reason)

    def seal(self, act: Act, *, reason: str) -> None:
        self.check_issued_by(act)
        if self.sealed:
            raise WrongState([Failure("dv-record-sealed", "the record is already sealed")])
        self._record(self.Sealed, act, reason=reason)

    def check_issued_by(self, act: Act) -> None:
        if act.by.office != self.authority:
            raise Forbidden([Failure("not-the-issuing-authority", "only the issuing authority may change this record")])

    def check_active(self) -> None:
        if self.sealed or self.revoked:
            state = "sealed" if self.sealed else "revoked"
            raise WrongState([Failure(f"dv-record-{state}", f"the record is {state}")])


class DvSubject(RegistryAggregate):
    """The records about one person (keyed hash), so that an inquiry finds them without scanning."""

    TOPIC = "dv_records:DvSubject"

    class Event(RegistryEvent):
        pass

    class Opened(Event, AggregateCreated):
        TOPIC = "dv_records:DvSubject.Opened"
        subject_ref: str

    class RecordAdded(Event):
        TOPIC = "dv_records:DvSubject.RecordAdded"
        record_id: UUID

        def apply(self, subject: DvSubject) -> None:
            subject.record_ids.append(self.record_id)

    def __init__(self, subject_ref: str) -> None:
        self.subject_ref = subject_ref
        self.record_ids: list[UUID] = []

    @staticmethod
    def id_for(subject_ref: str) -> UUID:
        return natural_id("dv-subject", subject_ref)

    @classmethod
    def open(cls, act: Act, subject_ref: str) -> DvSubject:
        subject: DvSubject = cls._create_from(cls.Opened, act, id=cls.id_for(subject_ref), subject_ref=subject_ref)
        return subject

    def add_record(self, act: Act, record_id: UUID) -> None:
        self._record(self.RecordAdded, act, record_id=record_id)
