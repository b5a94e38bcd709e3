"""The check every command makes before it starts: the store can be reached and is migrated.

A mistake in the settings or a store not ready is said in one line that names the cause and the fix, never a
traceback, and before a server says it is listening.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import psycopg

from registry.adapters.postgres_append import append_function_name
from registry.settings import Settings
from registry.system import APPLICATION_NAMES

CONNECT_SECONDS = 3
# The newest tables of an application and of the read models, and every application's append function: present
# once `registry db migrate` has run.
EVENTS_TABLE = "marriage_events"
VIEWS_TABLE = "projection_failing"
APPEND_FUNCTIONS = [append_function_name(f"{name}_events") for name in APPLICATION_NAMES]
MIGRATE = "run `registry db migrate`"


class StoreProblem(Exception):
    """The store cannot be used; `passing` when it may come back by itself (down, restarting, full)."""

    def __init__(self, message: str, *, passing: bool = False) -> None:
        super().__init__(message)
        self.passing = passing


def check_store(settings: Settings, *, migrated: bool = True) -> None:
    """Raise StoreProblem unless the store answers (and, with `migrated`, has every table)."""
    if settings.uses_postgres:
        check_postgres(settings, migrated=migrated)
    elif migrated:
        check_sqlite(settings.data_dir)


def check_postgres(settings: Settings, *, migrated: bool) -> None:
    parts = settings.postgres_connection()
    schema = settings.postgres_target()[1] or "public"
    try:
        with psycopg.connect(**parts, connect_timeout=CONNECT_SECONDS, application_name="registry-check") as conn:
            if migrated and not is_migrated(conn, schema):
                raise StoreProblem(f"database {parts['dbname']} (schema {schema}) is not migrated: {MIGRATE}")
    except psycopg.Error as error:
        raise refusal(error, parts) from None


def is_migrated(conn: psycopg.Connection[Any], schema: str) -> bool:
    """The newest tables and every append function are in the schema."""
    quoted = f'"{schema}"'
    row = conn.execute(
        "SELECT to_regclass(%s) IS NOT NULL AND to_regclass(%s) IS NOT NULL AND (SELECT count(DISTINCT proname) "
        "FROM pg_proc WHERE pronamespace = to_regnamespace(%s) AND proname = ANY(%s)) = %s",
        (f"{quoted}.{EVENTS_TABLE}", f"{quoted}.{VIEWS_TABLE}", quoted, APPEND_FUNCTIONS, len(APPEND_FUNCTIONS)),
    ).fetchone()
    return row == (True,)


def refusal(error: psycopg.Error, parts: dict[str, object]) -> StoreProblem:
    """PostgreSQL's refusal in one line, with what to do about it."""
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    where = f"PostgreSQL at {parts['host']}:{parts['port']}"
    if "does not exist" in text and "database" in text:
        return StoreProblem(
            f"database {parts['dbname']} does not exist on {where}: create it (createdb {parts['dbname']}), "
            f"then {MIGRATE}"
        )
    if "too many clients" in text or "remaining connection slots" in text:
        return StoreProblem(
            f"{where} refused: too many clients (raise its max_connections or lower REGISTRY_DB_CONNECTIONS)",
            passing=True,
        )
    if "password" in text or "authentication" in text or "role" in text:
        return StoreProblem(f"{where} refused the login ({text}): check the user and password in REGISTRY_DATABASE_URL")
    if "starting up" in text or "shutting down" in text:
        return StoreProblem(f"{where} is not accepting connections now ({text})", passing=True)
    return StoreProblem(
        f"{where} cannot be reached ({text}): check REGISTRY_DATABASE_URL and that PostgreSQL runs", passing=True
    )


def check_sqlite(data_dir: Path) -> None:
    for file, table in (("marriage.sqlite", "stored_events"), ("views.sqlite", VIEWS_TABLE)):
        path = data_dir / file
        if not path.exists() or not sqlite_has_table(path, table):
            raise StoreProblem(f"the store under {data_dir} is not migrated: {MIGRATE}")


def sqlite_has_table(path: Path, table: str) -> bool:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
        row = connection.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).fetchone()
    return row is not None
