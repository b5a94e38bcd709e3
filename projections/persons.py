"""Which persons an event concerns, as keyed hashes: helper state shared by read models."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from projections.store import Cursor, rows_where_in
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

    def refs_of_all(self, cursor: Cursor, aggregate_ids: Iterable[str]) -> dict[str, dict[str, str]]:
        """The references of the persons of many aggregates, by role (e.g. {"a": ..., "b": ...})."""
        found: dict[str, dict[str, str]] = {}
        select = f"SELECT aggregate_id, role, person_ref FROM {self.table}"
        for aggregate_id, role, ref in rows_where_in(cursor, select, "aggregate_id", aggregate_ids):
            found.setdefault(aggregate_id, {})[role] = ref
        return found

    def forget(self, cursor: Cursor, aggregate_ids: Sequence[str]) -> None:
        """Drop the persons of these aggregates (a sealed record must no longer name anyone)."""
        cursor.executemany(f"DELETE FROM {self.table} WHERE aggregate_id = ?", [(a,) for a in aggregate_ids])

    def learn(self, cursor: Cursor, events: Sequence[Any]) -> list[dict[str, str]]:
        """For each event, the persons its aggregate concerns; records the persons events introduce."""
        introduced = [self._introduced(event) for event in events]
        aggregate_ids = [str(event.originator_id) for event in events]
        sources = [self._source(event, aggregate_id) for event, aggregate_id in zip(events, aggregate_ids, strict=True)]
        introduced_here = {aggregate_id for aggregate_id, refs in zip(aggregate_ids, introduced, strict=True) if refs}
        wanted = {source for source, refs in zip(sources, introduced, strict=True) if not refs}
        known = self.refs_of_all(cursor, wanted - introduced_here)
        new_rows: list[tuple[str, str, str]] = []
        answers = []
        for aggregate_id, source, refs in zip(aggregate_ids, sources, introduced, strict=True):
            if not refs:
                refs = dict(known.get(source, {}))
                if source != aggregate_id and refs:  # a divorce takes on its marriage's parties
                    new_rows += [(aggregate_id, ref, role) for role, ref in refs.items()]
                    known[aggregate_id] = refs
            else:
                new_rows += [(aggregate_id, ref, role) for role, ref in refs.items()]
                known[aggregate_id] = {**known.get(aggregate_id, {}), **refs}
            answers.append(refs)
        cursor.insert_rows(self.table, ("aggregate_id", "person_ref", "role"), new_rows, "ON CONFLICT DO NOTHING")
        return answers

    def _introduced(self, event: Any) -> dict[str, str]:
        """Persons an event names: parties and the deceased by document, others by their keyed hash."""
        refs: dict[str, str] = {}
        for role, attribute in (("a", "party_a"), ("b", "party_b"), ("deceased", "deceased")):
            party = getattr(event, attribute, None)
            if isinstance(party, Person):
                refs[role] = self.keys.ref(party.document_key)
        for role, attribute in (("self", "person_ref"), ("applicant", "applicant_ref"), ("subject", "subject_ref")):
            value = getattr(event, attribute, None)
            if isinstance(value, str):
                refs[role] = value
        for number, value in enumerate(getattr(event, "person_refs", None) or []):  # whose records an official read
            refs[f"read-{number}"] = value
        return refs

    @staticmethod
    def _source(event: Any, aggregate_id: str) -> str:
        """Whose persons an event without its own concerns: a new divorce's marriage, else its own aggregate."""
        marriage_id = getattr(event, "marriage_id", None)
        if event.originator_version == 1 and marriage_id is not None:
            return str(marriage_id)
        return aggregate_id
