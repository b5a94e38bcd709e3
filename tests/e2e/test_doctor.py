"""`registry doctor`: one line per check, OK or FAIL with what to fix; exit 0 only when every check passes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import TEST_KEYS, fresh_schema_url


def doctor(env: dict[str, str], *arguments: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "api.cli", "doctor", *arguments]
    return subprocess.run(command, env={"PATH": "/usr/bin:/bin", **env}, capture_output=True, text=True, timeout=120)


def migrate(env: dict[str, str]) -> None:
    command = [sys.executable, "-m", "api.cli", "db", "migrate"]
    done = subprocess.run(command, env={"PATH": "/usr/bin:/bin", **env}, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def line_of(output: str, check: str) -> str:
    lines = [line for line in output.splitlines() if line.split()[1:2] == [check + ":"]]
    assert len(lines) == 1, output
    return lines[0]


def test_a_fresh_embedded_store_fails_the_migration_check_naming_the_command(tmp_path: Path) -> None:
    env = {**TEST_KEYS, "REGISTRY_DATA_DIR": str(tmp_path / "var")}
    result = doctor(env)
    assert result.returncode == 1, result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    assert line_of(result.stdout, "settings").startswith("OK")
    assert line_of(result.stdout, "database").startswith("OK")
    migrations = line_of(result.stdout, "migrations")
    assert migrations.startswith("FAIL") and "registry db migrate" in migrations


def test_after_migrating_every_check_of_the_embedded_store_passes(tmp_path: Path) -> None:
    env = {**TEST_KEYS, "REGISTRY_DATA_DIR": str(tmp_path / "var")}
    migrate(env)
    result = doctor(env)
    assert result.returncode == 0, result.stdout
    for check in ("settings", "keys", "database", "connection-budget", "migrations", "dv-key-store", "projections"):
        assert line_of(result.stdout, check).startswith("OK")


def test_unusable_settings_are_one_failed_line(tmp_path: Path) -> None:
    env = {"REGISTRY_DATA_DIR": str(tmp_path / "var"), "REGISTRY_MASTER_KEY": "c2hvcnQ="}
    result = doctor(env)
    assert result.returncode == 1 and "Traceback" not in result.stdout + result.stderr
    settings = line_of(result.stdout, "settings")
    assert settings.startswith("FAIL") and "REGISTRY_MASTER_KEY must be base64 of at least 32 bytes" in settings


def test_development_keys_on_the_embedded_store_are_reported_as_such(tmp_path: Path) -> None:
    env = {"REGISTRY_DATA_DIR": str(tmp_path / "var")}
    migrate(env)
    keys = line_of(doctor(env).stdout, "keys")
    assert keys.startswith("OK") and "development keys" in keys and "REGISTRY_MASTER_KEY" in keys


@pytest.mark.postgres
def test_a_wrong_postgres_database_fails_the_database_check_naming_it(postgres_database: str, tmp_path: Path) -> None:
    base = postgres_database.rsplit("/", 1)[0]
    env = {
        **TEST_KEYS,
        "REGISTRY_DATA_DIR": str(tmp_path / "var"),
        "REGISTRY_DATABASE_URL": f"{base}/no_such_registry_db",
        "REGISTRY_DV_KEYS_URL": f"{postgres_database}_keys",
    }
    result = doctor(env)
    assert result.returncode == 1 and "Traceback" not in result.stdout + result.stderr
    database = line_of(result.stdout, "database")
    assert database.startswith("FAIL") and "no_such_registry_db" in database


@pytest.mark.postgres
def test_a_migrated_postgres_store_passes_every_check(postgres_database: str, tmp_path: Path) -> None:
    store_env = {
        **TEST_KEYS,
        "REGISTRY_DATA_DIR": str(tmp_path / "var"),
        "REGISTRY_DATABASE_URL": fresh_schema_url(postgres_database),
        "REGISTRY_DV_KEYS_URL": fresh_schema_url(postgres_database + "_keys"),
    }
    unmigrated = doctor(store_env)
    assert unmigrated.returncode == 1
    assert "registry db migrate" in line_of(unmigrated.stdout, "migrations")
    migrate(store_env)
    result = doctor(store_env)
    assert result.returncode == 0, result.stdout
    for check in ("settings", "keys", "database", "connection-budget", "migrations", "dv-key-store", "projections"):
        assert line_of(result.stdout, check).startswith("OK")


@pytest.mark.postgres
def test_the_connection_budget_check_says_how_many_processes_fit_and_fails_when_none_does(
    postgres_database: str, tmp_path: Path
) -> None:
    store_env = {
        **TEST_KEYS,
        "REGISTRY_DATA_DIR": str(tmp_path / "var"),
        "REGISTRY_DATABASE_URL": fresh_schema_url(postgres_database),
        "REGISTRY_DV_KEYS_URL": fresh_schema_url(postgres_database + "_keys"),
    }
    fits = line_of(doctor(store_env).stdout, "connection-budget")
    greedy = line_of(doctor({**store_env, "REGISTRY_DB_CONNECTIONS": "100000"}).stdout, "connection-budget")

    assert fits.startswith("OK") and "10 per process" in fits and "max_connections" in fits
    assert greedy.startswith("FAIL") and "REGISTRY_DB_CONNECTIONS" in greedy and "max_connections" in greedy
