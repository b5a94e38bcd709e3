"""Rebuild a read model beside the live one, then swap it in atomically: the live view serves until then."""

from __future__ import annotations

from collections.abc import Callable

from projections.base import REBUILD_SUFFIX
from projections.runner import Follower, create_schema
from projections.store import ViewStore, locked_position, set_position


def rebuild(
    store: ViewStore,
    live_followers: list[Follower],
    shadow_followers: list[Follower],
    on_batch: Callable[[int], object] | None = None,
) -> int:
    """Replay every event into fresh tables, catch up, and take over in one transaction; returns events replayed."""
    live, shadow = live_followers[0].projection, shadow_followers[0].projection
    assert shadow.suffix == REBUILD_SUFFIX
    with store.transaction() as cursor:
        for table in shadow.tables:
            cursor.execute(f"DROP TABLE IF EXISTS {shadow.table(table)}")
        for follower in shadow_followers:
            cursor.execute("DELETE FROM projection_tracking WHERE projection = ?", (follower.tracking_name,))
            cursor.execute("DELETE FROM projection_quarantine WHERE projection = ?", (follower.tracking_name,))
    create_schema(store, [shadow])
    replayed = sum(follower.catch_up(store, on_batch=on_batch) for follower in shadow_followers)
    with store.transaction() as cursor:
        for live_follower, shadow_follower in zip(live_followers, shadow_followers, strict=True):
            locked_position(cursor, live_follower.tracking_name, live_follower.application.name)
            # Events that arrived since the catch-up go into the shadow inside this transaction.
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
        for table in live.tables:
            cursor.execute(f"DROP TABLE IF EXISTS {live.table(table)}")
            cursor.execute(f"ALTER TABLE {shadow.table(table)} RENAME TO {live.table(table)}")
        for statement in live.schema():  # indexes under their live names
            cursor.execute(statement)
        for statement in shadow.schema():
            if statement.startswith("CREATE INDEX"):
                cursor.execute("DROP INDEX IF EXISTS " + statement.split()[5])
    return replayed
