"""DvRegister: the domestic-violence records of courts and police, and what an approved inquiry may disclose."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from eventsourcing.domain import BaseAggregate
from eventsourcing.utils import EnvType

from registry.common.actors import Act
from registry.common.application import CommandResult, RegistryApplication
from registry.common.clock import local_date
from registry.common.identity import Person
from registry.common.ids import PersonKeys
from registry.common.sealing import KeyStore, Unreadable, seal, unseal
from registry.dv_records.record import POLICE_WARNING, STANDARD_CATEGORIES, DvDetails, DvRecord, DvSubject


@dataclass(frozen=True)
class Disclosable:
    """All an applicant may learn of one record: its category and the year it was issued."""

    category: str
    year: int


class DvRegister(RegistryApplication):
    """Records are added, revoked and sealed only by their issuing authority (role dv-source)."""

    name = "dv_records"

    def __init__(
        self, env: EnvType | None = None, *, person_keys: PersonKeys, keys: KeyStore, police_warnings: bool = False
    ) -> None:
        super().__init__(env)
        self.person_keys = person_keys
        self.keys = keys
        self.categories = (*STANDARD_CATEGORIES, POLICE_WARNING) if police_warnings else STANDARD_CATEGORIES

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
        subject_ref = self.person_keys.ref(subject.document_key)
        details = DvDetails(category, document_number, issued_on, expires_on, subject.name, subject.document_key)

        def decide() -> Sequence[BaseAggregate[UUID]]:
            record_id = DvRecord.new_id()
            key = self.keys.create(str(record_id))
            record = DvRecord.add(
                act, record_id=record_id, subject_ref=subject_ref, details=details, categories=self.categories,
                today=local_date(act.at), seal=lambda d: seal(key, d.as_fields(), str(record_id)),
            )  # fmt: skip
            index = self.find(DvSubject.id_for(subject_ref), DvSubject) or DvSubject.open(act, subject_ref)
            index.add_record(act, record.id)
            return [record, index]

        return self.execute(act, decide, request_fingerprint=request)

    def revoke(self, act: Act, record_id: UUID, *, reason: str, request: str = "") -> CommandResult:
        def decide() -> Sequence[BaseAggregate[UUID]]:
            record = self.load(record_id, DvRecord)
            record.revoke(act, reason=reason)
            return [record]

        return self.execute(act, decide, request_fingerprint=request)

    def seal(self, act: Act, record_id: UUID, *, reason: str, request: str = "") -> CommandResult:
        """Destroy the record's key first (so a failure can never leave it readable), then record the sealing."""
        record = self.load(record_id, DvRecord)
        record.check_issued_by(act)
        self.keys.destroy(str(record_id))

        def decide() -> Sequence[BaseAggregate[UUID]]:
            fresh = self.load(record_id, DvRecord)
            fresh.seal(act, reason=reason)
            return [fresh]

        return self.execute(act, decide, request_fingerprint=request)

    def record(self, record_id: UUID) -> DvRecord:
        return self.load(record_id, DvRecord)

    def details(self, record: DvRecord) -> DvDetails:
        """The unsealed details (Unreadable once sealed)."""
        fields = unseal(self.keys.get(str(record.id)), record.sealed_details, str(record.id))
        return DvDetails.from_fields(fields)

    def disclosable(self, subject_ref: str, on: date) -> list[Disclosable]:
        """Records in force on a day: not revoked, not sealed, not expired; category and year only."""
        subject = self.find(DvSubject.id_for(subject_ref), DvSubject)
        found = []
        for record_id in subject.record_ids if subject else []:
            record = self.load(record_id, DvRecord)
            if record.revoked or record.sealed:
                continue
            try:
                details = self.details(record)
            except Unreadable:
                continue
            if details.is_in_force_on(on):
                found.append(Disclosable(details.category, details.issued_on.year))
        return sorted(found, key=lambda d: (d.year, d.category))
