"""The audit trail: one row per event, who did what, when, on which request, and whom it concerned."""

from __future__ import annotations

from typing import ClassVar

from projections.base import Batch, Projection, event_type
from projections.persons import PersonIndex
from projections.store import Cursor, ViewStore
from registry.common.ids import PersonKeys
from registry.system import APPLICATION_NAMES

DV_RECORD_SEALED = ("dv_records:DvRecord", "Sealed")
PERSONS_TABLE = "audit_trail_persons"  # the live table (a rebuild's has the suffix)
TRAIL_COLUMNS = (
    "application", "position", "recorded_at", "aggregate_type", "aggregate_id", "version", "event_type", "actor_id",
    "actor_role", "actor_office", "request_id", "reason",
)  # fmt: skip


class AuditTrail(Projection):
    """Rows keyed by (application, position); person references are keyed hashes, never identity numbers."""

    name = "audit_trail"
    follows: ClassVar[tuple[str, ...]] = APPLICATION_NAMES
    tables: ClassVar[tuple[str, ...]] = ("audit_trail", "audit_trail_persons", "audit_trail_subjects")

    def __init__(self, keys: PersonKeys, suffix: str = "") -> None:
        super().__init__(suffix)
        self.persons = PersonIndex(keys, self.table("audit_trail_subjects"))

    def schema(self) -> list[str]:
        trail, persons = self.table("audit_trail"), self.table("audit_trail_persons")
        return [
            f"CREATE TABLE IF NOT EXISTS {trail} (application TEXT NOT NULL, position BIGINT NOT NULL, "
            "recorded_at TEXT NOT NULL, aggregate_type TEXT NOT NULL, aggregate_id TEXT NOT NULL, "
            "version BIGINT NOT NULL, event_type TEXT NOT NULL, actor_id TEXT, actor_role TEXT, actor_office TEXT, "
            "request_id TEXT, reason TEXT, PRIMARY KEY (application, position))",
            f"CREATE INDEX IF NOT EXISTS {trail}_actor ON {trail} (actor_id, recorded_at)",
            f"CREATE INDEX IF NOT EXISTS {trail}_office ON {trail} (actor_office, recorded_at)",
            f"CREATE INDEX IF NOT EXISTS {trail}_aggregate ON {trail} (aggregate_id)",
            f"CREATE TABLE IF NOT EXISTS {persons} (application TEXT NOT NULL, position BIGINT NOT NULL, "
            "person_ref TEXT NOT NULL, PRIMARY KEY (application, position, person_ref))",
            f"CREATE INDEX IF NOT EXISTS {persons}_person ON {persons} (person_ref, application, position)",
            self.persons.schema(),
        ]

    def indexes_for_reads(self) -> tuple[str, ...]:
        """Who did what, what an office did and whom a row concerns are asked by queries only (apply's unlinking uses
        the aggregate's index and the persons' key, which is in log order so that a rebuild appends to it)."""
        trail, persons = self.table("audit_trail"), self.table("audit_trail_persons")
        return (f"{trail}_actor", f"{trail}_office", f"{persons}_person")

    def apply(self, cursor: Cursor, application: str, batch: Batch) -> None:
        rows, person_rows = [], []
        refs_per_event = self.persons.learn(cursor, [event for _, event in batch])
        for (position, event), refs in zip(batch, refs_per_event, strict=True):
            aggregate, name = event_type(event)
            actor = getattr(event, "actor", None)
            rows.append((
                application, position, event.timestamp.isoformat(), aggregate, str(event.originator_id),
                event.originator_version, f"{aggregate}.{name}", getattr(actor, "id", None),
                getattr(actor, "role", None), getattr(actor, "office", None), getattr(event, "request_id", None),
                getattr(event, "reason", None),
            ))  # fmt: skip
            person_rows += [(application, position, ref) for ref in sorted(set(refs.values()))]
        cursor.insert_rows(self.table("audit_trail"), TRAIL_COLUMNS, rows)
        cursor.insert_rows(self.table("audit_trail_persons"), ("application", "position", "person_ref"), person_rows)
        sealed = [str(event.originator_id) for _, event in batch if event_type(event) == DV_RECORD_SEALED]
        if sealed:
            self._unlink(cursor, application, sealed)

    def _unlink(self, cursor: Cursor, application: str, aggregate_ids: list[str]) -> None:
        """After a DV record is sealed nothing here links it to a person: its person rows and reasons go."""
        rows = [(application, application, aggregate_id) for aggregate_id in aggregate_ids]
        cursor.executemany(unlinking_persons(self.table("audit_trail"), self.table("audit_trail_persons")), rows)
        cursor.executemany(
            f"UPDATE {self.table('audit_trail')} SET reason = NULL WHERE application = ? AND aggregate_id = ?",
            [(application, aggregate_id) for aggregate_id in aggregate_ids],
        )
        self.persons.forget(cursor, aggregate_ids)


def unlinking_persons(trail: str, persons: str) -> str:
    """The statement that deletes the person rows of an aggregate's events (parameters: application, application,
    aggregate id); it finds them by the persons' key, which leads with (application, position)."""
    return (
        f"DELETE FROM {persons} WHERE application = ? AND position IN "
        f"(SELECT position FROM {trail} WHERE application = ? AND aggregate_id = ?)"
    )


# The name of the persons table's key from before commit 2668e4a, if it still has it (no row if no table).
SELECT_PERSON_FIRST_KEY_NAME = (
    f"SELECT conname FROM pg_constraint WHERE conrelid = to_regclass('{PERSONS_TABLE}') AND contype = 'p' "
    "AND starts_with(pg_get_constraintdef(oid), 'PRIMARY KEY (person_ref')"
)


def rekey_persons_by_position(store: ViewStore) -> bool:
    """Give a live `audit_trail_persons` keyed person first (as created before commit 2668e4a) the key (application,
    position, person_ref); True if it changed it.

    Why: with the person first, every row a rebuild writes lands at a random place in the key, which outgrows
    PostgreSQL's buffers near a million events, and unlinking a sealed DV record, which looks its rows up by
    position, reads the whole key. PostgreSQL only (SQLite cannot change a table's key: its next rebuild of the audit
    trail does it). Safe to repeat: a table already keyed by position is left as it is, without a lock. The table is
    locked while its key is rebuilt, so run the migration that re-keys it before serving (`registry db migrate`)."""
    if not store.is_postgres or not store.query(SELECT_PERSON_FIRST_KEY_NAME):
        return False  # nothing to change: no lock, so a live registry's readers are not queued behind a migration
    with store.transaction() as cursor:
        # Locked before its key is read again: a rebuild's swap that replaces the table meanwhile is waited for, not
        # raced.
        cursor.execute(f"LOCK TABLE {PERSONS_TABLE} IN ACCESS EXCLUSIVE MODE")
        cursor.execute(SELECT_PERSON_FIRST_KEY_NAME)
        old = cursor.fetchone()
        if old is not None:
            name = '"' + str(old[0]).replace('"', '""') + '"'  # quoted as an identifier, whatever the catalog holds
            cursor.execute(
                f"ALTER TABLE {PERSONS_TABLE} DROP CONSTRAINT {name}, "
                "ADD PRIMARY KEY (application, position, person_ref)"
            )
    return old is not None
