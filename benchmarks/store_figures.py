"""What a benchmark run left in PostgreSQL, counted by PostgreSQL itself: commits, rows, positions, backlogs, and
the WAL's fsync limit on the same server."""

from __future__ import annotations

import time

import psycopg


def fsync_limit(database_url: str, seconds: float = 2.0) -> float:
    """Small committed transactions per second on one connection: what the WAL's fsync allows one writer."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE fsync_probe (n int)")
        count, started = 0, time.perf_counter()
        while time.perf_counter() - started < seconds:
            conn.execute("INSERT INTO fsync_probe VALUES (1)")
            count += 1
        elapsed = time.perf_counter() - started
        conn.execute("DROP TABLE fsync_probe")
    return count / elapsed


def write_transactions(database_url: str, table: str, after: int) -> tuple[int, int]:
    """(transactions, events) that inserted the events after a log position: each distinct xmin is one commit."""
    with psycopg.connect(database_url) as conn:
        row = conn.execute(
            f"SELECT count(DISTINCT xmin::text), count(*) FROM {table} WHERE notification_id > %s", (after,)
        ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


def read_model_backlog(database_url: str) -> int:
    """Events the read models have still to apply: each tracked position's distance to the head of its log."""
    with psycopg.connect(database_url) as conn:
        tracked = conn.execute("SELECT application, position FROM projection_tracking").fetchall()
        heads: dict[str, int] = {}
        for application in {application for application, _ in tracked}:
            row = conn.execute(f"SELECT coalesce(max(notification_id), 0) FROM {application}_events").fetchone()
            heads[application] = int(row[0]) if row else 0
    return sum(max(0, heads[application] - position) for application, position in tracked)


def caught_up(database_url: str, within: float = 120.0) -> float:
    """Wait until the read models have applied every event of their logs; the seconds it took. A RuntimeError naming
    the backlog after `within` seconds (a read model that never catches up would otherwise hold the run forever)."""
    started = time.perf_counter()
    while (backlog := read_model_backlog(database_url)) > 0:
        if time.perf_counter() - started > within:
            raise RuntimeError(f"the read models still had {backlog} events to apply after {within} s")
        time.sleep(0.02)
    return time.perf_counter() - started


def stored_rows(database_url: str) -> int:
    """Rows in every table of the registry's schema (the connection's current schema), counted exactly: a path's growth
    of them per registration is what it stores (its events, its read models' rows; also any audit checkpoint published
    meanwhile, by default every 5 minutes)."""
    with psycopg.connect(database_url) as conn:
        tables = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()").fetchall()
        counts = [conn.execute(f'SELECT count(*) FROM "{name}"').fetchone() for (name,) in tables]
    return sum(int(row[0]) for row in counts if row is not None)


def max_position(database_url: str, table: str) -> int:
    """The head of one events table's log (0 if empty)."""
    with psycopg.connect(database_url) as conn:
        row = conn.execute(f"SELECT coalesce(max(notification_id), 0) FROM {table}").fetchone()
    return int(row[0]) if row else 0
