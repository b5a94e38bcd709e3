"""Which persons an event concerns, as keyed hashes: helper state shared by read models."""

from __future__ import annotations

from typing import Any

from projections.store import Cursor
from registry.common.identity import Person
from registry.common.ids import PersonKeys


class PersonIndex:
    """Remembers the person references of each aggregate, so that any later event can name them."""

    def __init__(self, keys: PersonKeys, table: str) -> None:
        self.keys = keys
        self.table = table

    def schema(self) -> str:
        return (
            f"CREATE TABLE IF NOT EXISTS {self.table} (aggregate_id TEXT NOT NULL, person_ref TEXT NOT NULL, "
            f"role TEXT NOT NULL, PRIMARY KEY (aggregate_id, person_ref))"
        )

    def refs_of(self, cursor: Cursor, aggregate_id: str) -> dict[str, str]:
        """The references of an aggregate's persons by role (e.g. {"a": ..., "b": ...})."""
        cursor.execute(f"SELECT role, person_ref FROM {self.table} WHERE aggregate_id = ?", (aggregate_id,))
        return {role: ref for role, ref in cursor.fetchall()}

    def learn(self, cursor: Cursor, event: Any) -> dict[str, str]:
        """Record the persons an event introduces; return the references of the persons its aggregate concerns."""
        aggregate_id = str(event.originator_id)
        introduced: dict[str, str] = {}
        for role in ("a", "b"):
            party = getattr(event, f"party_{role}", None)
            if isinstance(party, Person):
                introduced[role] = self.keys.ref(party.document_key)
        if isinstance(getattr(event, "person_ref", None), str):
            introduced["self"] = event.person_ref
        if introduced:
            cursor.executemany(
                f"INSERT INTO {self.table} (aggregate_id, person_ref, role) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                [(aggregate_id, ref, role) for role, ref in introduced.items()],
            )
            return introduced
        marriage_id = getattr(event, "marriage_id", None)
        if event.originator_version == 1 and marriage_id is not None:  # a divorce names the marriage's parties
            parties = self.refs_of(cursor, str(marriage_id))
            cursor.executemany(
                f"INSERT INTO {self.table} (aggregate_id, person_ref, role) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                [(aggregate_id, ref, role) for role, ref in parties.items()],
            )
            return parties
        return self.refs_of(cursor, aggregate_id)
