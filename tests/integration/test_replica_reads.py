"""REGISTRY_REPLICA_URL: unset, every read comes from the primary; set, the read models' reads go to a read-only pool
of their own, within their own budget, that can never write (even when the URL names the primary by mistake)."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from api.doctor import replica_check
from projections.catalog import ReadSide, migrate_all
from registry.keys import SettingsError
from registry.settings import Settings
from registry.system import Registry, open_registry
from tests.conftest import TEST_KEYS, fresh_schema_url


def test_without_a_replica_every_read_comes_from_the_primary(registry: Registry) -> None:
    read_side = ReadSide(registry)
    try:
        assert read_side.replica is None
        assert read_side.reads is read_side.store
        assert read_side.replica_lag() == {}
    finally:
        read_side.close()


@pytest.mark.parametrize(
    "database_url, replica_url",
    [(None, "postgresql://postgres@127.0.0.1:5433/registry"), ("postgresql://postgres@127.0.0.1/r", "replica.sqlite")],
)
def test_a_replica_is_a_postgresql_url_beside_a_postgresql_primary(
    tmp_path: Path, database_url: str | None, replica_url: str
) -> None:
    env = {**TEST_KEYS, "REGISTRY_DATA_DIR": str(tmp_path), "REGISTRY_REPLICA_URL": replica_url}
    with pytest.raises(SettingsError, match="REGISTRY_REPLICA_URL"):
        Settings.from_env({**env, **({"REGISTRY_DATABASE_URL": database_url} if database_url else {})})


def test_the_replica_budget_is_its_own_setting_and_defaults_to_the_primary_budget(tmp_path: Path) -> None:
    env = {
        **TEST_KEYS, "REGISTRY_DATA_DIR": str(tmp_path), "REGISTRY_DATABASE_URL": "postgresql://postgres@127.0.0.1/r",
        "REGISTRY_REPLICA_URL": "postgresql://postgres@127.0.0.1:5433/r", "REGISTRY_DB_CONNECTIONS": "7",
    }  # fmt: skip
    assert Settings.from_env(env).replica_connections == 7
    assert Settings.from_env({**env, "REGISTRY_REPLICA_CONNECTIONS": "3"}).replica_connections == 3
    with pytest.raises(SettingsError, match="REGISTRY_REPLICA_CONNECTIONS"):
        Settings.from_env({**env, "REGISTRY_REPLICA_CONNECTIONS": "1"})


@pytest.mark.postgres
def test_a_replica_url_naming_the_primary_by_mistake_reads_but_never_writes_and_doctor_says_so(
    postgres_database: str, tmp_path: Path
) -> None:
    events = fresh_schema_url(postgres_database)
    env = {
        **TEST_KEYS, "REGISTRY_DATA_DIR": str(tmp_path), "REGISTRY_DATABASE_URL": events,
        "REGISTRY_DV_KEYS_URL": fresh_schema_url(postgres_database + "_keys"), "REGISTRY_REPLICA_URL": events,
        "REGISTRY_DB_CONNECTIONS": "4", "REGISTRY_REPLICA_CONNECTIONS": "2",
    }  # fmt: skip
    settings = Settings.from_env(env)
    migrate_all(settings)
    registry = open_registry(settings)
    read_side = ReadSide(registry)
    try:
        assert read_side.replica is not registry.pool
        assert read_side.replica.max_size == 2
        assert read_side.reads.positions() == read_side.store.positions()
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction), read_side.reads.transaction() as cursor:
            cursor.execute("DELETE FROM projection_tracking")
        check = replica_check(settings)
        assert not check.ok
        assert "is not a standby" in check.detail
    finally:
        read_side.close()
        registry.close()
