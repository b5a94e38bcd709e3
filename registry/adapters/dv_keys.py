"""Where the DV key store lives: a SQLite file of its own, or a PostgreSQL database apart from the events'.

The store itself (key epochs, wrapping, sealing) is registry/adapters/dv_key_store.py; the keyring is
registry/adapters/dv_keyring.py. This module opens the store on either database and checks that it is kept apart.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from registry.adapters.dv_key_store import SqlDataKeys, Transaction
from registry.adapters.dv_keyring import EpochKey, FileKeyring, Keyring
from registry.keys import SettingsError

__all__ = [
    "EpochKey",
    "FileKeyring",
    "Keyring",
    "SqlDataKeys",
    "check_apart_from_events",
    "postgres_data_keys",
    "same_database",
    "sqlite_data_keys",
]


class _SqliteTransaction:
    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection

    def run(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        if sql.startswith("LOCK TABLE"):  # BEGIN IMMEDIATE already holds SQLite's one write lock
            return []
        return list(self._connection.execute(sql, params).fetchall())

    def has_table(self, name: str) -> bool:
        return bool(self.run("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)))


class _PostgresTransaction:
    def __init__(self, cursor: Any) -> None:
        self._cursor = cursor

    def run(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        self._cursor.execute(sql.replace("?", "%s"), params)
        return list(self._cursor.fetchall()) if self._cursor.description else []

    def has_table(self, name: str) -> bool:
        return bool(self.run("SELECT 1 FROM pg_tables WHERE schemaname = current_schema() AND tablename = ?", (name,)))


def sqlite_data_keys(path: Path, keyring: Keyring, *, retention: timedelta = timedelta(0)) -> SqlDataKeys:
    """The key store in a SQLite file of its own, with secure_delete (freed pages are overwritten)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(path, isolation_level=None, timeout=30, check_same_thread=False)
    connection.execute("PRAGMA secure_delete = ON")
    lock = threading.Lock()

    @contextmanager
    def begin() -> Iterator[Transaction]:
        with lock:
            connection.execute("BEGIN IMMEDIATE")
            try:
                yield _SqliteTransaction(connection)
            except BaseException:
                connection.rollback()
                raise
            connection.commit()

    return SqlDataKeys(begin, keyring, retention=retention, closer=connection.close)


def postgres_data_keys(
    conninfo: str, schema: str, keyring: Keyring, *, retention: timedelta = timedelta(0), max_connections: int = 2
) -> SqlDataKeys:
    """The key store in a PostgreSQL schema (of another database than the events', unless accepted for development).

    Connections are opened on demand (none kept idle) and checked before use, so a restarted server is no trouble.
    """
    import psycopg
    from psycopg_pool import ConnectionPool

    with psycopg.connect(conninfo, autocommit=True, connect_timeout=5) as admin:
        admin.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
    pool: ConnectionPool[Any] = ConnectionPool(
        conninfo, min_size=0, max_size=max_connections, max_idle=60, timeout=5, open=True,
        check=ConnectionPool.check_connection,
        kwargs={"options": f"-c search_path={schema}", "connect_timeout": 5, "application_name": "registry-dv-keys"},
    )  # fmt: skip

    @contextmanager
    def begin() -> Iterator[Transaction]:
        with pool.connection() as connection, connection.transaction(), connection.cursor() as cursor:
            yield _PostgresTransaction(cursor)

    return SqlDataKeys(begin, keyring, retention=retention, closer=pool.close)


# The names of the local server: a URL without a host reaches it through its socket.
LOCAL_HOSTS = ("", "localhost", "127.0.0.1", "::1")


def same_database(first: str, second: str) -> bool:
    """Whether two postgresql:// URLs name the same database (server, port and database name); the local server is
    the same server whichever of its names a URL uses."""
    from urllib.parse import urlparse

    def server(url: str) -> tuple[str, int, str]:
        parsed = urlparse(url)
        host = parsed.hostname or ""
        return ("localhost" if host in LOCAL_HOSTS else host, parsed.port or 5432, parsed.path.strip("/"))

    return server(first) == server(second)


def check_apart_from_events(keys_url: str | None, events_url: str | None, *, accepted: bool) -> None:
    """On PostgreSQL the DV key store must live in another database than the events (one dump must not hold both)."""
    if events_url is None or accepted:
        return
    if keys_url is None:
        raise SettingsError(
            "REGISTRY_DV_KEYS_URL is required on PostgreSQL: a database apart from the events' "
            "(or REGISTRY_DV_KEYS_IN_EVENTS_DATABASE=accept-for-development)"
        )
    if keys_url.startswith("postgresql://") and same_database(keys_url, events_url):
        raise SettingsError(
            "REGISTRY_DV_KEYS_URL names the events' database: use another database "
            "(or REGISTRY_DV_KEYS_IN_EVENTS_DATABASE=accept-for-development)"
        )
