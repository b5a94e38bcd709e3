"""The audit trail's person rows are keyed in log order: a rebuild appends to the key, and unlinking a sealed record
finds its rows through the key; the search by person has an index of its own, built after a rebuild's load."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from projections.audit_trail import key_persons_in_log_order
from projections.catalog import ReadSide
from projections.store import ViewStore

PERSONS = "audit_trail_persons"
LOG_ORDER = ["application", "position", "person_ref"]
# What `AuditTrail._unlink` runs when a DV record is sealed (one aggregate).
UNLINK = (
    "DELETE FROM audit_trail_persons WHERE application = 'dv_records' AND position IN "
    "(SELECT position FROM audit_trail WHERE application = 'dv_records' AND aggregate_id = 'x')"
)
BY_PERSON = "SELECT application, position FROM audit_trail_persons WHERE person_ref = 'x'"


def primary_key(store: ViewStore, table: str) -> list[str]:
    if store.is_postgres:
        rows = store.query(
            "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
            "AND a.attnum = ANY(i.indkey) WHERE i.indrelid = to_regclass(?) AND i.indisprimary "
            "ORDER BY array_position(i.indkey::int2[], a.attnum)",
            (table,),
        )
        return [name for (name,) in rows]
    columns = store.query(f"PRAGMA table_info({table})")  # (cid, name, type, notnull, default, pk position)
    return [row[1] for row in sorted(columns, key=lambda row: row[5]) if row[5]]


def plan(store: ViewStore, statement: str) -> str:
    """The query plan, with sequential scans made a last resort where the store lets us say so."""
    if store.is_postgres:
        with store.transaction() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {statement}")
            return "\n".join(row[0] for row in cursor.fetchall())
    return "\n".join(str(row[-1]) for row in store.query(f"EXPLAIN QUERY PLAN {statement}"))


def test_the_audit_trails_person_rows_are_keyed_in_log_order_after_migrating_and_after_a_rebuild(
    read_side: ReadSide,
) -> None:
    assert primary_key(read_side.store, PERSONS) == LOG_ORDER
    read_side.rebuild("audit_trail")
    assert primary_key(read_side.store, PERSONS) == LOG_ORDER


def test_unlinking_a_sealed_record_finds_its_person_rows_by_key_not_by_scanning_every_row(
    read_side: ReadSide,
) -> None:
    for _ in range(2):  # as migrated, then as a rebuild swapped it in
        steps = plan(read_side.store, UNLINK)
        assert "Seq Scan on audit_trail_persons" not in steps
        assert "SCAN audit_trail_persons" not in steps
        read_side.rebuild("audit_trail")


def test_a_search_by_person_uses_an_index_that_leads_with_the_person(read_side: ReadSide) -> None:
    for _ in range(2):
        steps = plan(read_side.store, BY_PERSON)
        assert "audit_trail_persons_person" in steps, steps
        read_side.rebuild("audit_trail")


def test_migrating_keys_a_persons_table_from_before_in_log_order_and_keeps_its_rows(read_side: ReadSide) -> None:
    """PostgreSQL re-keys the table in place; SQLite, which cannot change a table's key, leaves it to a rebuild."""
    store = read_side.store
    rows = [("marriage", position, f"ref-{position % 3}") for position in range(1, 7)]
    with store.transaction() as cursor:
        cursor.execute(f"DROP TABLE {PERSONS}")
        old_shaped_persons_table(cursor, PERSONS, "audit_trail_persons__rebuild_pkey1")  # as a rebuild's swap names it
        cursor.executemany(f"INSERT INTO {PERSONS} VALUES (?, ?, ?)", rows)
    read_side.migrate()
    read_side.migrate()  # a second migration finds nothing to do
    expected = LOG_ORDER if store.is_postgres else ["person_ref", "application", "position"]
    assert primary_key(store, PERSONS) == expected
    assert sorted(store.query(f"SELECT application, position, person_ref FROM {PERSONS}")) == rows
    assert "audit_trail_persons_person" in plan(store, BY_PERSON)


def old_shaped_persons_table(cursor: Any, table: str, key_name: str) -> None:
    cursor.execute(
        f"CREATE TABLE {table} (application TEXT NOT NULL, position BIGINT NOT NULL, person_ref TEXT NOT NULL, "
        f"CONSTRAINT {key_name} PRIMARY KEY (person_ref, application, position))"
    )


def test_migrating_waits_for_a_rebuilds_swap_of_the_persons_table_and_keys_the_table_swapped_in(
    read_side: ReadSide,
) -> None:
    store = read_side.store
    if not store.is_postgres:
        pytest.skip("SQLite leaves the key to the next rebuild")
    with store.transaction() as cursor:
        cursor.execute(f"DROP TABLE {PERSONS}")
        old_shaped_persons_table(cursor, PERSONS, "persons_before")
        old_shaped_persons_table(cursor, f"{PERSONS}__rebuild", "persons_rebuilt")
    migrating = ThreadPoolExecutor(1)
    with store.transaction() as cursor:  # a swap under way: the live table dropped, the shadow renamed into its place
        cursor.execute(f"DROP TABLE {PERSONS}")
        cursor.execute(f"ALTER TABLE {PERSONS}__rebuild RENAME TO {PERSONS}")
        rekeyed = migrating.submit(key_persons_in_log_order, store)
        time.sleep(0.3)  # the migration is waiting on the swap by now
    assert rekeyed.result(timeout=10)
    assert primary_key(store, PERSONS) == LOG_ORDER
