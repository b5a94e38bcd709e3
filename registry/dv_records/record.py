"""DvRecord: a domestic-violence record from a court or the police; its personal details are sealed per record."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
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
PROTECTION_ORDER_MONTHS = 6  # Anti-Domestic Violence Law art 30: a protection order runs at most six months
EXTENSION_MONTHS = 6  # a court's extension of a protection order: at most six months at a time (a local reading)
REGISTER_STARTS_ON = date(2017, 1, 1)  # the Anti-DV Law took effect on 1 March 2016; the register covers 2017 on


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
    """What a record says, whom it is about included: sealed in the events, readable only while its key exists."""

    category: str
    document_number: str
    issued_on: date
    expires_on: date | None
    subject_name: str
    subject_document: str
    subject_ref: str = ""  # records of version 1 kept the subject's reference in clear, outside their details

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
            subject_ref=fields.get("subject_ref", ""),
        )

    def extended_to(self, expires_on: date) -> DvDetails:
        return replace(self, expires_on=expires_on)

    def is_in_force_on(self, day: date) -> bool:
        return self.issued_on <= day and (self.expires_on is None or day <= self.expires_on)


def check_details(
    details: DvDetails, *, today: date, categories: tuple[str, ...], register_starts_on: date = REGISTER_STARTS_ON
) -> None:
    """Every rule a new record must meet, all reported together."""
    failures = []
    if details.category not in categories:
        failures.append(Failure("dv-category-not-accepted", f"accepted categories: {', '.join(categories)}"))
    if details.issued_on > today:
        failures.append(Failure("dv-issued-in-future", "the issue date is after today"))
    if details.issued_on < register_starts_on:
        failures.append(
            Failure("dv-issued-before-register", f"the register covers acts from {register_starts_on.isoformat()} on")
        )
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
    """Added, extended, revoked or sealed by the authority that issued it; never browsed by clerks.

    Whom it is about, its dates and the reasons given for acts on it are sealed under the record's own data key: once
    the record is sealed (the key destroyed), nothing in its events links it to a person.
    """

    TOPIC = "dv_records:DvRecord"

    class Event(RegistryEvent):
        pass

    class Added(Event, AggregateCreated):
        TOPIC = "dv_records:DvRecord.Added"
        class_version = 2
        authority: str
        sealed_details: str

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """Version 1 kept the subject's reference in clear beside the details; it is no longer read."""
            state.pop("subject_ref", None)

    class Extended(Event):
        """A court extended a protection order; the new end date is sealed like the details."""

        TOPIC = "dv_records:DvRecord.Extended"
        sealed_extension: str

        def apply(self, record: DvRecord) -> None:
            record.extensions.append(self.sealed_extension)

    class Revoked(Event):
        TOPIC = "dv_records:DvRecord.Revoked"
        class_version = 2
        sealed_reason: str

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """Version 1 kept the reason in clear; it is no longer read."""
            state.pop("reason", None)
            state["sealed_reason"] = ""

        def apply(self, record: DvRecord) -> None:
            record.revoked = True

    class Sealed(Event):
        TOPIC = "dv_records:DvRecord.Sealed"
        class_version = 2
        sealed_reason: str

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """Version 1 kept the reason in clear; it is no longer read."""
            state.pop("reason", None)
            state["sealed_reason"] = ""

        def apply(self, record: DvRecord) -> None:
            record.sealed = True

    def __init__(self, authority: str, sealed_details: str) -> None:
        self.authority = authority
        self.sealed_details = sealed_details
        self.extensions: list[str] = []
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
        details: DvDetails,
        categories: tuple[str, ...],
        today: date,
        seal: Callable[[DvDetails], str],
        register_starts_on: date = REGISTER_STARTS_ON,
    ) -> DvRecord:
        check_details(details, today=today, categories=categories, register_starts_on=register_starts_on)
        record: DvRecord = cls._create_from(
            cls.Added, act, id=record_id, authority=act.by.office, sealed_details=seal(details)
        )
        return record

    def extend(
        self, act: Act, *, current: DvDetails, expires_on: date, today: date, seal: Callable[[date], str]
    ) -> None:
        """A court extends its protection order before it ends, by at most six months at a time."""
        self.check_issued_by(act)
        self.check_active()
        failures = []
        if current.category != PROTECTION_ORDER or current.expires_on is None:
            failures.append(Failure("dv-extension-not-applicable", "only a protection order is extended"))
        elif current.expires_on < today:
            failures.append(Failure("dv-extension-after-expiry", "a protection order is extended before it ends"))
        elif not current.expires_on < expires_on <= months_after(current.expires_on, EXTENSION_MONTHS):
            failures.append(
                Failure("dv-extension-length", f"extend beyond the current end by at most {EXTENSION_MONTHS} months")
            )
        if failures:
            raise InvalidInput(failures)
        self._record(self.Extended, act, sealed_extension=seal(expires_on))

    def revoke(self, act: Act, *, sealed_reason: str) -> None:
        self.check_issued_by(act)
        self.check_active()
        self._record(self.Revoked, act, sealed_reason=sealed_reason)

    def seal(self, act: Act, *, sealed_reason: str) -> None:
        self.check_issued_by(act)
        self.check_not_sealed()
        self._record(self.Sealed, act, sealed_reason=sealed_reason)

    def check_issued_by(self, act: Act) -> None:
        if act.by.office != self.authority:
            raise Forbidden([Failure("not-the-issuing-authority", "only the issuing authority may change this record")])

    def check_not_sealed(self) -> None:
        if self.sealed:
            raise WrongState([Failure("dv-record-sealed", "the record is already sealed")])

    def check_active(self) -> None:
        if self.sealed or self.revoked:
            state = "sealed" if self.sealed else "revoked"
            raise WrongState([Failure(f"dv-record-{state}", f"the record is {state}")])


class DvSubject(RegistryAggregate):
    """The records about one person (keyed hash), as version 1 kept them in the events.

    Read only, for records added before the key store indexed subjects itself: a per-person aggregate in the event log
    would link the person to the register for ever, even after every record of theirs is sealed.
    """

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
