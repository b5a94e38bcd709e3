"""Stores for tests: every application test runs on SQLite and on PostgreSQL.

PostgreSQL comes from REGISTRY_TEST_DATABASE_URL (default: the local server). Each test gets its own schema in a
database this session creates and drops. With CI=true an unreachable server fails the run; elsewhere those tests
are skipped with a visible notice.
"""

from __future__ import annotations

import base64
import os
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from projections.catalog import migrate_all
from registry.settings import Settings
from registry.system import Registry, open_registry

TEST_SERVER_URL = os.environ.get("REGISTRY_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
TEST_KEYS = {
    "REGISTRY_MASTER_KEY": base64.b64encode(b"test master key of 32 bytes....." * 2).decode(),
    "REGISTRY_FEDERATION_KEY": base64.b64encode(b"test federation key of 32 bytes." * 2).decode(),
    # Tests send many requests a minute from one subject and address: no test is throttled unless it asks to be.
    "REGISTRY_RATE_LIMIT": "1000000",
    "REGISTRY_RATE_LIMIT_ANONYMOUS": "1000000",
}


def _server_reachable() -> str | None:
    try:
        with psycopg.connect(TEST_SERVER_URL, connect_timeout=3, autocommit=True):
            return None
    except psycopg.Error as error:
        return str(error).strip().splitlines()[0]


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A database of its own for this test session, dropped at the end."""
    problem = _server_reachable()
    if problem is not None:
        message = f"PostgreSQL at {TEST_SERVER_URL} is unreachable: {problem}"
        if IN_CI:
            pytest.fail(message + " (CI=true: PostgreSQL tests must run)", pytrace=False)
        pytest.skip(message)
    name = f"registry_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(TEST_SERVER_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        admin.execute(f'CREATE DATABASE "{name}_keys"')  # the DV key store lives in a database of its own
    base = TEST_SERVER_URL.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    with psycopg.connect(TEST_SERVER_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'DROP DATABASE IF EXISTS "{name}_keys" WITH (FORCE)')


def fresh_schema_url(database_url: str) -> str:
    """The URL of a new, empty schema in the session's database."""
    schema = f"s_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    return f"{database_url}?schema={schema}"


def sqlite_settings(data_dir: Path) -> Settings:
    return Settings.from_env({**TEST_KEYS, "REGISTRY_DATA_DIR": str(data_dir)})


def migrated_sqlite_registry(data_dir: Path) -> Iterator[Registry]:
    """A registry on a migrated embedded store in `data_dir`, closed afterwards (for module-scoped fixtures)."""
    settings = sqlite_settings(data_dir)
    migrate_all(settings)
    opened = open_registry(settings)
    yield opened
    opened.close()


@pytest.fixture(params=["sqlite", "postgres"])
def store_env(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, str]:
    """The environment of an empty store of each kind (what a registry process would be started with)."""
    env = {**TEST_KEYS, "REGISTRY_DATA_DIR": str(tmp_path / "var")}
    if request.param == "postgres":
        database = request.getfixturevalue("postgres_database")
        env["REGISTRY_DATABASE_URL"] = fresh_schema_url(database)
        env["REGISTRY_DV_KEYS_URL"] = fresh_schema_url(database + "_keys")
    return env


@pytest.fixture
def settings(store_env: dict[str, str]) -> Settings:
    return Settings.from_env(store_env)


@pytest.fixture
def registry(settings: Settings) -> Iterator[Registry]:
    """The registry's applications on a migrated, empty store."""
    migrate_all(settings)
    opened = open_registry(settings)
    yield opened
    opened.close()


def pytest_report_header() -> list[str]:
    problem = _server_reachable()
    state = "reachable" if problem is None else f"UNREACHABLE ({problem}): PostgreSQL tests will be skipped"
    return [f"PostgreSQL for tests: {TEST_SERVER_URL} {state}"]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """One line per reason for skipping, with how many tests it skipped (not a line per test, as `-rs` gives)."""
    reasons = Counter(_skip_reason(report) for report in terminalreporter.stats.get("skipped", []))
    for reason, count in reasons.most_common():
        terminalreporter.write_line(f"{count} test{'s' if count != 1 else ''} skipped: {reason}", yellow=True)


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
    return reason.removeprefix("Skipped: ")
