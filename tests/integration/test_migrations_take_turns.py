"""Two `registry db migrate` run at once on one PostgreSQL database take turns (an advisory lock), so that neither
fails on the other's catalog changes ("tuple concurrently updated", a duplicate type): two operators or two deploy
jobs may well start them together."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest

from projections.catalog import migrate_all
from registry.settings import Settings
from registry.system import MIGRATION_LOCK

pytestmark = pytest.mark.parametrize("store_env", ["postgres"], indirect=True)
ROUNDS = 4


def migrated_together(settings: Settings) -> list[list[str]]:
    """Two migrations released at the same moment; what each migrated."""
    start = threading.Barrier(2)

    def migrate() -> list[str]:
        start.wait()
        return migrate_all(settings)

    with ThreadPoolExecutor(2) as pool:
        runs = [pool.submit(migrate) for _ in range(2)]
        return [run.result(timeout=120) for run in runs]


def test_two_migrations_run_at_once_both_complete(settings: Settings) -> None:
    """On a fresh store, then on a migrated one (CREATE OR REPLACE of the same functions)."""
    for _ in range(ROUNDS):
        first, second = migrated_together(settings)
        assert first == second and first


def test_a_migration_waits_while_another_holds_the_lock(settings: Settings) -> None:
    with psycopg.connect(**settings.postgres_connection(), autocommit=True) as other:
        other.execute("SELECT pg_advisory_lock(hashtext(%s))", (MIGRATION_LOCK,))
        with ThreadPoolExecutor(1) as pool:
            waiting = pool.submit(migrate_all, settings)
            with pytest.raises(TimeoutError):
                waiting.result(timeout=2)
            other.execute("SELECT pg_advisory_unlock(hashtext(%s))", (MIGRATION_LOCK,))
            assert waiting.result(timeout=120)
