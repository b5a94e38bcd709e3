"""`registry doctor`: checks what a registry process needs before it starts, one line each, with what to fix.

The checks only read: a fresh data directory gets its development key (as every command does) and nothing else.
"""

from __future__ import annotations

import os
import sqlite3
import typing
from collections.abc import Iterator, Mapping
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from api.stores import application_names, dv_keys_location
from projections.audit.service import CHECKPOINTS_TABLE
from projections.catalog import ReadSide, all_projections
from projections.failing import FAILING_TABLE
from projections.quarantine import QUARANTINE_TABLE
from projections.store import TRACKING_TABLE
from registry.adapters.dv_keys import check_apart_from_events
from registry.common.ids import PersonKeys
from registry.keys import Purpose, SettingsError
from registry.settings import Settings
from registry.system import open_registry

MIGRATE = "run `registry db migrate`"
DV_KEY_TABLE = "dv_key_epochs"
SHOWN_MISSING = 4  # a one-line answer names the first few missing tables and counts the rest


@dataclass(frozen=True)
class Check:
    """One check's verdict: what was found, or what is wrong and how to fix it."""

    name: str
    ok: bool
    detail: str

    def line(self) -> str:
        return f"{'OK  ' if self.ok else 'FAIL'}  {self.name}: {self.detail}"


def run_checks(env: Mapping[str, str], *, max_lag: int) -> Iterator[Check]:
    """Settings, keys, the database, its migrations, the DV key store and the read models' lag, in that order.

    A check that later checks depend on stops the run when it fails (no migration check of an unreachable database).
    """
    try:
        settings = Settings.from_env(env)
    except (SettingsError, ValueError) as error:
        yield Check("settings", False, one_line(error))
        return
    store = "PostgreSQL" if settings.uses_postgres else f"SQLite files under {settings.data_dir}"
    yield Check("settings", True, f"read; the store is {store}")
    yield keys_check(settings)
    database = database_check(settings)
    yield database
    if not database.ok:
        return
    yield budget_check(settings)
    if settings.replica_url is not None:
        yield replica_check(settings)
    migrations = migrations_check(settings)
    yield migrations
    yield dv_key_store_check(settings)
    if migrations.ok:
        yield projections_check(settings, max_lag)


def keys_check(settings: Settings) -> Check:
    """Development keys serve the embedded default only; the exchange needs the federation key."""
    if settings.keys.development and settings.uses_postgres:
        return Check("keys", False, "development keys on PostgreSQL: set REGISTRY_MASTER_KEY")
    if settings.exchange_peers and settings.keys.federation is None:
        return Check("keys", False, "REGISTRY_EXCHANGE_PEERS is set without REGISTRY_FEDERATION_KEY: set it")
    if settings.keys.development:
        return Check(
            "keys", True, f"development keys under {settings.data_dir} (embedded only; production sets "
            "REGISTRY_MASTER_KEY)",
        )  # fmt: skip
    return Check("keys", True, "from REGISTRY_MASTER_KEY and the per-purpose settings")


def database_check(settings: Settings) -> Check:
    """The PostgreSQL server answers and the database exists; or the embedded data directory is writable."""
    if not settings.uses_postgres:
        existing = next(path for path in (settings.data_dir, *settings.data_dir.parents) if path.exists())
        if os.access(existing, os.W_OK):
            return Check("database", True, f"{settings.data_dir} is writable (created when needed)")
        return Check("database", False, f"{settings.data_dir} is not writable: fix REGISTRY_DATA_DIR or its rights")
    conninfo, _ = settings.postgres_target()
    problem = postgres_problem(conninfo)
    if problem is None:
        return Check("database", True, f"PostgreSQL database {database_name(conninfo)} answers")
    return Check("database", False, f"{problem}: fix REGISTRY_DATABASE_URL or create the database")


def budget_check(settings: Settings) -> Check:
    """How many processes of REGISTRY_DB_CONNECTIONS each the server still has room for (none: a failure)."""
    if not settings.uses_postgres:
        return Check("connection-budget", True, "none needed (the embedded store opens files, not connections)")
    with postgres(settings.postgres_target()[0]) as connection:
        limit = int(connection.execute("SHOW max_connections").fetchone()[0])
        reserved = int(connection.execute("SHOW superuser_reserved_connections").fetchone()[0])
        in_use = connection.execute("SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'")
        used = int(in_use.fetchone()[0]) - 1  # not this check's own connection
    budget = settings.db_connections
    room = max(limit - reserved - used, 0) // budget
    found = (
        f"{budget} per process (REGISTRY_DB_CONNECTIONS); max_connections {limit}, {reserved} reserved, {used} in use"
    )
    if room == 0:
        return Check("connection-budget", False, f"{found}: no room for one process; lower REGISTRY_DB_CONNECTIONS "
                     "or raise max_connections")  # fmt: skip
    processes = "each server worker is one, and so is the read models' process `registry serve` starts"
    return Check("connection-budget", True, f"{found}: room for {room} more such processes ({processes})")


def replica_check(settings: Settings) -> Check:
    """REGISTRY_REPLICA_URL answers, is a standby of this very primary (same system identifier), and how far its
    replay is behind the primary's WAL."""
    replica = urlparse(settings.replica_url or "")._replace(query="").geturl()
    problem = postgres_problem(replica)
    if problem is not None:
        return Check("replica", False, f"{problem}: fix REGISTRY_REPLICA_URL or start the replica")
    identity = "SELECT system_identifier FROM pg_control_system()"
    with postgres(replica) as standby, postgres(settings.postgres_target()[0]) as primary:
        in_recovery, paused, replayed = standby.execute(
            "SELECT pg_is_in_recovery(), CASE WHEN pg_is_in_recovery() THEN pg_is_wal_replay_paused() END, "
            "pg_last_wal_replay_lsn()::text"
        ).fetchone()
        same = standby.execute(identity).fetchone() == primary.execute(identity).fetchone()
        behind = primary.execute("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), %s)", (replayed,)).fetchone()[0]
    if not in_recovery or not same:
        what = "is not a standby" if not in_recovery else "is a standby of another cluster"
        return Check("replica", False, f"{database_name(replica)} at REGISTRY_REPLICA_URL {what}: name a streaming "
                     "replica of REGISTRY_DATABASE_URL")  # fmt: skip
    state = "replay PAUSED (pg_wal_replay_resume() on the replica)" if paused else "replaying"
    lag = "an unknown amount of WAL" if behind is None else f"{int(behind)} bytes of WAL"
    return Check("replica", not paused, f"a standby of this primary, {state}, {lag} behind")


def migrations_check(settings: Settings) -> Check:
    """Every application's events table and every read model's table exists."""
    wanted = [*events_tables(settings), *view_tables(settings)]
    present = existing_tables(settings)
    missing = [label for label, location in wanted if location not in present]
    if not missing:
        return Check("migrations", True, f"{len(wanted)} tables present")
    shown = ", ".join(missing[:SHOWN_MISSING]) + (
        f" and {len(missing) - SHOWN_MISSING} more" if missing[SHOWN_MISSING:] else ""
    )
    return Check("migrations", False, f"missing {shown}: {MIGRATE}")


def dv_key_store_check(settings: Settings) -> Check:
    """The DV key store is apart from the events, reachable, and migrated."""
    try:
        check_apart_from_events(
            settings.dv_keys_url, settings.database_url, accepted=settings.dv_keys_in_events_database
        )
    except SettingsError as error:
        return Check("dv-key-store", False, one_line(error))
    location = dv_keys_location(settings)
    if isinstance(location, Path):
        if DV_KEY_TABLE in sqlite_tables(location):
            return Check("dv-key-store", True, f"{location}, apart from the events")
        return Check("dv-key-store", False, f"{location} has no key tables: {MIGRATE}")
    problem = postgres_problem(location.conninfo)
    if problem is not None:
        return Check("dv-key-store", False, f"{problem}: fix REGISTRY_DV_KEYS_URL or create the database")
    where = f"schema {location.schema} of database {location.database}"
    if (location.schema, DV_KEY_TABLE) not in postgres_tables(location.conninfo):
        return Check("dv-key-store", False, f"{where} has no key tables: {MIGRATE}")
    return Check("dv-key-store", True, f"{where}, apart from the events")


def projections_check(settings: Settings, max_lag: int) -> Check:
    """No read model is more than max_lag events behind its log."""
    registry = open_registry(settings)
    read_side = ReadSide(registry)
    try:
        positions = read_side.store.positions()
        lags = {f.tracking_name: f.head() - positions.get(f.tracking_name, 0) for f in read_side.followers}
    finally:
        read_side.close()
        registry.close()
    worst = max(lags, key=lambda name: lags[name])
    if lags[worst] <= max_lag:
        return Check("projections", True, f"{len(lags)} read-model followers, the largest lag {lags[worst]} ({worst})")
    behind = sum(1 for lag in lags.values() if lag > max_lag)
    process = "`registry project`" if settings.uses_postgres else "`registry serve` (it projects on SQLite)"
    return Check(
        "projections", False, f"{behind} read models more than {max_lag} events behind, {worst} by {lags[worst]}: "
        f"is {process} running?",
    )  # fmt: skip


# -- where the tables are ----------------------------------------------------------------------------------------

Location = tuple[str, str]  # (SQLite file or PostgreSQL schema, table)


def events_tables(settings: Settings) -> list[tuple[str, Location]]:
    if settings.uses_postgres:
        schema = settings.postgres_target()[1] or "public"
        return [(f"{name}_events", (schema, f"{name}_events")) for name in application_names()]
    return [(f"{name}.sqlite", (f"{name}.sqlite", "stored_events")) for name in application_names()]


def view_tables(settings: Settings) -> list[tuple[str, Location]]:
    keys = PersonKeys(settings.keys[Purpose.PERSON_HASH])
    projections = all_projections(keys, settings.keys[Purpose.FEED_AT_REST], settings.working_calendar())
    tables = [table for projection in projections for table in projection.tables]
    tables += [
        table_created_by(statement)
        for statement in (TRACKING_TABLE, CHECKPOINTS_TABLE, QUARANTINE_TABLE, FAILING_TABLE)
    ]
    where = (settings.postgres_target()[1] or "public") if settings.uses_postgres else "views.sqlite"
    return [(f"read-model table {table}", (where, table)) for table in tables]


def existing_tables(settings: Settings) -> set[Location]:
    if settings.uses_postgres:
        return postgres_tables(settings.postgres_target()[0])
    files = [*(f"{name}.sqlite" for name in application_names()), "views.sqlite"]
    return {(file, table) for file in files for table in sqlite_tables(settings.data_dir / file)}


def table_created_by(statement: str) -> str:
    return statement.split("CREATE TABLE IF NOT EXISTS", 1)[1].split()[0]


def sqlite_tables(path: Path) -> set[str]:
    """The tables of a SQLite file, opened read-only (a missing file has none and is not created)."""
    if not path.exists():
        return set()
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
        return {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def postgres_tables(conninfo: str) -> set[Location]:
    with postgres(conninfo) as connection:
        rows = connection.execute("SELECT schemaname, tablename FROM pg_tables").fetchall()
    return {(schema, table) for schema, table in rows}


def postgres_problem(conninfo: str) -> str | None:
    """None when the server answers and the database exists; otherwise the server's reason, on one line."""
    import psycopg

    try:
        with postgres(conninfo):
            return None
    except psycopg.Error as error:
        return one_line(error)


@contextmanager
def postgres(conninfo: str) -> Iterator[typing.Any]:
    import psycopg

    with psycopg.connect(conninfo, connect_timeout=5, autocommit=True) as connection:
        yield connection


def database_name(conninfo: str) -> str:
    return urlparse(conninfo).path.lstrip("/")


def one_line(error: BaseException) -> str:
    """The most telling line of an error (PostgreSQL puts its reason after FATAL:)."""
    text = str(error).strip() or type(error).__name__
    if "FATAL:" in text:
        text = text.rsplit("FATAL:", 1)[1]
    return " ".join(text.split())
