"""The front desk's index: which records concern a citizen, which DV inquiries wait for an office's review, and
which place names exist. The web portal and console list from it; every record is then read from its aggregate,
through the same visibility checks as the API."""

from __future__ import annotations

from typing import Any, ClassVar

from projections.base import Batch, Projection, event_type
from projections.store import Cursor
from registry.common.clock import local_date
from registry.common.identity import Person
from registry.common.ids import PersonKeys

MARRIAGE_APPLIED = ("marriage:Marriage", "Applied")
DIVORCE_FILED = ("marriage:DivorceApplication", "Filed")
INQUIRY_FILED = ("marriage:DvInquiry", "Filed")
INQUIRY_DECIDED = {("marriage:DvInquiry", "Refused"), ("marriage:DvInquiry", "Answered")}
BUNDLE_OPENED = ("deaths:BundleCase", "Opened")
CLAIM_FILED = ("burial:RewardClaim", "Filed")
NAME_PROPOSED = ("places:PlaceName", "Proposed")
NAME_RENAMED = ("places:PlaceName", "Renamed")


class FrontDeskIndex(Projection):
    """Keyed hashes only: a citizen's records are found by their person reference, never by a number.

    A DV inquiry is listed for its applicant alone (never for the person it asks about).
    """

    name = "front_desk"
    follows: ClassVar[tuple[str, ...]] = ("marriage", "dv_inquiries", "deaths", "burial", "places")
    tables: ClassVar[tuple[str, ...]] = ("front_desk_records", "front_desk_inquiries", "front_desk_places")

    def __init__(self, keys: PersonKeys, suffix: str = "") -> None:
        super().__init__(suffix)
        self.keys = keys

    def schema(self) -> list[str]:
        records, inquiries, places = (self.table(name) for name in self.tables)
        return [
            f"CREATE TABLE IF NOT EXISTS {records} (person_ref TEXT NOT NULL, kind TEXT NOT NULL, "
            "record_id TEXT NOT NULL, opened_on TEXT NOT NULL, position BIGINT NOT NULL, "
            "PRIMARY KEY (person_ref, record_id))",
            f"CREATE INDEX IF NOT EXISTS {records}_record ON {records} (record_id)",
            f"CREATE TABLE IF NOT EXISTS {inquiries} (inquiry_id TEXT PRIMARY KEY, office TEXT NOT NULL, "
            "marriage_id TEXT NOT NULL, filed_on TEXT NOT NULL, position BIGINT NOT NULL)",
            f"CREATE INDEX IF NOT EXISTS {inquiries}_office ON {inquiries} (office, filed_on)",
            f"CREATE TABLE IF NOT EXISTS {places} (place_id TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL, "
            "proposed_on TEXT NOT NULL, position BIGINT NOT NULL)",
            f"CREATE INDEX IF NOT EXISTS {places}_kind ON {places} (kind, name)",
        ]

    def apply(self, cursor: Cursor, application: str, batch: Batch) -> None:
        records: list[tuple[Any, ...]] = []
        inquiries: list[tuple[Any, ...]] = []
        decided: list[tuple[str]] = []
        places: list[tuple[Any, ...]] = []
        renamed: list[tuple[Any, ...]] = []
        parties: dict[str, list[str]] = {}  # marriage id -> the parties' references (for divorces in this batch)
        for position, event in batch:
            kind, record_id = event_type(event), str(event.originator_id)
            day = local_date(event.timestamp).isoformat()
            if kind == MARRIAGE_APPLIED:
                refs = [self._ref(event.party_a), self._ref(event.party_b)]
                parties[record_id] = refs
                records += [(ref, "marriage", record_id, day, position) for ref in refs]
            elif kind == DIVORCE_FILED:
                marriage_id = str(event.marriage_id)
                refs = parties.get(marriage_id) or self._parties(cursor, marriage_id)
                records += [(ref, "divorce", record_id, day, position) for ref in refs]
            elif kind == INQUIRY_FILED:
                records.append((event.applicant_ref, "dv-inquiry", record_id, day, position))
                inquiries.append((record_id, event.office, str(event.marriage_id), day, position))
            elif kind in INQUIRY_DECIDED:
                decided.append((record_id,))
            elif kind == BUNDLE_OPENED:
                records.append((event.applicant.person_ref, "bundle-case", record_id, day, position))
            elif kind == CLAIM_FILED:
                records.append((event.claimant.person_ref, "reward-claim", record_id, day, position))
            elif kind == NAME_PROPOSED:
                places.append((record_id, event.name, event.kind, day, position))
            elif kind == NAME_RENAMED:
                renamed.append((event.name, position, record_id))
        self._write(cursor, records, inquiries, decided, places, renamed)

    def _write(
        self,
        cursor: Cursor,
        records: list[tuple[Any, ...]],
        inquiries: list[tuple[Any, ...]],
        decided: list[tuple[str]],
        places: list[tuple[Any, ...]],
        renamed: list[tuple[Any, ...]],
    ) -> None:
        if records:
            cursor.executemany(
                f"INSERT INTO {self.table('front_desk_records')} (person_ref, kind, record_id, opened_on, position) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                records,
            )
        if inquiries:
            cursor.executemany(
                f"INSERT INTO {self.table('front_desk_inquiries')} (inquiry_id, office, marriage_id, filed_on, "
                "position) VALUES (?, ?, ?, ?, ?)",
                inquiries,
            )
        if decided:
            cursor.executemany(f"DELETE FROM {self.table('front_desk_inquiries')} WHERE inquiry_id = ?", decided)
        if places:
            cursor.executemany(
                f"INSERT INTO {self.table('front_desk_places')} (place_id, name, kind, proposed_on, position) "
                "VALUES (?, ?, ?, ?, ?)",
                places,
            )
        if renamed:
            cursor.executemany(
                f"UPDATE {self.table('front_desk_places')} SET name = ?, position = ? WHERE place_id = ?", renamed
            )

    def _ref(self, person: Person) -> str:
        return self.keys.ref(person.document_key)

    def _parties(self, cursor: Cursor, marriage_id: str) -> list[str]:
        cursor.execute(
            f"SELECT person_ref FROM {self.table('front_desk_records')} WHERE record_id = ? ORDER BY person_ref",
            (marriage_id,),
        )
        return [row[0] for row in cursor.fetchall()]
