"""One server process stays within REGISTRY_DB_CONNECTIONS PostgreSQL connections, and keeps few of them idle."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from litestar.testing import TestClient

from api.app import create_app
from api.auth import mint_token
from projections.catalog import migrate_all
from registry.common.actors import Role
from registry.keys import Purpose, SettingsError
from registry.settings import Settings
from registry.system import open_registry
from tests.conftest import TEST_KEYS, TEST_SERVER_URL
from tests.integration.test_quarantine import marry

DEFAULT_BUDGET = 10
IDLE_AT_MOST = 5  # the pool keeps one; the LISTEN connection; those a burst opened, closed after a minute idle


@pytest.fixture
def own_databases(postgres_database: str) -> Iterator[tuple[str, str]]:
    """Databases that only this test connects to, so that every connection counted is the process's own."""
    name = f"registry_budget_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(TEST_SERVER_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        admin.execute(f'CREATE DATABASE "{name}_keys"')
    yield name, f"{name}_keys"
    with psycopg.connect(TEST_SERVER_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'DROP DATABASE IF EXISTS "{name}_keys" WITH (FORCE)')


def connections(databases: tuple[str, str]) -> list[tuple[str, str]]:
    """(database, state) of every client connection to the databases."""
    with psycopg.connect(TEST_SERVER_URL, autocommit=True) as admin:
        rows = admin.execute(
            "SELECT datname, coalesce(state, '') FROM pg_stat_activity "
            "WHERE datname = ANY(%s) AND backend_type = 'client backend'",
            (list(databases),),
        ).fetchall()
    return [(str(database), str(state)) for database, state in rows]


def test_a_server_process_holds_at_most_its_connection_budget_and_few_idle(
    own_databases: tuple[str, str], tmp_path: Path
) -> None:
    base = TEST_SERVER_URL.rsplit("/", 1)[0]
    events, keys = own_databases
    settings = Settings.from_env({
        **TEST_KEYS, "REGISTRY_DATA_DIR": str(tmp_path), "REGISTRY_DATABASE_URL": f"{base}/{events}",
        "REGISTRY_DV_KEYS_URL": f"{base}/{keys}",
    })  # fmt: skip
    assert settings.db_connections == DEFAULT_BUDGET
    migrate_all(settings)
    registry = open_registry(settings)
    auditor = {
        "Authorization": "Bearer "
        + mint_token(settings.keys[Purpose.TOKEN], subject="auditor-1", role=Role.AUDITOR, ttl_seconds=600)
    }
    peak = 0
    try:
        with TestClient(create_app(registry=registry, run_projections=True)) as client:
            for _ in range(3):
                marry(registry, 2)
                for path in (
                    "/ready",
                    "/v1/worklists/marriage",
                    "/v1/statistics/marital-status",
                    "/v1/audit/marriage/checkpoint",
                ):
                    client.get(path, headers=auditor)
                peak = max(peak, len(connections(own_databases)))
            deadline = time.monotonic() + 20
            while client.get("/ready").json()["status"] != "ready" and time.monotonic() < deadline:
                time.sleep(0.2)
            time.sleep(0.5)
            held = connections(own_databases)
    finally:
        registry.close()

    assert peak <= DEFAULT_BUDGET and len(held) <= DEFAULT_BUDGET, (peak, held)
    assert len([state for _, state in held if state == "idle"]) <= IDLE_AT_MOST, held
    # Closing the registry gives every connection back (a backend leaves pg_stat_activity a moment after its client
    # closed it: wait for that, bounded).
    deadline = time.monotonic() + 5
    while connections(own_databases) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert connections(own_databases) == []


def test_the_budget_is_at_least_what_the_pool_the_runner_and_the_key_store_need(tmp_path: Path) -> None:
    """A pool of two (the runner holds a view transaction while it reads the log), the LISTEN connection, the key
    store: a smaller budget is refused naming the setting, rather than a registry that never moves."""
    env = {**TEST_KEYS, "REGISTRY_DATA_DIR": str(tmp_path)}
    with pytest.raises(SettingsError, match="REGISTRY_DB_CONNECTIONS"):
        Settings.from_env({**env, "REGISTRY_DB_CONNECTIONS": "3"})
    assert Settings.from_env({**env, "REGISTRY_DB_CONNECTIONS": "4"}).db_connections == 4
