"""Backup and restore as the README's procedure does it: after a restore into a new database, every log verifies
against the checkpoint kept before the backup, sealed details open, and every read model equals a rebuild."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest

from api.demo import run_demo
from projections.base import Projection
from projections.catalog import ReadSide
from projections.exchange_feed import ExchangeFeed
from registry.common.actors import Actor
from registry.settings import Settings
from registry.system import open_registry
from tests.conftest import TEST_KEYS, TEST_SERVER_URL, fresh_schema_url
from tests.support import act, person

COURT = Actor("judge-7", "dv-source", "330782-court")
LOGS = ("marriage", "dv_records")


def registry_cli(env: dict[str, str], *arguments: str | Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "api.cli", *map(str, arguments)]
    done = subprocess.run(command, env={"PATH": "/usr/bin:/bin", **env}, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{arguments}: {done.stdout}{done.stderr}"
    return done


def create_data(env: dict[str, str]) -> tuple[Any, str]:
    """Demo marriages and one DV record with sealed details; returns the record's id and its subject's name."""
    settings = Settings.from_env(env)
    list(run_demo(settings, validity=timedelta(hours=1)))
    registry = open_registry(settings)
    try:
        subject = person(date(1990, 1, 1), "male", "赵刚")
        record = registry.dv_records.add_record(
            act(date(2026, 11, 22), by=COURT), subject=subject, category="criminal-judgment",
            document_number="(2024)浙0782刑初88号", issued_on=date(2024, 5, 1), expires_on=None,
        )  # fmt: skip
        return record.aggregate_id, subject.name
    finally:
        registry.close()


def comparable(projection: Projection, row: tuple[Any, ...]) -> tuple[Any, ...]:
    """A row as it reads: the exchange feed seals its last column at rest (a fresh nonce each time it is written)."""
    return (*row[:-1], projection.unseal(row[-1])) if isinstance(projection, ExchangeFeed) else row


def read_models(env: dict[str, str]) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every read model's tables, in a stable order."""
    registry = open_registry(Settings.from_env(env))
    read_side = ReadSide(registry)
    try:
        return {
            table: sorted((comparable(projection, row) for row in read_side.store.query(f"SELECT * FROM {table}")),
                          key=repr)
            for projection in read_side.projections
            for table in projection.tables
        }  # fmt: skip
    finally:
        read_side.close()
        registry.close()


def rebuild_every_read_model(env: dict[str, str]) -> None:
    registry = open_registry(Settings.from_env(env))
    read_side = ReadSide(registry)
    try:
        for projection in read_side.projections:
            read_side.rebuild(projection.name)
    finally:
        read_side.close()
        registry.close()


@pytest.fixture
def new_database(postgres_database: str) -> Iterator[str]:
    """A new, empty database (and one for its key store) to restore into, dropped at the end."""
    name = postgres_database.rsplit("/", 1)[1] + "_restored"
    with psycopg.connect(TEST_SERVER_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        admin.execute(f'CREATE DATABASE "{name}_keys"')
    yield postgres_database.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(TEST_SERVER_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'DROP DATABASE IF EXISTS "{name}_keys" WITH (FORCE)')


@pytest.mark.postgres
def test_a_backup_restored_into_a_new_database_verifies_and_equals_a_rebuild(
    postgres_database: str, new_database: str, tmp_path: Path
) -> None:
    events_url, keys_url = fresh_schema_url(postgres_database), fresh_schema_url(postgres_database + "_keys")
    source = {**TEST_KEYS, "REGISTRY_DATA_DIR": str(tmp_path / "source"), "REGISTRY_DATABASE_URL": events_url,
              "REGISTRY_DV_KEYS_URL": keys_url}  # fmt: skip
    registry_cli(source, "db", "migrate")
    record_id, subject_name = create_data(source)
    for log in LOGS:  # the auditor keeps the last published checkpoint of each log
        registry_cli(source, "audit", "export", log, tmp_path / f"kept-{log}")
    registry_cli(source, "backup", tmp_path / "backup-events", tmp_path / "backup-dv-keys")

    events_schema, keys_schema = events_url.split("?", 1)[1], keys_url.split("?", 1)[1]
    target = {**TEST_KEYS, "REGISTRY_DATA_DIR": str(tmp_path / "target"),
              "REGISTRY_DATABASE_URL": f"{new_database}?{events_schema}",
              "REGISTRY_DV_KEYS_URL": f"{new_database}_keys?{keys_schema}",
              # the keyring is the operator's secret, restored from where they keep it, never from the backup
              "REGISTRY_DV_KEYRING": str(tmp_path / "source" / "dv-keyring")}  # fmt: skip
    registry_cli(target, "restore", tmp_path / "backup-events", tmp_path / "backup-dv-keys")
    assert "FAIL" not in registry_cli(target, "doctor").stdout

    for log in LOGS:
        kept, now = tmp_path / f"kept-{log}", tmp_path / f"restored-{log}"
        registry_cli(target, "audit", "export", log, now, "--since", kept / "checkpoint.json")
        verified = registry_cli(
            target, "audit", "verify", "--public-key", kept / "public-key.txt", "--checkpoint",
            kept / "checkpoint.json", "--log", now / "log.jsonl", "--newer", now / "checkpoint.json",
            "--proof", now / "consistency.json",
        )  # fmt: skip
        assert "VERIFIED" in verified.stdout

    restored = open_registry(Settings.from_env(target))
    try:
        assert restored.dv_records.details(restored.dv_records.record(record_id)).subject_name == subject_name
    finally:
        restored.close()

    as_restored = read_models(target)
    assert sum(len(rows) for rows in as_restored.values()) > 0
    rebuild_every_read_model(target)
    assert read_models(target) == as_restored


@pytest.mark.postgres
def test_a_restore_never_writes_over_a_store_that_has_events(postgres_database: str, tmp_path: Path) -> None:
    env = {**TEST_KEYS, "REGISTRY_DATA_DIR": str(tmp_path / "var"),
           "REGISTRY_DATABASE_URL": fresh_schema_url(postgres_database),
           "REGISTRY_DV_KEYS_URL": fresh_schema_url(postgres_database + "_keys")}  # fmt: skip
    registry_cli(env, "db", "migrate")
    registry_cli(env, "backup", tmp_path / "events", tmp_path / "keys")
    command = [sys.executable, "-m", "api.cli", "restore", str(tmp_path / "events"), str(tmp_path / "keys")]
    refused = subprocess.run(command, env={"PATH": "/usr/bin:/bin", **env}, capture_output=True, text=True, timeout=60)
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert "already has tables: restore into a new database" in refused.stderr


def test_the_embedded_store_is_backed_up_file_by_file_and_restored_into_a_new_data_dir(tmp_path: Path) -> None:
    source = {**TEST_KEYS, "REGISTRY_DATA_DIR": str(tmp_path / "source")}
    registry_cli(source, "db", "migrate")
    record_id, subject_name = create_data(source)
    registry_cli(source, "audit", "export", "marriage", tmp_path / "kept")
    registry_cli(source, "backup", tmp_path / "events", tmp_path / "keys")
    assert not list((tmp_path / "events").glob("*.key")) and not (tmp_path / "events" / "dv-keyring").exists()

    target = {**TEST_KEYS, "REGISTRY_DATA_DIR": str(tmp_path / "target"),
              "REGISTRY_DV_KEYRING": str(tmp_path / "source" / "dv-keyring")}  # fmt: skip
    registry_cli(target, "restore", tmp_path / "events", tmp_path / "keys")
    registry_cli(target, "audit", "export", "marriage", tmp_path / "now", "--since", tmp_path / "kept/checkpoint.json")
    verified = registry_cli(
        target, "audit", "verify", "--public-key", tmp_path / "kept/public-key.txt", "--checkpoint",
        tmp_path / "kept/checkpoint.json", "--log", tmp_path / "now/log.jsonl",
    )  # fmt: skip
    assert "VERIFIED" in verified.stdout
    restored = open_registry(Settings.from_env(target))
    try:
        assert restored.dv_records.details(restored.dv_records.record(record_id)).subject_name == subject_name
    finally:
        restored.close()
    as_restored = read_models(target)
    rebuild_every_read_model(target)
    assert read_models(target) == as_restored
