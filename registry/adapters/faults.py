"""Faults of the store itself, told apart from faults of what is stored.

A store fault (unreachable, restarting, out of connections, locked, not migrated) passes by itself or by an operator's
action on the store: requests answer 503 and are tried again, and a read model waits rather than quarantine an event.
"""

from __future__ import annotations

import sqlite3

import psycopg
from eventsourcing import persistence


class StoreUnavailable(Exception):
    """No connection to the store could be had in time (PostgreSQL down, restarting, or every connection busy)."""


UNAVAILABLE = (
    StoreUnavailable,
    psycopg.OperationalError,  # connection lost or refused, too many clients, pool timeout, lock timeout
    psycopg.InterfaceError,
    persistence.OperationalError,  # the same, as the eventsourcing library reraises them
    persistence.InterfaceError,
)
NOT_MIGRATED = (
    psycopg.errors.UndefinedTable, psycopg.errors.UndefinedColumn, psycopg.errors.UndefinedFunction,
    psycopg.errors.InvalidSchemaName,
)  # fmt: skip


def causes(error: BaseException) -> list[BaseException]:
    """The error and the errors it was raised from (the library wraps psycopg's errors in its own)."""
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def store_unavailable(error: BaseException) -> bool:
    """The store cannot be reached or cannot serve now (it may come back by itself)."""
    for cause in causes(error):
        if isinstance(cause, UNAVAILABLE) and not isinstance(cause, NOT_MIGRATED):
            return True
        if isinstance(cause, sqlite3.OperationalError) and "locked" in str(cause):
            return True
    return False


def store_not_migrated(error: BaseException) -> bool:
    """A table the code needs is missing: `registry db migrate` was not run on this store."""
    for cause in causes(error):
        if isinstance(cause, NOT_MIGRATED):
            return True
        if isinstance(cause, sqlite3.OperationalError) and "no such table" in str(cause):
            return True
    return False


def store_fault(error: BaseException) -> bool:
    """A fault of the store rather than of the data: never a reason to quarantine an event."""
    return store_unavailable(error) or store_not_migrated(error)
