"""Marital status index: person (keyed hash) -> status, spouse, certificate, since when."""

from __future__ import annotations

from datetime import date
from typing import ClassVar
from uuid import UUID

from projections.base import Batch, Projection, event_type
from projections.persons import PersonIndex
from projections.store import Cursor, rows_where_in
from registry.common.ids import PersonKeys
from registry.marriage.person_status import MarriageEntry, current_marriage, derive_status, status_since

MARRIED = ("marriage:PersonStatus", "Married")
MARRIAGE_ENDED = ("marriage:PersonStatus", "MarriageEnded")
REGISTERED = ("marriage:Marriage", "Registered")
REISSUED = ("marriage:Marriage", "CertificateReissued")
OPENED = ("marriage:PersonStatus", "Opened")


class MaritalStatusIndex(Projection):
    """Serves status queries; the registration check itself keeps using the PersonStatus aggregates."""

    name = "marital_status"
    follows: ClassVar[tuple[str, ...]] = ("marriage",)
    reads: ClassVar[tuple[str, ...] | None] = ("marriage:Marriage", "marriage:PersonStatus")
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

    def apply(self, cursor: Cursor, application: str, batch: Batch) -> None:
        refs_per_event = self.persons.learn(cursor, [event for _, event in batch])
        touched, opened_here = set(), set()
        for (_, event), refs in zip(batch, refs_per_event, strict=True):
            if event_type(event) in (MARRIED, MARRIAGE_ENDED):
                touched.add(refs["self"])
            elif event_type(event) == REISSUED:
                touched.add(refs[event.party])
            elif event_type(event) == OPENED:
                opened_here.add(refs["self"])
        # A person's marriages are written by the events of their status, all after it opened: none to read for
        # a status opened in this batch.
        marriages = self._marriages_of(cursor, touched - opened_here)
        created = created_in_batch(batch, refs_per_event)
        certificates: dict[tuple[str, str], str] = {}
        changed: set[tuple[str, str]] = set()
        positions: dict[str, int] = {}
        for (position, event), refs in zip(batch, refs_per_event, strict=True):
            kind, marriage_id = event_type(event), str(event.originator_id)
            if kind == REGISTERED:
                certificates[(marriage_id, refs["a"])] = event.certificate_a
                certificates[(marriage_id, refs["b"])] = event.certificate_b
            elif kind == REISSUED:
                certificates[(marriage_id, refs[event.party])] = event.certificate
                positions[refs[event.party]] = position
            elif kind == MARRIED:
                entry = MarriageEntry(event.marriage_id, event.since)
                marriages.setdefault(refs["self"], {})[str(event.marriage_id)] = entry
                changed.add((refs["self"], str(event.marriage_id)))
                positions[refs["self"]] = position
            elif kind == MARRIAGE_ENDED:
                entry = marriages[refs["self"]][str(event.marriage_id)]
                entry.ended_how, entry.ended_on = event.how, event.on
                changed.add((refs["self"], str(event.marriage_id)))
                positions[refs["self"]] = position
        self._write_certificates(cursor, certificates)
        self._write_marriages(cursor, marriages, changed)
        self._write_statuses(cursor, marriages, positions, certificates, created)

    def _marriages_of(self, cursor: Cursor, refs: set[str]) -> dict[str, dict[str, MarriageEntry]]:
        found: dict[str, dict[str, MarriageEntry]] = {}
        select = (
            f"SELECT person_ref, marriage_id, since, ended_how, ended_on FROM {self.table('marital_status_marriages')}"
        )
        for ref, marriage_id, since, how, on in rows_where_in(cursor, select, "person_ref", refs):
            entry = MarriageEntry(
                UUID(marriage_id), date.fromisoformat(since), how, date.fromisoformat(on) if on else None
            )
            found.setdefault(ref, {})[marriage_id] = entry
        return found

    def _write_certificates(self, cursor: Cursor, certificates: dict[tuple[str, str], str]) -> None:
        cursor.insert_rows(
            self.table("marital_status_certificates"),
            ("marriage_id", "person_ref", "certificate"),
            [(m, ref, certificate) for (m, ref), certificate in certificates.items()],
            "ON CONFLICT (marriage_id, person_ref) DO UPDATE SET certificate = excluded.certificate",
        )

    def _write_marriages(
        self, cursor: Cursor, marriages: dict[str, dict[str, MarriageEntry]], changed: set[tuple[str, str]]
    ) -> None:
        rows = []
        for ref, marriage_id in sorted(changed):
            entry = marriages[ref][marriage_id]
            ended_on = entry.ended_on.isoformat() if entry.ended_on else None
            rows.append((ref, marriage_id, entry.since.isoformat(), entry.ended_how, ended_on))
        cursor.insert_rows(
            self.table("marital_status_marriages"),
            ("person_ref", "marriage_id", "since", "ended_how", "ended_on"),
            rows,
            "ON CONFLICT (person_ref, marriage_id) DO UPDATE SET "
            "ended_how = excluded.ended_how, ended_on = excluded.ended_on",
        )

    def _write_statuses(
        self,
        cursor: Cursor,
        marriages: dict[str, dict[str, MarriageEntry]],
        positions: dict[str, int],
        certificates: dict[tuple[str, str], str],
        created: dict[str, dict[str, str]],
    ) -> None:
        """Recompute each touched person's row with the same rule the PersonStatus aggregate uses.

        The persons and certificates of a marriage created in this batch are all this batch's: not read back.
        """
        if not positions:
            return
        entries = {ref: list(marriages.get(ref, {}).values()) for ref in positions}
        current = {ref: current_marriage(found) for ref, found in entries.items()}
        running = {str(entry.marriage_id) for entry in current.values() if entry is not None}
        older = running - created.keys()
        parties = {**self.persons.refs_of_all(cursor, older), **{m: created[m] for m in running - older}}
        certificates = {**self._certificates_of(cursor, older), **certificates}
        rows = []
        for ref, position in positions.items():
            entry = current[ref]
            marriage_id = str(entry.marriage_id) if entry else None
            spouse = next((r for r in parties.get(marriage_id or "", {}).values() if r != ref), None)
            since = status_since(entries[ref])
            rows.append((
                ref, derive_status(entries[ref]), since.isoformat() if since else None, marriage_id, spouse,
                certificates.get((marriage_id, ref)) if marriage_id else None, position,
            ))  # fmt: skip
        cursor.insert_rows(
            self.table("marital_status"),
            ("person_ref", "status", "since", "marriage_id", "spouse_ref", "certificate", "position"),
            rows,
            "ON CONFLICT (person_ref) DO UPDATE SET status = excluded.status, since = excluded.since, "
            "marriage_id = excluded.marriage_id, spouse_ref = excluded.spouse_ref, "
            "certificate = excluded.certificate, position = excluded.position",
        )

    def _certificates_of(self, cursor: Cursor, marriage_ids: set[str]) -> dict[tuple[str, str], str]:
        select = f"SELECT marriage_id, person_ref, certificate FROM {self.table('marital_status_certificates')}"
        return {
            (m, ref): certificate for m, ref, certificate in rows_where_in(cursor, select, "marriage_id", marriage_ids)
        }


def created_in_batch(batch: Batch, refs_per_event: list[dict[str, str]]) -> dict[str, dict[str, str]]:
    """The persons of each aggregate whose first event is in this batch, as its person rows hold them now (every
    one of those rows was written by this batch's events, merged as PersonIndex.learn merges them)."""
    created: dict[str, dict[str, str]] = {}
    for (_, event), refs in zip(batch, refs_per_event, strict=True):
        aggregate_id = str(event.originator_id)
        if event.originator_version == 1:
            created[aggregate_id] = {}
        if aggregate_id in created:
            created[aggregate_id].update(refs)
    return created
