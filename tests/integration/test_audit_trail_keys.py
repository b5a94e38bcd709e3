"""The audit trail's person rows are keyed by position (application, position, person_ref): a rebuild appends to the
key, and unlinking a sealed DV record finds its rows through the key; the search by person has an index of its own,
which a rebuild builds after its load. `registry db migrate` re-keys a table from before, on PostgreSQL."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from projections.audit_trail import PERSONS_TABLE, rekey_persons_by_position, unlinking_persons
from projections.catalog import ReadSide
from projections.store import ViewStore

BY_POSITION = ["application", "position", "person_ref"]
BY_PERSON = f"SELECT application, position FROM {PERSONS_TABLE} WHERE person_ref = ?"
A_SEALED_RECORD = ("dv_records", "dv_records", "x")


def primary_key(store: ViewStore, table: str) -> list[str]:
    """The columns of a table's primary key, in the key's order."""
    if store.is_postgres:
        return index_columns(store, "i.indrelid = to_regclass(?) AND i.indisprimary", table)
    columns = store.query(f"PRAGMA table_info({table})")  # (cid, name, type, notnull, default, pk position)
    return [row[1] for row in sorted(columns, key=lambda row: row[5]) if row[5]]


def index_columns(store: ViewStore, condition: str, name: str) -> list[str]:
    """The columns of the PostgreSQL index that `condition` picks (`name` fills its ?), in the index's order."""
    rows = store.query(
        "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
        f"AND a.attnum = ANY(i.indkey) WHERE {condition} ORDER BY array_position(i.indkey::int2[], a.attnum)",
        (name,),
    )
    return [column for (column,) in rows]


def plan(store: ViewStore, statement: str, params: tuple[str, ...]) -> str:
    """The query plan as text, with sequential scans made a last resort where the store lets us say so."""
    if store.is_postgres:
        with store.transaction() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {statement}", params)
            return "\n".join(row[0] for row in cursor.fetchall())
    return "\n".join(str(row[-1]) for row in store.query(f"EXPLAIN QUERY PLAN {statement}", params))


def leading_columns_of_the_index_unlinking_uses(store: ViewStore) -> list[str]:
    """The first two columns of the index through which unlinking a sealed record reaches the person rows ([] when
    it scans the table)."""
    steps = plan(store, unlinking_persons("audit_trail", PERSONS_TABLE), A_SEALED_RECORD)
    if not store.is_postgres:  # e.g. "SEARCH audit_trail_persons USING INDEX sqlite_autoindex_... (application=? AND"
        line = next((line for line in steps.splitlines() if line.startswith(f"SEARCH {PERSONS_TABLE} ")), "")
        return [term.split("=")[0] for term in line.partition("(")[2].rstrip(")").split(" AND ")][:2]
    line = next((line for line in steps.splitlines() if f" on {PERSONS_TABLE} " in line and " using " in line), "")
    if not line:
        return []
    index = line.split(" using ")[1].split()[0]  # e.g. "Index Scan using audit_trail_persons_pkey on audit_trail_..."
    return index_columns(store, "i.indexrelid = to_regclass(?)", index)[:2]


def old_shaped_persons_table(cursor: Any, table: str, key_name: str) -> None:
    """A person table as created before it was keyed by position (person first)."""
    cursor.execute(
        f"CREATE TABLE {table} (application TEXT NOT NULL, position BIGINT NOT NULL, person_ref TEXT NOT NULL, "
        f"CONSTRAINT {key_name} PRIMARY KEY (person_ref, application, position))"
    )


def test_the_audit_trails_person_rows_are_keyed_by_position_after_migrating_and_after_a_rebuild(
    read_side: ReadSide,
) -> None:
    assert primary_key(read_side.store, PERSONS_TABLE) == BY_POSITION
    read_side.rebuild("audit_trail")
    assert primary_key(read_side.store, PERSONS_TABLE) == BY_POSITION


def test_unlinking_a_sealed_record_reaches_its_person_rows_by_position_not_by_reading_every_row(
    read_side: ReadSide,
) -> None:
    for _ in range(2):  # as migrated, then as a rebuild swapped it in
        assert leading_columns_of_the_index_unlinking_uses(read_side.store) == ["application", "position"]
        read_side.rebuild("audit_trail")


def test_a_search_by_person_uses_an_index_that_leads_with_the_person(read_side: ReadSide) -> None:
    for _ in range(2):
        steps = plan(read_side.store, BY_PERSON, ("x",))
        assert f"{PERSONS_TABLE}_person" in steps, steps
        read_side.rebuild("audit_trail")


def test_migrating_rekeys_a_persons_table_from_before_by_position_and_keeps_its_rows(read_side: ReadSide) -> None:
    """PostgreSQL re-keys the table in place; SQLite, which cannot change a table's key, leaves it to a rebuild."""
    store = read_side.store
    rows = [("marriage", position, f"ref-{position % 3}") for position in range(1, 7)]
    with store.transaction() as cursor:
        cursor.execute(f"DROP TABLE {PERSONS_TABLE}")
        old_shaped_persons_table(cursor, PERSONS_TABLE, f"{PERSONS_TABLE}__rebuild_pkey1")  # as a swap names it
        cursor.executemany(f"INSERT INTO {PERSONS_TABLE} VALUES (?, ?, ?)", rows)
    read_side.migrate()
    assert rekey_persons_by_position(store) is False  # a second migration finds nothing to do
    expected = BY_POSITION if store.is_postgres else ["person_ref", "application", "position"]
    assert primary_key(store, PERSONS_TABLE) == expected
    assert sorted(store.query(f"SELECT application, position, person_ref FROM {PERSONS_TABLE}")) == rows
    assert f"{PERSONS_TABLE}_person" in plan(store, BY_PERSON, ("x",))


def test_migrating_waits_for_a_rebuilds_swap_of_the_persons_table_and_rekeys_the_table_swapped_in(
    read_side: ReadSide,
) -> None:
    store = read_side.store
    if not store.is_postgres:
        pytest.skip("SQLite leaves the key to the next rebuild")
    with store.transaction() as cursor:
        cursor.execute(f"DROP TABLE {PERSONS_TABLE}")
        old_shaped_persons_table(cursor, PERSONS_TABLE, "persons_before")
        old_shaped_persons_table(cursor, f"{PERSONS_TABLE}__rebuild", "persons_rebuilt")
    with ThreadPoolExecutor(1) as migrating:
        with store.transaction() as cursor:  # a swap under way: the live table dropped, the shadow renamed in its place
            cursor.execute(f"DROP TABLE {PERSONS_TABLE}")
            cursor.execute(f"ALTER TABLE {PERSONS_TABLE}__rebuild RENAME TO {PERSONS_TABLE}")
            rekeyed = migrating.submit(rekey_persons_by_position, store)
            deadline = time.monotonic() + 10
            while not store.query("SELECT 1 FROM pg_locks WHERE NOT granted") and time.monotonic() < deadline:
                time.sleep(0.01)  # until the migration waits on the swap's lock
        assert rekeyed.result(timeout=10)
    assert primary_key(store, PERSONS_TABLE) == BY_POSITION


def test_migrating_a_persons_table_already_keyed_by_position_does_not_wait_for_its_readers(
    read_side: ReadSide,
) -> None:
    """`registry db migrate` on a live registry: a table with the right key is not locked, so a long read of the
    audit trail neither stalls the migration nor queues every later read behind it."""
    store = read_side.store
    if not store.is_postgres:
        pytest.skip("SQLite leaves the key to the next rebuild")
    with ThreadPoolExecutor(1) as migrating, store.transaction() as cursor:  # an auditor's long read holds the table
        cursor.execute(f"SELECT count(*) FROM {PERSONS_TABLE}")
        rekeyed = migrating.submit(rekey_persons_by_position, store)
        assert rekeyed.result(timeout=3) is False  # shorter than the 5 s after which the pool ends an idle transaction
    assert primary_key(store, PERSONS_TABLE) == BY_POSITION
