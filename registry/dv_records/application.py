"""DvRegister: the domestic-violence records of courts and police, and what an approved inquiry may disclose."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from eventsourcing.domain import BaseAggregate
from eventsourcing.utils import EnvType

from registry.common.actors import Act
from registry.common.application import CommandResult, RegistryApplication, check_version
from registry.common.clock import local_date
from registry.common.errors import Failure, InvalidInput, NotFound
from registry.common.identity import Person, identify
from registry.common.ids import PersonKeys
from registry.common.sealing import DataKeys, Unreadable, seal, unseal
from registry.dv_records.record import (
    POLICE_WARNING,
    REGISTER_STARTS_ON,
    STANDARD_CATEGORIES,
    DvDetails,
    DvRecord,
    DvSubject,
    check_details,
)


@dataclass(frozen=True)
class Disclosable:
    """All an applicant may learn of one record: its category and the year it was issued (and, for the inquiry
    desk alone, which record it is, so that the result can be sealed under that record's key)."""

    record_id: UUID
    category: str
    year: int


def reason_context(record_id: UUID) -> str:
    return f"{record_id}/reason"


def extension_context(record_id: UUID, number: int) -> str:
    return f"{record_id}/extension/{number}"


class DvRegister(RegistryApplication):
    """Records are added, extended, revoked and sealed only by their issuing authority (role dv-source)."""

    name = "dv_records"

    def __init__(
        self,
        env: EnvType | None = None,
        *,
        person_keys: PersonKeys,
        keys: DataKeys,
        police_warnings: bool = False,
        register_starts_on: date = REGISTER_STARTS_ON,
    ) -> None:
        super().__init__(env)
        self.person_keys = person_keys
        self.keys = keys
        self.categories = (*STANDARD_CATEGORIES, POLICE_WARNING) if police_warnings else STANDARD_CATEGORIES
        self.register_starts_on = register_starts_on

    def record(self, record_id: UUID) -> DvRecord:
        return self.load(record_id, DvRecord)

    def details(self, record: DvRecord) -> DvDetails:
        """The unsealed details, with any extension applied (Unreadable once sealed)."""
        key = self.keys.get(str(record.id))
        details = DvDetails.from_fields(unseal(key, record.sealed_details, str(record.id)))
        for number, sealed in enumerate(record.extensions, start=1):
            extension = unseal(key, sealed, extension_context(record.id, number))
            details = details.extended_to(date.fromisoformat(extension["expires_on"]))
        return details

    @staticmethod
    def identify_subject(
        *, document_type: str, document_number: str, nationality: str, name: str, today: date
    ) -> Person:
        """Whom a record would be about: DV records are kept for resident identity numbers only."""
        if document_type != "resident-id":
            raise InvalidInput([Failure("dv-subject-document", "DV records are kept for resident identity numbers")])
        return identify(
            document_type=document_type, document_number=document_number, nationality=nationality, name=name,
            birth_date=None, sex=None, today=today,
        )  # fmt: skip

    def add_record(
        self,
        act: Act,
        *,
        subject: Person,
        category: str,
        document_number: str,
        issued_on: date,
        expires_on: date | None,
        request: str = "",
    ) -> CommandResult:
        """The record's details, whom it is about included, are sealed under a data key of its own; the key store
        alone knows (under its current key epoch) which records concern which person."""
        subject_ref = self.person_keys.ref(subject.document_key)
        details = DvDetails(
            category, document_number, issued_on, expires_on, subject.name, subject.document_key, subject_ref
        )
        today = local_date(act.at)

        def decide() -> Sequence[BaseAggregate[UUID]]:
            check_details(details, today=today, categories=self.categories, register_starts_on=self.register_starts_on)
            record_id = DvRecord.new_id()
            key = self.keys.create(str(record_id), owner=str(record_id), subject=subject_ref)
            record = DvRecord.add(
                act, record_id=record_id, details=details, categories=self.categories, today=today,
                seal=lambda d: seal(key, d.as_fields(), str(record_id)), register_starts_on=self.register_starts_on,
            )  # fmt: skip
            return [record]

        return self.execute(act, decide, request_fingerprint=request)

    def extend(
        self, act: Act, record_id: UUID, *, expires_on: date, expected_version: int | None = None, request: str = ""
    ) -> CommandResult:
        """A court extends its protection order (Anti-DV Law art 30)."""

        def decide() -> Sequence[BaseAggregate[UUID]]:
            record = self.load(record_id, DvRecord)
            check_version(record, expected_version)
            record.check_issued_by(act)
            current = self.details(record)  # Unreadable once sealed
            key = self.keys.get(str(record_id))
            if key is None:
                raise Unreadable(detail="the record's key was destroyed")
            context = extension_context(record_id, len(record.extensions) + 1)
            record.extend(
                act, current=current, expires_on=expires_on, today=local_date(act.at),
                seal=lambda day: seal(key, {"expires_on": day.isoformat()}, context),
            )  # fmt: skip
            return [record]

        return self.execute(act, decide, request_fingerprint=request)

    def revoke(
        self, act: Act, record_id: UUID, *, reason: str, expected_version: int | None = None, request: str = ""
    ) -> CommandResult:
        """Revoke (overturned): never disclosed again, also not in earlier inquiry results read again."""
        record = self.load(record_id, DvRecord)
        check_version(record, expected_version)  # before any key share is destroyed
        key = self.keys.get(str(record_id))
        sealed_reason = seal(key, {"reason": reason}, reason_context(record_id)) if key else ""
        if not (record.revoked or record.sealed):
            record.check_issued_by(act)
            self.keys.shred(str(record_id), shares_only=True)

        def decide() -> Sequence[BaseAggregate[UUID]]:
            fresh = self.load(record_id, DvRecord)
            check_version(fresh, expected_version)
            fresh.revoke(act, sealed_reason=sealed_reason)
            return [fresh]

        return self.execute(act, decide, request_fingerprint=request)

    def seal(
        self, act: Act, record_id: UUID, *, reason: str, expected_version: int | None = None, request: str = ""
    ) -> CommandResult:
        """Destroy the record's key first (so a failure can never leave it readable), then record the sealing.

        The reason is sealed under the record's key just before the key is destroyed: it is sealed with the record.
        """
        record = self.load(record_id, DvRecord)
        check_version(record, expected_version)  # before the key is destroyed
        sealed_reason = ""
        if not record.sealed:
            record.check_issued_by(act)
            key = self.keys.get(str(record_id))
            sealed_reason = seal(key, {"reason": reason}, reason_context(record_id)) if key else ""
            self.keys.shred(str(record_id))

        def decide() -> Sequence[BaseAggregate[UUID]]:
            fresh = self.load(record_id, DvRecord)
            check_version(fresh, expected_version)
            fresh.seal(act, sealed_reason=sealed_reason)
            return [fresh]

        return self.execute(act, decide, request_fingerprint=request)

    def disclosable(self, subject_ref: str, on: date) -> list[Disclosable]:
        """Every record about the person issued from the register's start up to the day, in force or expired (a
        DV history); revoked and sealed records never. Category and year only."""
        found = []
        for record_id in self._records_about(subject_ref):
            try:
                record = self.load(record_id, DvRecord)
                if record.revoked or record.sealed:
                    continue
                details = self.details(record)
            except (NotFound, Unreadable):  # a key made for a record never saved, or a record sealed meanwhile
                continue
            if self.register_starts_on <= details.issued_on <= on:
                found.append(Disclosable(record.id, details.category, details.issued_on.year))
        return sorted(found, key=lambda d: (d.year, d.category, str(d.record_id)))

    def _records_about(self, subject_ref: str) -> list[UUID]:
        indexed = {UUID(key_id) for key_id in self.keys.owned_by_subject(subject_ref)}
        legacy = self.find(DvSubject.id_for(subject_ref), DvSubject)
        return sorted(indexed | set(legacy.record_ids if legacy else []), key=str)
