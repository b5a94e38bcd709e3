"""Where a registry's stores live, for the operator's commands (doctor, backup, restore)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from registry.settings import Settings
from registry.system import APPLICATION_NAMES


@dataclass(frozen=True)
class PostgresLocation:
    """A PostgreSQL database (URL without query) and the schema in it ("" for the default, public)."""

    conninfo: str
    schema: str

    @property
    def database(self) -> str:
        return urlparse(self.conninfo).path.lstrip("/")

    @property
    def schema_or_public(self) -> str:
        return self.schema or "public"


def application_names() -> list[str]:
    """Every application's name (its events table or file)."""
    return list(APPLICATION_NAMES)


def events_location(settings: Settings) -> PostgresLocation:
    conninfo, schema = settings.postgres_target()
    return PostgresLocation(conninfo, schema)


def dv_keys_location(settings: Settings) -> PostgresLocation | Path:
    """The DV key store: a SQLite file, or a PostgreSQL schema (as registry.system.dv_key_store opens it)."""
    url = settings.dv_keys_url
    if url is None and not settings.uses_postgres:
        return settings.data_dir / "dv-keys.sqlite"
    if url is None:  # accepted for development only: a schema of the events' database
        conninfo, schema = settings.postgres_target()
        return PostgresLocation(conninfo, f"{schema}_dv_keys" if schema else "dv_keys")
    if not url.startswith("postgresql://"):
        return Path(url)
    parsed = urlparse(url)
    return PostgresLocation(parsed._replace(query="").geturl(), parse_qs(parsed.query).get("schema", ["dv_keys"])[0])
