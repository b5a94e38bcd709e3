"""Rebuild a read model beside the live one, then swap it in atomically: the live view serves until then.

The shadow tables are filled in large batches (each with the shadow's position, so a rebuild that dies halfway
leaves the live view as it was and is simply started again), with only the indexes its own writes use: the indexes
only queries use (`Projection.indexes_for_reads`) are built once over the loaded rows, before the swap, rather than
grown row by row. PostgreSQL renames them in the swap; SQLite, which cannot rename an index, builds them again there.
"""

from __future__ import annotations

from collections.abc import Callable

from projections.base import REBUILD_SUFFIX, Projection
from projections.runner import Follower
from projections.store import Cursor, ViewStore, locked_position, set_position

REPLAY_BATCH = 2000  # events per transaction of a rebuild (the live runner's stay small, for latency)


def rebuild(
    store: ViewStore,
    live_followers: list[Follower],
    shadow_followers: list[Follower],
    on_batch: Callable[[int], object] | None = None,
) -> int:
    """Replay every event into fresh tables, catch up, and take over in one transaction; returns events replayed."""
    live, shadow = live_followers[0].projection, shadow_followers[0].projection
    assert shadow.suffix == REBUILD_SUFFIX
    deferred = set(shadow.indexes_for_reads())
    with store.transaction() as cursor:
        _empty_shadow(cursor, shadow, shadow_followers)
        for statement in shadow.schema():
            if index_name(statement) not in deferred:
                cursor.execute(statement)
    for follower in shadow_followers:
        follower.batch_size = REPLAY_BATCH
    replayed = sum(follower.catch_up(store, on_batch=on_batch) for follower in shadow_followers)
    with store.transaction() as cursor:
        for statement in shadow.schema():
            if index_name(statement) in deferred:
                cursor.execute(statement)
    with store.transaction() as cursor:
        _catch_up_and_take_over(cursor, live_followers, shadow_followers)
        _swap_tables(cursor, store.is_postgres, live, shadow)
    return replayed


def index_name(statement: str) -> str | None:
    """The name a `CREATE INDEX IF NOT EXISTS name ON ...` statement gives (None for any other statement)."""
    return statement.split()[5] if statement.startswith("CREATE INDEX") else None


def _empty_shadow(cursor: Cursor, shadow: Projection, shadow_followers: list[Follower]) -> None:
    """Drop what an earlier (perhaps unfinished) rebuild left: its tables, positions and quarantine."""
    for table in shadow.tables:
        cursor.execute(f"DROP TABLE IF EXISTS {shadow.table(table)}")
    for follower in shadow_followers:
        cursor.execute("DELETE FROM projection_tracking WHERE projection = ?", (follower.tracking_name,))
        cursor.execute("DELETE FROM projection_quarantine WHERE projection = ?", (follower.tracking_name,))


def _catch_up_and_take_over(cursor: Cursor, live_followers: list[Follower], shadow_followers: list[Follower]) -> None:
    """Apply what arrived since the replay to the shadow, and hand its positions and quarantine to the live names."""
    for live_follower, shadow_follower in zip(live_followers, shadow_followers, strict=True):
        locked_position(cursor, live_follower.tracking_name, live_follower.application.name)
        position = locked_position(cursor, shadow_follower.tracking_name, shadow_follower.application.name)
        position, _ = shadow_follower.process_after(cursor, position, limit=None)
        set_position(cursor, live_follower.tracking_name, position)
        cursor.execute("DELETE FROM projection_tracking WHERE projection = ?", (shadow_follower.tracking_name,))
        # What the replay could not apply is what the rebuilt view lacks: its quarantine replaces the old one.
        cursor.execute("DELETE FROM projection_quarantine WHERE projection = ?", (live_follower.tracking_name,))
        cursor.execute(
            "UPDATE projection_quarantine SET projection = ? WHERE projection = ?",
            (live_follower.tracking_name, shadow_follower.tracking_name),
        )


def _swap_tables(cursor: Cursor, is_postgres: bool, live: Projection, shadow: Projection) -> None:
    """The shadow's tables and indexes take the live names (the old live ones are dropped)."""
    for table in live.tables:
        cursor.execute(f"DROP TABLE IF EXISTS {live.table(table)}")
        cursor.execute(f"ALTER TABLE {shadow.table(table)} RENAME TO {live.table(table)}")
    for live_statement, shadow_statement in zip(live.schema(), shadow.schema(), strict=True):
        live_index, shadow_index = index_name(live_statement), index_name(shadow_statement)
        if live_index is None or shadow_index is None:
            continue
        if is_postgres:
            cursor.execute(f"ALTER INDEX {shadow_index} RENAME TO {live_index}")
        else:
            cursor.execute(live_statement)
            cursor.execute(f"DROP INDEX IF EXISTS {shadow_index}")
