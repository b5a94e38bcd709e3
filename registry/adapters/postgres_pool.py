"""One PostgreSQL connection pool per process, shared by every application, the read models and the runner.

The eventsourcing library gives each application a datastore with a pool of its own (eight applications: eight pools,
17-25 connections idle). Here one `SharedDatastore` is made per process and every application's infrastructure factory
uses it (`SharedPostgresFactory`, named by PERSISTENCE_MODULE); the read models borrow its pool too. The process
stays within REGISTRY_DB_CONNECTIONS: the pool takes all of it but the LISTEN connection of the projection runner and
the DV key store's own connection (that store may be another database).

Requests fail fast while PostgreSQL is away: a connection is waited for at most POOL_TIMEOUT_SECONDS, and a pool that
has none to give raises StoreUnavailable, which the library does not retry (it retries its own OperationalError ten
times) and the API answers with 503.

A streaming replica (REGISTRY_REPLICA_URL) has a pool of its own, apart from this one and with its own budget
(REGISTRY_REPLICA_CONNECTIONS): the read models' position-stamped reads use it (projections/catalog.py ReadSide.reads).
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import psycopg
import psycopg_pool
from eventsourcing.persistence import InfrastructureFactory
from eventsourcing.postgres import ConnectionPool, PostgresDatastore, PostgresFactory
from psycopg import Connection
from psycopg.rows import DictRow, dict_row
from psycopg_pool import PoolTimeout

from registry.adapters.faults import StoreUnavailable
from registry.adapters.postgres_append import AppendingApplicationRecorder, AppendingProcessRecorder

POOL_TIMEOUT_SECONDS = 3.0  # how long a request waits for a connection before it is answered 503
CONNECT_TIMEOUT_SECONDS = 3  # how long opening one connection may take (an unreachable host)
RECONNECT_SECONDS = 10.0  # the pool's retries with backoff stop after this; the next request tries again at once
IDLE_SECONDS = 60.0  # a connection unused this long is closed (down to one kept open)
LOCK_TIMEOUT_SECONDS = 5
OUTSIDE_THE_POOL = 2  # the LISTEN connection of the projection runner, and the DV key store's connection
DATASTORE_KEY = "REGISTRY_SHARED_DATASTORE"

_datastores: dict[str, SharedDatastore] = {}
_lock = threading.Lock()


class SharedDatastore(PostgresDatastore):
    """The library's datastore over one pool for the whole process."""

    def __init__(self, conninfo_parts: dict[str, Any], schema: str, *, max_size: int) -> None:
        super().__init__(
            dbname=conninfo_parts["dbname"], host=conninfo_parts["host"], port=conninfo_parts["port"],
            user=conninfo_parts["user"], password=conninfo_parts["password"], connect_timeout=POOL_TIMEOUT_SECONDS,
            idle_in_transaction_session_timeout=5, lock_timeout=LOCK_TIMEOUT_SECONDS, schema=schema,
        )  # fmt: skip
        self.pool = ConnectionPool(
            connection_class=Connection[DictRow],
            kwargs={
                **conninfo_parts,
                "row_factory": dict_row,
                "connect_timeout": CONNECT_TIMEOUT_SECONDS,
                "application_name": "registry",
                # The read models name their tables unqualified; the library qualifies its own.
                **({"options": f"-c search_path={schema}"} if schema else {}),
            },
            min_size=1,
            max_size=max_size,
            open=False,
            configure=self.after_connect_func(),
            timeout=POOL_TIMEOUT_SECONDS,
            max_idle=IDLE_SECONDS,
            reconnect_timeout=RECONNECT_SECONDS,
            name="registry",
        )
        self.key = uuid.uuid4().hex

    @contextmanager
    def get_connection(self) -> Iterator[Connection[DictRow]]:
        try:
            with super().get_connection() as connection:
                yield connection
        except Exception as error:
            if isinstance(error.__cause__, PoolTimeout) or isinstance(error, PoolTimeout):
                raise StoreUnavailable(f"no database connection within {POOL_TIMEOUT_SECONDS:g} s") from error
            raise

    def open(self) -> None:
        """Open the pool: one connection at once, more on demand (waits for none)."""
        self.pool.open(wait=False)

    def close(self) -> None:
        with _lock:
            _datastores.pop(self.key, None)
        super().close()


def shared_datastore(conninfo_parts: dict[str, Any], schema: str, *, budget: int) -> SharedDatastore:
    """The process's datastore within a budget of connections (at least one for the pool)."""
    datastore = SharedDatastore(conninfo_parts, schema, max_size=max(budget - OUTSIDE_THE_POOL, 2))
    with _lock:
        _datastores[datastore.key] = datastore
    datastore.open()
    return datastore


class SharedPostgresFactory(PostgresFactory):
    """The library's PostgreSQL factory over the process's shared datastore (named by REGISTRY_SHARED_DATASTORE),
    whose recorders append a command's events in one statement (postgres_append.py)."""

    application_recorder_class = AppendingApplicationRecorder
    process_recorder_class = AppendingProcessRecorder

    def __init__(self, env: Any) -> None:
        InfrastructureFactory.__init__(self, env)  # not the base's __init__: it would make a pool of its own
        key = self.env.get(DATASTORE_KEY) or ""
        with _lock:
            self.datastore = _datastores[key]

    def close(self) -> None:
        """The datastore belongs to the process (Registry.close closes it), not to one application."""


# -- the replica ----------------------------------------------------------------------------------------------------

REPLICA_APPLICATION_NAME = "registry-replica"  # how the replica's pg_stat_activity names this pool's sessions


def replica_pool(conninfo_parts: dict[str, Any], schema: str, *, budget: int) -> psycopg_pool.ConnectionPool[Any]:
    """A pool of its own over the streaming replica (REGISTRY_REPLICA_URL), within its own budget.

    Its sessions are read-only even if the URL names a primary by mistake; none is opened before the first read (a
    process that only projects never connects to the replica). A read that finds no connection within
    POOL_TIMEOUT_SECONDS raises PoolTimeout, an OperationalError the API answers with 503, as on the primary; so does
    a read the standby cancels for a conflict with recovery (set hot_standby_feedback = on on the replica so that the
    primary's vacuum does not remove rows its reads still see).
    """
    options = "-c default_transaction_read_only=on" + (f" -c search_path={schema}" if schema else "")
    pool: psycopg_pool.ConnectionPool[Any] = psycopg_pool.ConnectionPool(
        kwargs={
            **conninfo_parts,
            "connect_timeout": CONNECT_TIMEOUT_SECONDS,
            "application_name": REPLICA_APPLICATION_NAME,
            "options": options,
            "autocommit": True,  # each read is one statement; nothing stays open in a transaction on the standby
        },
        min_size=0,
        max_size=max(budget, 1),
        open=False,
        timeout=POOL_TIMEOUT_SECONDS,
        max_idle=IDLE_SECONDS,
        reconnect_timeout=RECONNECT_SECONDS,
        name="registry-replica",
    )
    pool.open(wait=False)
    return pool


@dataclass(frozen=True)
class ReplicaStatus:
    """What the replica says of itself: reachable, a standby, replay paused, seconds since it last replayed."""

    reachable: bool
    standby: bool = False
    replay_paused: bool = False
    seconds_since_replay: float | None = None
    error: str = ""


def replica_status(pool: psycopg_pool.ConnectionPool[Any]) -> ReplicaStatus:
    """Asks the replica (one statement); an unreachable replica is a status, not an exception."""
    try:
        with pool.connection() as connection:
            row = connection.execute(
                "SELECT pg_is_in_recovery(), CASE WHEN pg_is_in_recovery() THEN pg_is_wal_replay_paused() END, "
                "EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())::float8"
            ).fetchone()
    except psycopg.Error as error:
        return ReplicaStatus(reachable=False, error=type(error).__name__)
    standby, paused, seconds = row
    return ReplicaStatus(True, bool(standby), bool(paused), None if seconds is None else float(seconds))
