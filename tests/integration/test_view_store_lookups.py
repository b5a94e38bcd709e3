"""The read-model store's lookups on SQLite and PostgreSQL."""

from __future__ import annotations

from projections.store import LOOKUP_CHUNK, ViewStore, rows_where_in
from registry.system import Registry


def test_a_lookup_of_more_values_than_one_in_list_holds_finds_every_row_once(registry: Registry) -> None:
    store = ViewStore(registry.settings, registry.pool)
    wanted = [f"k{n:05d}" for n in range(2 * LOOKUP_CHUNK + 7)]
    with store.transaction() as cursor:
        cursor.execute("CREATE TABLE lookup_probe (key TEXT PRIMARY KEY, value BIGINT NOT NULL)")
        cursor.executemany(
            "INSERT INTO lookup_probe (key, value) VALUES (?, ?)", [(k, n) for n, k in enumerate(wanted)]
        )
        cursor.execute("INSERT INTO lookup_probe (key, value) VALUES ('not-asked', -1)")
        rows = rows_where_in(cursor, "SELECT key, value FROM lookup_probe", "key", [*wanted, wanted[0]])
    assert sorted(rows) == [(k, n) for n, k in enumerate(wanted)]
