"""Marital status index: person (keyed hash) -> status, spouse, certificate, since when."""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar
from uuid import UUID

from projections.base import Projection, event_type
from projections.persons import PersonIndex
from projections.store import Cursor
from registry.common.ids import PersonKeys
from registry.marriage.person_status import MarriageEntry, current_marriage, derive_status, status_since


class MaritalStatusIndex(Projection):
    """Serves status queries; the registration check itself keeps using the PersonStatus aggregates."""

    name = "marital_status"
    follows: ClassVar[tuple[str, ...]] = ("marriage",)
    tables: ClassVar[tuple[str, ...]] = (
        "marital_status",
        "marital_status_marriages",
        "marital_status_certificates",
        "marital_status_subjects",
    )

    def __init__(self, keys: PersonKeys, suffix: str = "") -> None:
        super().__init__(suffix)
        self.persons = PersonIndex(keys, self.table("marital_status_subjects"))

    def schema(self) -> list[str]:
        return [
            f"CREATE TABLE IF NOT EXISTS {self.table('marital_status')} (person_ref TEXT PRIMARY KEY, "
            "status TEXT NOT NULL, since TEXT, marriage_id TEXT, spouse_ref TEXT, certificate TEXT, "
            "position BIGINT NOT NULL)",
            f"CREATE TABLE IF NOT EXISTS {self.table('marital_status_marriages')} (person_ref TEXT NOT NULL, "
            "marriage_id TEXT NOT NULL, since TEXT NOT NULL, ended_how TEXT, ended_on TEXT, "
            "PRIMARY KEY (person_ref, marriage_id))",
            f"CREATE TABLE IF NOT EXISTS {self.table('marital_status_certificates')} (marriage_id TEXT NOT NULL, "
            "person_ref TEXT NOT NULL, certificate TEXT NOT NULL, PRIMARY KEY (marriage_id, person_ref))",
            self.persons.schema(),
        ]

    def apply(self, cursor: Cursor, application: str, position: int, event: Any) -> None:
        aggregate, name = event_type(event)
        refs = self.persons.learn(cursor, event)
        marriage_id = str(event.originator_id)
        if aggregate == "marriage:Marriage" and name == "Registered":
            self._set_certificate(cursor, marriage_id, refs["a"], event.certificate_a)
            self._set_certificate(cursor, marriage_id, refs["b"], event.certificate_b)
        elif aggregate == "marriage:Marriage" and name == "CertificateReissued":
            self._set_certificate(cursor, marriage_id, refs[event.party], event.certificate)
            self._refresh(cursor, refs[event.party], position)
        elif aggregate == "marriage:PersonStatus" and name == "Married":
            cursor.execute(
                f"INSERT INTO {self.table('marital_status_marriages')} (person_ref, marriage_id, since) "
                "VALUES (?, ?, ?)",
                (refs["self"], str(event.marriage_id), event.since.isoformat()),
            )
            self._refresh(cursor, refs["self"], position)
        elif aggregate == "marriage:PersonStatus" and name == "MarriageEnded":
            cursor.execute(
                f"UPDATE {self.table('marital_status_marriages')} SET ended_how = ?, ended_on = ? "
                "WHERE person_ref = ? AND marriage_id = ?",
                (event.how, event.on.isoformat(), refs["self"], str(event.marriage_id)),
            )
            self._refresh(cursor, refs["self"], position)

    def _set_certificate(self, cursor: Cursor, marriage_id: str, ref: str, certificate: str) -> None:
        cursor.execute(
            f"INSERT INTO {self.table('marital_status_certificates')} (marriage_id, person_ref, certificate) "
            "VALUES (?, ?, ?) ON CONFLICT (marriage_id, person_ref) DO UPDATE SET certificate = excluded.certificate",
            (marriage_id, ref, certificate),
        )

    def _refresh(self, cursor: Cursor, ref: str, position: int) -> None:
        """Recompute the person's row with the same rule the PersonStatus aggregate uses."""
        cursor.execute(
            f"SELECT marriage_id, since, ended_how, ended_on FROM {self.table('marital_status_marriages')} "
            "WHERE person_ref = ?",
            (ref,),
        )
        entries = [
            MarriageEntry(UUID(m), date.fromisoformat(since), how, date.fromisoformat(on) if on else None)
            for m, since, how, on in cursor.fetchall()
        ]
        current = current_marriage(entries)
        spouse_ref = certificate = None
        if current is not None:
            parties = self.persons.refs_of(cursor, str(current.marriage_id))
            spouse_ref = next((r for role, r in parties.items() if r != ref and role in ("a", "b")), None)
            cursor.execute(
                f"SELECT certificate FROM {self.table('marital_status_certificates')} "
                "WHERE marriage_id = ? AND person_ref = ?",
                (str(current.marriage_id), ref),
            )
            row = cursor.fetchone()
            certificate = row[0] if row else None
        since = status_since(entries)
        cursor.execute(
            f"INSERT INTO {self.table('marital_status')} (person_ref, status, since, marriage_id, spouse_ref, "
            "certificate, position) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (person_ref) DO UPDATE SET "
            "status = excluded.status, since = excluded.since, marriage_id = excluded.marriage_id, "
            "spouse_ref = excluded.spouse_ref, certificate = excluded.certificate, position = excluded.position",
            (
                ref,
                derive_status(entries),
                since.isoformat() if since else None,
                str(current.marriage_id) if current else None,
                spouse_ref,
                certificate,
                position,
            ),
        )
