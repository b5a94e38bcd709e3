"""Sealing that cannot be undone: what a dump, a dead row or a backup of the DV key store holds opens nothing sealed.

The attacker here holds everything but the destroyed epoch keys: every row of the key store before and after the
sealing, the raw bytes of its database files (dead row versions included), the events, and the keyring as it is now.
"""

from __future__ import annotations

import base64
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
import pytest
from cryptography.exceptions import InvalidTag

from projections.catalog import ReadSide
from registry.adapters.dv_keys import EpochKey, FileKeyring, SqlDataKeys, check_apart_from_events, sqlite_data_keys
from registry.common.actors import Actor
from registry.common.sealing import Unreadable, unseal
from registry.keys import SettingsError
from registry.settings import Settings
from registry.system import Registry, dv_key_store
from tests.support import act, person

TODAY = date(2026, 11, 22)
COURT = Actor("judge-7", "dv-source", "330782-court")
BASE64_RUN = re.compile(rb"[A-Za-z0-9+/]{40,}={0,2}")


def add_record(registry: Registry, name: str = "赵刚") -> UUID:
    subject = person(date(1990, 1, 1), "male", name)
    return registry.dv_records.add_record(
        act(TODAY, by=COURT), subject=subject, category="criminal-judgment", document_number="(2024)浙0782刑初88号",
        issued_on=date(2024, 5, 1), expires_on=None,
    ).aggregate_id  # fmt: skip


def key_store_rows(registry: Registry) -> list[tuple[Any, ...]]:
    """Every row of the key store's tables, as a dump would hold them."""
    settings = registry.settings
    if settings.uses_postgres:
        with psycopg.connect(keys_conninfo(settings)) as conn:
            return list(conn.execute("SELECT key_id, epoch, owner_tag, subject_tag, wrapped FROM dv_data_keys"))
    import sqlite3

    with sqlite3.connect(settings.data_dir / "dv-keys.sqlite") as conn:
        return list(conn.execute("SELECT key_id, epoch, owner_tag, subject_tag, wrapped FROM dv_data_keys"))


def keys_conninfo(settings: Settings) -> str:
    url, _, query = (settings.dv_keys_url or "").partition("?")
    return f"{url}?options=-csearch_path%3D{query.split('=')[1]}"


def raw_key_store_bytes(registry: Registry) -> bytes:
    """The key store's files as they lie on disk: SQLite's file, or PostgreSQL's heap files of its tables."""
    settings = registry.settings
    if not settings.uses_postgres:
        return b"".join(p.read_bytes() for p in settings.data_dir.glob("dv-keys.sqlite*"))
    with psycopg.connect(keys_conninfo(settings), autocommit=True) as conn:
        conn.execute("CHECKPOINT")  # write the dead row versions out to the heap files
        data_directory = conn.execute("SHOW data_directory").fetchone()[0]  # type: ignore[index]
        files = [row[0] for row in conn.execute(
            "SELECT pg_relation_filepath(c.oid) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relname LIKE 'dv_%'"
        )]  # fmt: skip
    return b"".join(Path(data_directory, f).read_bytes() for f in files if Path(data_directory, f).exists())


def live_epoch_keys(registry: Registry) -> list[EpochKey]:
    keyring = registry.dv_keys.keyring
    return [EpochKey.of(e, k) for e in keyring.epochs() if (k := keyring.key(e)) is not None]


def opens(candidate_blobs: list[str], key_ids: list[str], registry: Registry, record_id: UUID) -> bool:
    """Whether any blob, unwrapped with any epoch key still in the keyring, yields a key opening the record."""
    sealed_details = registry.dv_records.record(record_id).sealed_details
    for epoch in live_epoch_keys(registry):
        for blob in candidate_blobs:
            for key_id in key_ids:
                try:
                    content = epoch.unwrap_row(key_id, blob)
                except (InvalidTag, ValueError):
                    continue
                try:
                    unseal(base64.b64decode(content["key"]), sealed_details, str(record_id))
                    return True
                except Unreadable:
                    continue
    return False


def test_a_dump_and_the_raw_files_taken_after_sealing_open_no_sealed_record(registry: Registry) -> None:
    sealed, kept = add_record(registry), add_record(registry, "孙亮")
    before = {row[0]: row[4] for row in key_store_rows(registry)}
    registry.dv_records.seal(act(TODAY, by=COURT), sealed, reason="expunged by court order")
    rows = key_store_rows(registry)
    raw = raw_key_store_bytes(registry)
    if registry.settings.uses_postgres:  # the sealed record's old row is still on disk, as a dead row version
        assert before[str(sealed)].encode() in raw
    blobs = [row[4] for row in rows] + [m.decode() for m in BASE64_RUN.findall(raw)]
    key_ids = sorted({str(sealed), *(row[0] for row in rows)})
    assert not opens(blobs, key_ids, registry, sealed)
    assert opens(blobs, key_ids, registry, kept)  # the same attack does open what was not sealed


def test_a_dump_taken_before_sealing_opens_nothing_once_the_epoch_is_destroyed(registry: Registry) -> None:
    sealed, kept = add_record(registry), add_record(registry, "孙亮")
    before = key_store_rows(registry)
    blobs, key_ids = [row[4] for row in before], [row[0] for row in before]
    assert opens(blobs, key_ids, registry, sealed)  # before the sealing, that dump would open it
    registry.dv_records.seal(act(TODAY, by=COURT), sealed, reason="expunged by court order")
    assert not opens(blobs, key_ids, registry, sealed)
    assert not opens(blobs, key_ids, registry, kept)  # the old dump opens nothing at all any more
    assert registry.dv_records.details(registry.dv_records.record(kept)).subject_name == "孙亮"  # the live store does


def test_unsealed_records_still_open_and_history_replays_and_rebuilds_after_sealing(registry: Registry) -> None:
    records = [add_record(registry, f"当事人{n}") for n in range(5)]
    for sealed in records[:2]:
        registry.dv_records.seal(act(TODAY, by=COURT), sealed, reason="expunged")
    assert [registry.dv_records.details(registry.dv_records.record(r)).subject_name for r in records[2:]] == [
        "当事人2", "当事人3", "当事人4",
    ]  # fmt: skip
    for sealed in records[:2]:
        assert registry.dv_records.record(sealed).sealed  # the history replays
        with pytest.raises(Unreadable):
            registry.dv_records.details(registry.dv_records.record(sealed))
    read_side = ReadSide(registry)
    try:
        assert read_side.rebuild("audit_trail") > 0
    finally:
        read_side.close()
    states = [state for _, state, _ in registry.dv_keys.epochs()]
    assert states == ["destroyed", "destroyed", "current"]


def test_no_row_of_the_key_store_holds_a_key_or_a_person_in_clear(registry: Registry) -> None:
    subject = person(date(1990, 1, 1), "male", "赵刚")
    record_id = registry.dv_records.add_record(
        act(TODAY, by=COURT), subject=subject, category="criminal-judgment", document_number="(2024)浙0782刑初8号",
        issued_on=date(2024, 5, 1), expires_on=None,
    ).aggregate_id  # fmt: skip
    raw = b"\n".join(str(v).encode() for row in key_store_rows(registry) for v in row)
    assert str(record_id).encode() in raw  # the dump does hold the rows
    for clear in (registry.marriage.person_ref(subject), subject.document_number, subject.name):
        assert clear.encode() not in raw


def test_a_retired_epoch_survives_its_retention_period_and_is_destroyed_when_due(tmp_path: Path) -> None:
    moment = [datetime(2026, 11, 22, tzinfo=UTC)]
    keyring = FileKeyring(tmp_path / "keyring")
    store = sqlite_data_keys(tmp_path / "keys.sqlite", keyring, retention=timedelta(hours=24))
    store = SqlDataKeys(store._begin, keyring, retention=timedelta(hours=24), now=lambda: moment[0])
    store.migrate()
    store.create("r1", owner="r1")
    store.create("r2", owner="r2")
    store.shred("r1")
    assert keyring.epochs() == [1, 2]  # within the retention period a backup of the key store can still be restored
    moment[0] += timedelta(hours=24)
    assert store.destroy_due() == [1]
    assert keyring.epochs() == [2] and store.get("r2") is not None and store.get("r1") is None


def test_a_keyring_epoch_left_by_a_crashed_sealing_is_destroyed_on_start(tmp_path: Path) -> None:
    keyring = FileKeyring(tmp_path / "keyring")
    store = sqlite_data_keys(tmp_path / "keys.sqlite", keyring)
    store.migrate()
    keyring.create(7)  # made before a crash, never committed to the store
    reopened = sqlite_data_keys(tmp_path / "keys.sqlite", keyring)
    reopened.create("r1", owner="r1")
    assert keyring.epochs() == [1]


def test_keys_an_earlier_version_kept_unwrapped_are_wrapped_and_their_table_dropped(tmp_path: Path) -> None:
    import sqlite3

    with sqlite3.connect(tmp_path / "keys.sqlite") as conn:
        conn.execute("CREATE TABLE record_keys (record_id TEXT PRIMARY KEY, key_material TEXT NOT NULL)")
        conn.execute("INSERT INTO record_keys VALUES (?, ?)", ("r1", base64.b64encode(b"k" * 32).decode()))
    store = sqlite_data_keys(tmp_path / "keys.sqlite", FileKeyring(tmp_path / "keyring"))
    store.migrate()
    assert store.get("r1") == b"k" * 32
    with sqlite3.connect(tmp_path / "keys.sqlite") as conn:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "record_keys" not in tables


def test_on_postgresql_the_key_store_in_the_events_database_refuses_to_start(tmp_path: Path) -> None:
    base = {"REGISTRY_DATA_DIR": str(tmp_path), "REGISTRY_MASTER_KEY": base64.b64encode(b"m" * 32).decode(),
            "REGISTRY_DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/registry?schema=s1"}  # fmt: skip
    with pytest.raises(SettingsError, match="REGISTRY_DV_KEYS_URL is required on PostgreSQL"):
        dv_key_store(Settings.from_env(base))
    same = {**base, "REGISTRY_DV_KEYS_URL": "postgresql://postgres@127.0.0.1/registry?schema=keys"}
    with pytest.raises(SettingsError, match="names the events' database"):
        dv_key_store(Settings.from_env(same))


def test_the_key_store_in_the_events_database_is_accepted_only_by_the_explicit_development_setting(
    tmp_path: Path,
) -> None:
    base = {"REGISTRY_DATA_DIR": str(tmp_path), "REGISTRY_MASTER_KEY": base64.b64encode(b"m" * 32).decode(),
            "REGISTRY_DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/registry?schema=s1",
            "REGISTRY_DV_KEYS_URL": "postgresql://postgres@127.0.0.1/registry?schema=keys"}  # fmt: skip
    for almost in ("yes", "true", "accept", "ACCEPT-FOR-DEVELOPMENT"):
        settings = Settings.from_env({**base, "REGISTRY_DV_KEYS_IN_EVENTS_DATABASE": almost})
        with pytest.raises(SettingsError, match="names the events' database"):
            check_apart_from_events(
                settings.dv_keys_url, settings.database_url, accepted=settings.dv_keys_in_events_database
            )
    accepted = Settings.from_env({**base, "REGISTRY_DV_KEYS_IN_EVENTS_DATABASE": "accept-for-development"})
    check_apart_from_events(accepted.dv_keys_url, accepted.database_url, accepted=accepted.dv_keys_in_events_database)
    assert accepted.dv_keyring == (tmp_path / "dv-keyring").resolve()  # the wrapping keys stay outside the database


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1:5432", "[::1]", "LOCALHOST:5432", ""])
def test_the_key_store_in_the_events_database_is_refused_however_the_local_server_is_named(host: str) -> None:
    events = "postgresql://postgres@127.0.0.1:5432/registry?schema=s1"
    keys = f"postgresql://postgres@{host}/registry?schema=keys"  # no host at all: the local server's socket
    with pytest.raises(SettingsError, match="names the events' database"):
        check_apart_from_events(keys, events, accepted=False)
