"""The read-model store's bulk writes (COPY on PostgreSQL, executemany on SQLite): same rows, same rules."""

from __future__ import annotations

import pytest

from projections.store import VALUES_ROWS, ViewStore
from registry.system import Registry

PROBE = "CREATE TABLE bulk_probe (key TEXT PRIMARY KEY, value BIGINT NOT NULL, note TEXT)"
AWKWARD_TEXT = ["tab\there", "new\nline", "back\\slash", "\\N", "", "婚姻登记", "quote ' and \" marks", None]


def probe_rows(store: ViewStore) -> list[tuple[object, ...]]:
    return sorted(store.query("SELECT key, value, note FROM bulk_probe"))


def test_bulk_inserted_rows_read_back_exactly_even_with_text_that_copy_must_escape(registry: Registry) -> None:
    store = ViewStore(registry.settings, registry.pool)
    rows = [(f"k{n}", n * 1_000_000_007, note) for n, note in enumerate(AWKWARD_TEXT)]
    with store.transaction() as cursor:
        cursor.execute(PROBE)
        cursor.insert_rows("bulk_probe", ("key", "value", "note"), rows)
        cursor.execute("SELECT count(*) FROM bulk_probe")
        assert cursor.fetchone() == (len(rows),)  # visible inside the transaction that wrote them
    assert probe_rows(store) == sorted(rows)


def test_a_bulk_upsert_updates_the_rows_it_conflicts_with_and_inserts_the_others(registry: Registry) -> None:
    store = ViewStore(registry.settings, registry.pool)
    upsert = "ON CONFLICT (key) DO UPDATE SET value = excluded.value"
    with store.transaction() as cursor:
        cursor.execute(PROBE)
        cursor.insert_rows("bulk_probe", ("key", "value", "note"), [("a", 1, "kept"), ("b", 2, None)])
    with store.transaction() as cursor:
        cursor.insert_rows("bulk_probe", ("key", "value"), [("a", 10), ("c", 30)], on_conflict=upsert)
        cursor.insert_rows("bulk_probe", ("key", "value"), [("b", 20), ("d", 40)], on_conflict=upsert)
        cursor.insert_rows("bulk_probe", ("key", "value"), [("a", 99), ("e", 50)], on_conflict="ON CONFLICT DO NOTHING")
    assert probe_rows(store) == [("a", 10, "kept"), ("b", 20, None), ("c", 30, None), ("d", 40, None), ("e", 50, None)]


def test_a_bulk_insert_that_breaks_a_key_writes_nothing_of_its_transaction(registry: Registry) -> None:
    store = ViewStore(registry.settings, registry.pool)
    with store.transaction() as cursor:
        cursor.execute(PROBE)
        cursor.insert_rows("bulk_probe", ("key", "value"), [("a", 1)])
    with pytest.raises(Exception, match=r"(?i)unique|duplicate"), store.transaction() as cursor:
        cursor.insert_rows("bulk_probe", ("key", "value"), [("b", 2)])
        cursor.insert_rows("bulk_probe", ("key", "value"), [("c", 3), ("a", 4)])
    assert probe_rows(store) == [("a", 1, None)]


def test_a_bulk_insert_of_no_rows_changes_nothing(registry: Registry) -> None:
    store = ViewStore(registry.settings, registry.pool)
    with store.transaction() as cursor:
        cursor.execute(PROBE)
        cursor.insert_rows("bulk_probe", ("key", "value"), [])
        cursor.insert_rows("bulk_probe", ("key", "value"), [], on_conflict="ON CONFLICT DO NOTHING")
    assert probe_rows(store) == []


@pytest.mark.parametrize("count", [1, VALUES_ROWS, VALUES_ROWS + 1, 700])
def test_a_bulk_upsert_of_few_rows_or_many_writes_the_same_rows(registry: Registry, count: int) -> None:
    """Few rows go as one INSERT ... VALUES, many through a staging table: the rows and the rule are the same."""
    store = ViewStore(registry.settings, registry.pool)
    upsert = "ON CONFLICT (key) DO UPDATE SET value = excluded.value, note = excluded.note"
    before = [(f"k{n}", n, "before") for n in range(0, 2 * count, 2)]  # every other key already there
    rows = [(f"k{n}", -n, AWKWARD_TEXT[n % len(AWKWARD_TEXT)]) for n in range(count)]
    with store.transaction() as cursor:
        cursor.execute(PROBE)
        cursor.insert_rows("bulk_probe", ("key", "value", "note"), before)
    with store.transaction() as cursor:
        cursor.insert_rows("bulk_probe", ("key", "value", "note"), rows, on_conflict=upsert)
    expected = {key: (key, value, note) for key, value, note in before} | {row[0]: row for row in rows}
    assert probe_rows(store) == sorted(expected.values())


def test_a_bulk_upsert_of_few_rows_creates_no_staging_table(registry: Registry) -> None:
    """A staging table is a catalog write and drop in every transaction, several times the cost of the insert."""
    if not registry.settings.uses_postgres:
        return  # SQLite upserts row by row: it stages nothing
    store = ViewStore(registry.settings, registry.pool)
    with store.transaction() as cursor:
        cursor.execute(PROBE)
        cursor.insert_rows("bulk_probe", ("key", "value"), [("a", 1), ("b", 2)], on_conflict="ON CONFLICT DO NOTHING")
        cursor.execute("SELECT count(*) FROM pg_class WHERE relnamespace = pg_my_temp_schema()")
        assert cursor.fetchone() == (0,)
    assert probe_rows(store) == [("a", 1, None), ("b", 2, None)]


def test_a_bulk_write_of_a_row_short_of_a_value_is_refused_and_writes_nothing(registry: Registry) -> None:
    store = ViewStore(registry.settings, registry.pool)
    with store.transaction() as cursor:
        cursor.execute(PROBE)
    for on_conflict in ("", "ON CONFLICT DO NOTHING"):
        with pytest.raises(ValueError, match="3 values each"), store.transaction() as cursor:
            rows = [("a", 1, "x"), ("b", 2), ("c", 3, "y", "z")]
            cursor.insert_rows("bulk_probe", ("key", "value", "note"), rows, on_conflict)
    assert probe_rows(store) == []
