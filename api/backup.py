"""Backup and restore: the events (with the read models beside them) and the DV key store, each to a place of its own.

PostgreSQL: `pg_dump --format=custom` of the events' schema and of the key store's schema, restored with
`pg_restore` into a NEW database (a restore never writes over a store that has events). The embedded default: a
consistent copy of each SQLite file (SQLite's online backup), restored by copying into an empty data directory.

Never in a backup: the key material (REGISTRY_MASTER_KEY or the per-purpose keys, the DV keyring, the development
keys under the data directory). They are the operator's secrets, kept apart: a dump that held both the events and
their keys would open every sealed detail to whoever holds the dump.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
from contextlib import closing
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from api.stores import PostgresLocation, application_names, dv_keys_location, events_location
from registry.settings import Settings

MANIFEST = "MANIFEST.json"
EVENTS_DUMP = "events.dump"
DV_KEYS_DUMP = "dv-keys.dump"
VIEWS_FILE = "views.sqlite"


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why and what to do."""


def back_up(settings: Settings, events_dir: Path, dv_keys_dir: Path) -> list[Path]:
    """Write the events' backup to events_dir and the DV key store's to dv_keys_dir; returns the files written."""
    check_apart(events_dir, dv_keys_dir)
    for directory in (events_dir, dv_keys_dir):
        directory.mkdir(parents=True, exist_ok=True)
        if any(directory.iterdir()):
            raise BackupError(f"{directory} is not empty: back up into a new directory")
    written: list[Path] = []
    if settings.uses_postgres:
        written.append(pg_dump(events_location(settings), events_dir / EVENTS_DUMP))
    else:
        for name in [*(f"{application}.sqlite" for application in application_names()), VIEWS_FILE]:
            written.append(sqlite_copy(settings.data_dir / name, events_dir / name))
    keys = dv_keys_location(settings)
    if isinstance(keys, Path):
        written.append(sqlite_copy(keys, dv_keys_dir / keys.name))
    else:
        written.append(pg_dump(keys, dv_keys_dir / DV_KEYS_DUMP))
    events = events_location(settings) if settings.uses_postgres else settings.data_dir
    Manifest.of("events", events, [file for file in written if file.parent == events_dir]).write(events_dir)
    Manifest.of("dv-keys", keys, [file for file in written if file.parent == dv_keys_dir]).write(dv_keys_dir)
    return written


def restore(settings: Settings, events_dir: Path, dv_keys_dir: Path) -> None:
    """Restore both backups into the stores the settings name, which must be new (no events, no keys).

    Both targets are checked before either is written.
    """
    check_apart(events_dir, dv_keys_dir)
    events, keys = Manifest.read(events_dir, "events"), Manifest.read(dv_keys_dir, "dv-keys")
    events_target = events_location(settings) if settings.uses_postgres else settings.data_dir
    keys_target = dv_keys_location(settings)
    check_target(events, events_target, "REGISTRY_DATABASE_URL")
    check_target(keys, keys_target, "REGISTRY_DV_KEYS_URL")
    for manifest, directory, target in ((events, events_dir, events_target), (keys, dv_keys_dir, keys_target)):
        if isinstance(target, PostgresLocation):
            pg_restore(directory / manifest.files[0], target)
        elif manifest.kind == "events":
            target.mkdir(parents=True, exist_ok=True)
            for name in manifest.files:
                shutil.copyfile(directory / name, target / name)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(directory / manifest.files[0], target)


def check_target(manifest: Manifest, target: PostgresLocation | Path, setting: str) -> None:
    """The target is of the backup's kind of store, and new: a restore never writes over data."""
    store = "postgresql" if isinstance(target, PostgresLocation) else "sqlite"
    if manifest.store != store:
        raise BackupError(f"the {manifest.kind} backup is of {manifest.store}, {setting} names {store}")
    if isinstance(target, PostgresLocation):
        check_same_schema(target, manifest.schema, setting)
        check_new_postgres(target)
    elif manifest.kind == "events":
        present = [name for name in manifest.files if (target / name).exists()]
        if present:
            raise BackupError(f"{target} already has {', '.join(present)}: restore into a new REGISTRY_DATA_DIR")
    elif target.exists():
        raise BackupError(f"{target} exists: restore the DV key store only where there is none")


# -- PostgreSQL ---------------------------------------------------------------------------------------------------


def pg_dump(location: PostgresLocation, file: Path) -> Path:
    """One schema (or the whole database when the default schema is used), in pg_dump's custom format."""
    schema = ["--schema", location.schema] if location.schema else []
    run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", *schema, "--file", str(file),
         "--dbname", location.conninfo])  # fmt: skip
    return file


def pg_restore(file: Path, location: PostgresLocation) -> None:
    run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
         "--dbname", location.conninfo, str(file)])  # fmt: skip


def run(command: list[str]) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed: install the PostgreSQL client of the server's version")
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        reason = " ".join(done.stderr.strip().splitlines()[-1:]) or f"exit code {done.returncode}"
        raise BackupError(f"{command[0]} failed: {reason}")


def check_new_postgres(location: PostgresLocation) -> None:
    """A restore goes into a new database: the target schema must hold no tables (a schema of the same name may
    not exist yet, or be empty)."""
    import psycopg

    try:
        with psycopg.connect(location.conninfo, connect_timeout=5) as connection:
            rows = connection.execute(
                "SELECT count(*) FROM pg_tables WHERE schemaname = %s", (location.schema_or_public,)
            ).fetchone()
    except psycopg.Error as error:
        raise BackupError(f"{location.database}: {' '.join(str(error).split())}") from None
    if rows and rows[0]:
        raise BackupError(
            f"schema {location.schema_or_public} of {location.database} already has tables: "
            "restore into a new database (createdb NAME), never over a live store"
        )
    if location.schema:
        # pg_dump of one schema creates it; a fresh database must not have it yet.
        with psycopg.connect(location.conninfo, autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA IF EXISTS "{location.schema}"')


def check_same_schema(target: PostgresLocation, dumped: str, setting: str) -> None:
    if target.schema != dumped:
        named = f"?schema={dumped}" if dumped else "no ?schema="
        raise BackupError(f"the backup is of schema {dumped or 'public'}: give {setting} {named}")


# -- SQLite ---------------------------------------------------------------------------------------------------------


def sqlite_copy(source: Path, target: Path) -> Path:
    """A consistent copy of a SQLite file while it is in use (SQLite's online backup)."""
    if not source.exists():
        raise BackupError(f"{source} does not exist: is REGISTRY_DATA_DIR the registry's, and migrated?")
    with closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as live, closing(sqlite3.connect(target)) as copy:
        live.backup(copy)
    return target


# -- the manifest ---------------------------------------------------------------------------------------------------


def check_apart(events_dir: Path, dv_keys_dir: Path) -> None:
    """The two backups are kept apart: neither directory inside the other."""
    a, b = events_dir.resolve(), dv_keys_dir.resolve()
    if a == b or a in b.parents or b in a.parents:
        raise BackupError("the events and the DV key store are backed up to two separate directories")


@dataclass(frozen=True)
class Manifest:
    """What a backup holds and where from (never a password: a database is named, its URL is not kept)."""

    kind: str  # events | dv-keys
    files: list[str]
    store: str  # postgresql | sqlite
    source: str  # the database name or the SQLite directory
    schema: str  # the PostgreSQL schema dumped ("" for the whole database)
    created_at: str

    @classmethod
    def of(cls, kind: str, location: PostgresLocation | Path, files: list[Path]) -> Manifest:
        names, now = [file.name for file in files], datetime.now(UTC).isoformat()
        if isinstance(location, PostgresLocation):
            return cls(kind, names, "postgresql", location.database, location.schema, now)
        return cls(kind, names, "sqlite", str(location), "", now)

    def write(self, directory: Path) -> None:
        (directory / MANIFEST).write_text(json.dumps(asdict(self), indent=2) + "\n")

    @classmethod
    def read(cls, directory: Path, kind: str) -> Manifest:
        path = directory / MANIFEST
        if not path.exists():
            raise BackupError(f"{directory} holds no {MANIFEST}: not a backup made by `registry backup`")
        manifest = cls(**json.loads(path.read_text()))
        if manifest.kind != kind:
            raise BackupError(f"{directory} is a backup of {manifest.kind}, not of {kind}")
        return manifest
