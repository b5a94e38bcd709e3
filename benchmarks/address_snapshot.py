"""The address snapshot at 2,000 and 20,000 changes: the paged, indexed query against the old correlated query.

The old query found each row's plate's last change with a correlated MAX over an unindexed table: quadratic. The
new one walks the index on (plate_id, position) a page of plates at a time. Prints, for each size, the seconds to
read the whole snapshot, then one JSON line with the growth from 2,000 to 20,000 rows (10 for linear cost, 100 for
quadratic) and the speed-up over the old query measured in the same run ("ratio": the speed-up at 2,000).

    .venv/bin/python -m benchmarks.address_snapshot [--store sqlite|postgres] [--old-at-20000]

The old query at 20,000 rows takes about half a minute; it runs only with --old-at-20000.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from benchmarks.common import KEYS, scratch_database
from projections.addresses import AddressRegister
from projections.addresses.queries import snapshot_page
from projections.pages import MAX_PAGE_SIZE
from projections.runner import create_schema
from projections.store import ViewStore
from registry.settings import Settings

SIZES = (2_000, 20_000)
OLD_QUERY = (
    "SELECT plate_id, address FROM address_changes c WHERE position = (SELECT MAX(position) FROM "
    "address_changes d WHERE d.plate_id = c.plate_id AND d.position <= ?) AND operation <> 'retired'"
)


@contextmanager
def view_store(kind: str) -> Iterator[ViewStore]:
    """An empty view store of the given kind, thrown away afterwards."""
    with tempfile.TemporaryDirectory() as data_dir:
        env = {**KEYS, "REGISTRY_DATA_DIR": str(Path(data_dir) / "var")}
        if kind == "postgres":
            with scratch_database() as url:
                store = ViewStore(Settings.from_env({**env, "REGISTRY_DATABASE_URL": url}))
                try:
                    yield store
                finally:
                    store.close()
        else:
            store = ViewStore(Settings.from_env(env))
            try:
                yield store
            finally:
                store.close()


def fill(store: ViewStore, rows: int) -> None:
    """`rows` changes over rows/2 plates, in the shape the address register writes."""
    chance = random.Random(rows)
    operations = ("assigned", "readdressed", "renumbered", "retired")
    changes = [
        (position, "2026-11-22T04:00:00+00:00", chance.choice(operations), f"plate-{chance.randrange(rows // 2):06d}",
         f"义乌市稠城街道丹溪路{position}号")
        for position in range(1, rows + 1)
    ]  # fmt: skip
    with store.transaction() as cursor:
        cursor.execute("DELETE FROM address_changes")
        cursor.executemany(
            "INSERT INTO address_changes (position, recorded_at, operation, plate_id, address) VALUES (?, ?, ?, ?, ?)",
            changes,
        )
        if store.is_postgres:
            cursor.execute("ANALYZE address_changes")


def with_index(store: ViewStore, present: bool) -> None:
    with store.transaction() as cursor:
        if present:
            for statement in AddressRegister().schema():
                cursor.execute(statement)
        else:
            cursor.execute("DROP INDEX IF EXISTS address_changes_plate")


def new_snapshot(store: ViewStore, at: int) -> int:
    """Every page of the snapshot; returns how many addresses it holds."""
    count, after = 0, None
    while True:
        page = snapshot_page(store, at, limit=MAX_PAGE_SIZE, after=after)
        count += len(page.addresses)
        if page.next_after is None:
            return count
        after = page.next_after


def old_snapshot(store: ViewStore, at: int) -> int:
    return len(store.query(OLD_QUERY, (at,)))


def timed(snapshot: Callable[[ViewStore, int], int], store: ViewStore, at: int) -> tuple[float, int]:
    """Seconds to read the whole snapshot, and how many addresses it holds."""
    started = time.perf_counter()
    count = snapshot(store, at)
    return time.perf_counter() - started, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--old-at-20000", action="store_true", help="also time the old query at 20,000 rows")
    args = parser.parse_args()
    figures: dict[str, float] = {}
    with view_store(args.store) as store:
        create_schema(store, [AddressRegister()])
        for rows in SIZES:
            fill(store, rows)
            with_index(store, present=True)
            seconds, count = timed(new_snapshot, store, rows)
            figures[f"new_{rows}"] = seconds
            print(f"{args.store} {rows:>6} changes: paged indexed snapshot {seconds:8.3f} s ({count} addresses)")
            if rows == SIZES[0] or args.old_at_20000:
                with_index(store, present=False)
                seconds, old_count = timed(old_snapshot, store, rows)
                assert old_count == count, (old_count, count)
                figures[f"old_{rows}"] = seconds
                print(f"{args.store} {rows:>6} changes: old correlated query  {seconds:8.3f} s (no index)")
    summary = {
        "benchmark": "address_snapshot",
        "store": args.store,
        "ratio": round(figures["old_2000"] / figures["new_2000"], 1),  # the headline: speed-up at 2,000 changes
        "growth_2000_to_20000": round(figures["new_20000"] / figures["new_2000"], 1),
        "speedup_at_2000": round(figures["old_2000"] / figures["new_2000"], 1),
    }
    if "old_20000" in figures:
        summary["speedup_at_20000"] = round(figures["old_20000"] / figures["new_20000"], 1)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
