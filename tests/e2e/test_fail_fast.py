"""A store that cannot be used stops a command at once with one line naming the cause and the fix; the projection
process waits for a store that is down, and stops cleanly on SIGINT and SIGTERM."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import psycopg
import pytest

from projections.catalog import migrate_all
from registry.settings import Settings
from tests.conftest import TEST_KEYS, TEST_SERVER_URL
from tests.e2e.postgres_cluster import free_port, own_cluster

COMMANDS = (("serve",), ("project",), ("projections", "status"))


def registry(env: dict[str, str], *arguments: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "api.cli", *arguments], env={**os.environ, **env}, capture_output=True, text=True,
        timeout=timeout,
    )  # fmt: skip


def one_line_naming(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode == 1, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and "listening on" not in result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and all(word in lines[0] for word in words), result.stderr


def env_of(tmp_path: Path, database_url: str, keys_url: str | None = None) -> dict[str, str]:
    env = {**TEST_KEYS, "REGISTRY_DATA_DIR": str(tmp_path), "REGISTRY_DATABASE_URL": database_url}
    return {**env, "REGISTRY_DV_KEYS_URL": keys_url or database_url + "_keys"}


def test_an_unreachable_server_is_named_in_one_line_by_every_command(tmp_path: Path) -> None:
    env = env_of(tmp_path, f"postgresql://postgres@127.0.0.1:{free_port()}/registry")
    for command in (*COMMANDS, ("db", "migrate")):
        if command == ("project",):
            continue  # the projection process waits instead (below)
        started = time.monotonic()
        one_line_naming(registry(env, *command), "cannot be reached", "REGISTRY_DATABASE_URL")
        assert time.monotonic() - started < 15


@pytest.mark.postgres
def test_a_missing_database_is_named_with_how_to_create_it(tmp_path: Path, postgres_database: str) -> None:
    base = TEST_SERVER_URL.rsplit("/", 1)[0]
    env = env_of(tmp_path, f"{base}/registry_missing_database")
    for command in (*COMMANDS, ("db", "migrate")):
        one_line_naming(registry(env, *command), "database registry_missing_database does not exist", "createdb")


def test_a_store_not_migrated_says_run_registry_db_migrate(store_env: dict[str, str]) -> None:
    for command in COMMANDS:
        one_line_naming(registry(store_env, *command), "not migrated", "run `registry db migrate`")


def test_a_store_migrated_before_the_newest_read_model_table_says_run_registry_db_migrate(
    store_env: dict[str, str],
) -> None:
    """After an upgrade that adds a table (here projection_failing) the processes refuse to start until migrated."""
    settings = Settings.from_env(store_env)
    migrate_all(settings)
    if settings.uses_postgres:
        url, schema = settings.postgres_target()
        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute(f'DROP TABLE "{schema}".projection_failing')
    else:
        with closing(sqlite3.connect(settings.data_dir / "views.sqlite")) as connection:
            connection.execute("DROP TABLE projection_failing")
    one_line_naming(registry(store_env, "projections", "status"), "not migrated", "run `registry db migrate`")


@pytest.mark.slow
def test_a_full_server_is_named_and_the_projection_process_waits_for_it_then_stops_on_either_signal(
    tmp_path: Path,
) -> None:
    with own_cluster(max_connections="4", superuser_reserved_connections="0") as cluster:
        env = env_of(tmp_path, cluster.create_database("registry"), cluster.create_database("registry_keys"))
        assert registry(env, "db", "migrate", timeout=120).returncode == 0
        hogs = [psycopg.connect(f"{cluster.url}/postgres") for _ in range(4)]
        try:
            one_line_naming(registry(env, "projections", "status"), "too many clients", "max_connections")
            for signum in (signal.SIGINT, signal.SIGTERM):
                process = subprocess.Popen(
                    [sys.executable, "-m", "api.cli", "project"], env={**os.environ, **env},
                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                )  # fmt: skip
                assert process.stderr is not None and process.stdout is not None
                waiting = process.stderr.readline()
                assert "waiting for the store" in waiting and "too many clients" in waiting
                hogs.pop().close()  # room for the projection process's connections
                hogs.pop().close()
                assert process.stdout.readline().startswith("projecting: ")
                process.send_signal(signum)
                assert process.wait(timeout=20) == 0
                assert "stopped" in process.stdout.read() and "Traceback" not in process.stderr.read()
                hogs += [psycopg.connect(f"{cluster.url}/postgres") for _ in range(2)]
        finally:
            for hog in hogs:
                hog.close()
