"""The database of read models: a SQLite file beside the event files, or the events' PostgreSQL schema.

SQL is written once, with `?` placeholders and portable types (TEXT, BIGINT); the PostgreSQL side converts the
placeholders. A view's changes and its tracking position are always written in one transaction.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from typing import Any, Protocol

from psycopg.rows import tuple_row

from registry.settings import Settings

TRACKING_TABLE = """
CREATE TABLE IF NOT EXISTS projection_tracking (
    projection TEXT PRIMARY KEY,
    application TEXT NOT NULL,
    position BIGINT NOT NULL
)"""

Row = tuple[Any, ...]
# Bound parameters per IN (...) list: far below SQLite's limit (32766) and PostgreSQL's (65535).
LOOKUP_CHUNK = 500
# An upsert of at most this many rows is one INSERT ... VALUES on PostgreSQL; more go through a staging table.
VALUES_ROWS = 16


def optional_date(text: str | None) -> date | None:
    """A date column that may be empty (ISO text or NULL)."""
    return date.fromisoformat(text) if text else None


class Cursor(Protocol):
    """What a projection may do inside its transaction."""

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None: ...

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None: ...

    def insert_rows(
        self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], on_conflict: str = ""
    ) -> None:
        """INSERT many rows in one go (an ON CONFLICT clause may follow; DO UPDATE: no conflict key twice). Values are
        str, int or None, one per column (dates are ISO text): PostgreSQL's two ways of sending them store those
        alike."""

    def fetchall(self) -> list[Row]: ...

    def fetchone(self) -> Row | None: ...


class ViewStore:
    """Transactions on the read-model database, and the tracking positions of projections."""

    def __init__(self, settings: Settings, pool: Any = None) -> None:
        """On PostgreSQL, `pool` is the process's shared connection pool (registry/adapters/postgres_pool.py)."""
        self.settings = settings
        self.is_postgres = settings.uses_postgres
        self._local = threading.local()
        self._pool: Any = pool
        if self.is_postgres and pool is None:
            raise ValueError("a PostgreSQL view store needs the process's connection pool")
        if not self.is_postgres:
            settings.data_dir.mkdir(parents=True, exist_ok=True)
            self._path = settings.data_dir / "views.sqlite"

    def close(self) -> None:
        """The pool belongs to the registry, which closes it."""

    def listen_connection(self) -> Any:
        """A connection of its own for LISTEN (PostgreSQL only; the caller closes it)."""
        import psycopg

        conninfo, _ = self.settings.postgres_target()
        return psycopg.connect(conninfo, autocommit=True, connect_timeout=5, application_name="registry-listen")

    def notify(self, channel: str) -> None:
        """A NOTIFY on `channel` to every process listening (PostgreSQL; nothing on SQLite, which has no listeners)."""
        if self._pool is not None:
            with self._pool.connection() as connection:
                connection.execute("SELECT pg_notify(%s, '')", (channel,))

    # -- transactions -----------------------------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[Cursor]:
        """One write transaction (SQLite: BEGIN IMMEDIATE; PostgreSQL: READ COMMITTED with row locks)."""
        if self._pool is not None:
            with self._pool.connection() as connection, connection.transaction():
                yield _PostgresCursor(connection.cursor(row_factory=tuple_row))
        else:
            connection = self._sqlite()
            connection.execute("BEGIN IMMEDIATE")
            try:
                yield _SqliteCursor(connection.cursor())
            except BaseException:
                connection.rollback()
                raise
            connection.commit()

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """A read outside any write transaction."""
        if self._pool is not None:
            with self._pool.connection() as connection:
                cursor = connection.cursor(row_factory=tuple_row)
                return list(cursor.execute(sql.replace("?", "%s"), params).fetchall())
        return list(self._sqlite().execute(sql, params).fetchall())

    def _sqlite(self) -> sqlite3.Connection:
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(self._path, isolation_level=None, timeout=30, check_same_thread=False)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            self._local.connection = connection
        return connection

    # -- tracking ---------------------------------------------------------------------------------------------

    def create_tracking(self) -> None:
        with self.transaction() as cursor:
            cursor.execute(TRACKING_TABLE)

    def positions(self) -> dict[str, int]:
        return {name: position for name, position in self.query("SELECT projection, position FROM projection_tracking")}

    def position(self, projection: str) -> int:
        rows = self.query("SELECT position FROM projection_tracking WHERE projection = ?", (projection,))
        return int(rows[0][0]) if rows else 0


def locked_position(cursor: Cursor, projection: str, application: str) -> int:
    """The projection's position, locked for this transaction (a second runner waits rather than repeats). Its row is
    made by the projection's first transaction; a runner that finds none made by another meanwhile waits for it."""
    select = "SELECT position FROM projection_tracking WHERE projection = ? FOR UPDATE"
    cursor.execute(select, (projection,))
    row = cursor.fetchone()
    if row is None:
        cursor.execute(
            "INSERT INTO projection_tracking (projection, application, position) VALUES (?, ?, 0) "
            "ON CONFLICT (projection) DO NOTHING",
            (projection, application),
        )
        cursor.execute(select, (projection,))
        row = cursor.fetchone()
    assert row is not None  # inserted above, or by another runner whose transaction the insert waited for
    return int(row[0])


def rows_where_in(cursor: Cursor, select: str, column: str, values: Iterable[Any]) -> list[Row]:
    """The rows of `select ... WHERE column IN (values)` for any number of values, LOOKUP_CHUNK at a time."""
    ordered = sorted(set(values))
    rows: list[Row] = []
    for start in range(0, len(ordered), LOOKUP_CHUNK):
        chunk = ordered[start : start + LOOKUP_CHUNK]
        cursor.execute(f"{select} WHERE {column} IN ({', '.join('?' * len(chunk))})", chunk)
        rows += cursor.fetchall()
    return rows


def check_widths(table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Every row has one value per column (a row short of one would shift another row's values into its place)."""
    if any(len(row) != len(columns) for row in rows):
        raise ValueError(f"rows for {table} must have {len(columns)} values each")


def set_position(cursor: Cursor, projection: str, position: int) -> None:
    cursor.execute("UPDATE projection_tracking SET position = ? WHERE projection = ?", (position, projection))


class _PostgresCursor:
    def __init__(self, cursor: Any) -> None:
        self._cursor = cursor
        self._staged = 0  # staging tables made in this transaction (each dropped at its end)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self._cursor.execute(sql.replace("?", "%s"), params)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self._cursor.executemany(sql.replace("?", "%s"), rows)

    def insert_rows(
        self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], on_conflict: str = ""
    ) -> None:
        """COPY: one stream instead of a statement per row. COPY knows no ON CONFLICT, so with a clause the rows are
        copied into a staging table of this transaction first and inserted from there in one statement; up to
        VALUES_ROWS rows (a live round's batch) are one INSERT ... VALUES instead, as a staging table's creation and
        drop in the catalog cost several times the insert itself."""
        if not rows:
            return
        check_widths(table, columns, rows)
        names = ", ".join(columns)
        if on_conflict and len(rows) <= VALUES_ROWS:
            marks = ", ".join([f"({', '.join(['%s'] * len(columns))})"] * len(rows))
            values = [value for row in rows for value in row]
            self._cursor.execute(f"INSERT INTO {table} ({names}) VALUES {marks} {on_conflict}", values, prepare=False)
            return
        target = table
        if on_conflict:
            self._staged += 1
            target = f"staged_rows_{self._staged}"
            self._cursor.execute(
                f"CREATE TEMP TABLE {target} ON COMMIT DROP AS SELECT {names} FROM {table} WITH NO DATA"
            )
        with self._cursor.copy(f"COPY {target} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        if on_conflict:
            self._cursor.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM {target} {on_conflict}")

    def fetchall(self) -> list[Row]:
        return list(self._cursor.fetchall())

    def fetchone(self) -> Row | None:
        row: Row | None = self._cursor.fetchone()
        return row


class _SqliteCursor:
    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        # SQLite locks the whole database for a write transaction, so FOR UPDATE is neither needed nor known.
        self._cursor.execute(sql.replace(" FOR UPDATE", ""), params)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self._cursor.executemany(sql, rows)

    def insert_rows(
        self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], on_conflict: str = ""
    ) -> None:
        check_widths(table, columns, rows)
        marks = ", ".join("?" * len(columns))
        self._cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks}) {on_conflict}", rows)

    def fetchall(self) -> list[Row]:
        return list(self._cursor.fetchall())

    def fetchone(self) -> Row | None:
        row: Row | None = self._cursor.fetchone()
        return row
