"""How the registry's applications are built from settings, and how their tables are created."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import psycopg

from registry.adapters.dv_keys import (
    FileKeyring,
    SqlDataKeys,
    check_apart_from_events,
    postgres_data_keys,
    sqlite_data_keys,
)
from registry.adapters.postgres_pool import DATASTORE_KEY, SharedDatastore, shared_datastore
from registry.burial.application import EcoBurialRewards
from registry.burial.rules import RewardRules
from registry.common.actors import Act, Actor
from registry.common.application import RegistryApplication
from registry.common.clock import SystemClock
from registry.common.ids import PersonKeys
from registry.deaths.application import Deaths
from registry.deaths.benefits import parse_benefit_ends
from registry.dv_records.application import DvRegister
from registry.exchange.application import MarriageExchange
from registry.keys import Purpose
from registry.marriage.application import MarriageRegistry
from registry.marriage.inquiries import DvInquiryDesk
from registry.oversight.application import Oversight
from registry.places.application import PlaceNames
from registry.places.policy import NamingPolicy
from registry.settings import Settings

# Every application of the registry, in the order they are listed and closed; each has its own events table (or
# file) named after it. The one list: the audit tree, the audit trail and the operator's commands follow it.
APPLICATION_CLASSES: tuple[type[RegistryApplication], ...] = (
    MarriageRegistry, Oversight, DvRegister, DvInquiryDesk, Deaths, EcoBurialRewards, PlaceNames, MarriageExchange,
)  # fmt: skip
APPLICATION_NAMES: tuple[str, ...] = tuple(application.name for application in APPLICATION_CLASSES)


@dataclass
class Registry:
    """The applications of one registry process."""

    settings: Settings
    marriage: MarriageRegistry
    oversight: Oversight
    dv_records: DvRegister
    dv_inquiries: DvInquiryDesk
    deaths: Deaths
    burial: EcoBurialRewards
    places: PlaceNames
    exchange: MarriageExchange
    dv_keys: SqlDataKeys
    datastore: SharedDatastore | None = None  # PostgreSQL: the process's one pool, shared by all of the above

    @property
    def pool(self) -> Any:
        """The shared PostgreSQL connection pool (None on SQLite)."""
        return self.datastore.pool if self.datastore is not None else None

    def applications(self) -> dict[str, RegistryApplication]:
        """Every application by name (each is the field of that name), in APPLICATION_NAMES order."""
        return {name: getattr(self, name) for name in APPLICATION_NAMES}

    def close(self) -> None:
        for application in self.applications().values():
            application.close()
        self.dv_keys.close()
        if self.datastore is not None:
            self.datastore.close()


def open_registry(settings: Settings, *, create_tables: bool = False) -> Registry:
    """Construct every application; only `registry db migrate` (and tests) create tables.

    On PostgreSQL every application shares the process's one connection pool (REGISTRY_DB_CONNECTIONS).
    """
    datastore = None
    if settings.uses_postgres:
        datastore = shared_datastore(
            settings.postgres_connection(), settings.postgres_target()[1], budget=settings.db_connections
        )
    try:
        return assemble(settings, datastore, create_tables=create_tables)
    except BaseException:
        if datastore is not None:
            datastore.close()
        raise


def assemble(settings: Settings, datastore: SharedDatastore | None, *, create_tables: bool) -> Registry:
    """The applications over the given datastore (None: each its own SQLite files)."""
    env = _environment(settings, datastore, create_tables=create_tables)
    keys = PersonKeys(settings.keys[Purpose.PERSON_HASH])
    calendar = settings.working_calendar()
    dv_keys = dv_key_store(settings)
    if create_tables:
        dv_keys.migrate()
    exchange = MarriageExchange(
        env(MarriageExchange.name), federation=federation_keys(settings), jurisdiction=settings.jurisdiction
    )
    marriage = MarriageRegistry(
        env(MarriageRegistry.name), person_keys=keys, elsewhere=exchange if exchange.federation else None,
        designated_offices=settings.designated_offices,
        calendar=calendar, application_lapse_days=settings.application_lapse_days,
    )  # fmt: skip
    dv_records = DvRegister(
        env(DvRegister.name), person_keys=keys, keys=dv_keys, police_warnings=settings.dv_police_warnings,
        register_starts_on=settings.dv_register_starts_on,
    )  # fmt: skip
    deaths = Deaths(
        env(Deaths.name), person_keys=keys, calendar=calendar, benefit_ends=parse_benefit_ends(settings.benefit_ends),
        marital_status=lambda document_key: getattr(marriage.marital_status(document_key), "status", "unmarried"),
    )  # fmt: skip
    marriage.deaths = deaths  # the one cycle between contexts (each asks the other a question), closed here
    return Registry(
        settings=settings,
        marriage=marriage,
        oversight=Oversight(env(Oversight.name)),
        dv_records=dv_records,
        dv_inquiries=DvInquiryDesk(
            env(DvInquiryDesk.name), person_keys=keys, keys=dv_keys, marriages=marriage, register=dv_records
        ),
        deaths=deaths,
        burial=EcoBurialRewards(env(EcoBurialRewards.name), deaths=deaths, rules=reward_rules(settings)),
        places=PlaceNames(env(PlaceNames.name), calendar=calendar, policy=naming_policy(settings)),
        exchange=exchange,
        dv_keys=dv_keys,
        datastore=datastore,
    )


def _environment(
    settings: Settings, datastore: SharedDatastore | None, *, create_tables: bool
) -> Callable[[str], dict[str, str]]:
    """The eventsourcing environment of each application, by name: its store, and whether it creates tables."""

    def env(name: str) -> dict[str, str]:
        values = settings.store_environment(name)
        values["CREATE_TABLE"] = "y" if create_tables else "n"
        if datastore is not None:
            values["PERSISTENCE_MODULE"] = "registry.adapters.postgres_pool:SharedPostgresFactory"
            values[DATASTORE_KEY] = datastore.key
        return values

    return env


def reward_rules(settings: Settings) -> RewardRules:
    """Who may claim an eco-burial reward, which day's amount applies, and the office that pays it (local choices)."""
    return RewardRules(settings.eco_burial_eligibility, settings.eco_burial_amount_date, settings.reward_office)


def federation_keys(settings: Settings) -> PersonKeys | None:
    """The person hashes the federated provinces share (None: this registry takes no part in the exchange)."""
    federation = settings.keys.federation
    return PersonKeys(federation) if federation is not None else None


def naming_policy(settings: Settings) -> NamingPolicy:
    """Who approves which names, the built-up areas, generic parts and banned entries (a mistake stops start-up)."""
    return NamingPolicy.configured(
        banned=settings.banned_place_names, authorities=settings.place_name_authorities,
        areas=settings.built_up_areas, generics=settings.place_name_generics,
        consultation_days=settings.public_consultation_days,
    )  # fmt: skip


def dv_key_store(settings: Settings) -> SqlDataKeys:
    """The data keys of sealed DV details, apart from the events (REGISTRY_DV_KEYS_URL), wrapped by key epochs kept
    in a keyring apart from both (REGISTRY_DV_KEYRING)."""
    url = settings.dv_keys_url
    check_apart_from_events(url, settings.database_url, accepted=settings.dv_keys_in_events_database)
    keyring = FileKeyring(settings.dv_keyring)
    retention = timedelta(hours=settings.dv_key_retention_hours)
    if url is None and not settings.uses_postgres:
        return sqlite_data_keys(settings.data_dir / "dv-keys.sqlite", keyring, retention=retention)
    if url is None:
        conninfo, schema = settings.postgres_target()
        return postgres_data_keys(
            conninfo, f"{schema}_dv_keys" if schema else "dv_keys", keyring, retention=retention, max_connections=1
        )
    if not url.startswith("postgresql://"):
        return sqlite_data_keys(Path(url), keyring, retention=retention)
    parsed = urlparse(url)
    schema = parse_qs(parsed.query).get("schema", ["dv_keys"])[0]
    return postgres_data_keys(
        parsed._replace(query="").geturl(), schema, keyring, retention=retention, max_connections=1
    )


MIGRATION_LOCK = "registry db migrate"  # the advisory lock two migrations of one PostgreSQL database take turns at


@contextmanager
def one_migration_at_a_time(settings: Settings) -> Iterator[None]:
    """Holds PostgreSQL's advisory lock for migrations of this database: two `registry db migrate` run at once (two
    operators, two deploy jobs) would otherwise race on the catalog, and one fails ("tuple concurrently updated")."""
    if not settings.uses_postgres:
        yield
        return
    with psycopg.connect(
        **settings.postgres_connection(), autocommit=True, application_name="registry-migrate"
    ) as lock:
        lock.execute("SELECT pg_advisory_lock(hashtext(%s))", (MIGRATION_LOCK,))
        yield  # closing the connection releases the lock, whatever happened meanwhile


def migrate(settings: Settings) -> list[str]:
    """Create every application's tables (idempotent); returns the names of the applications migrated.

    Place names recorded by an earlier version enter the specific-part name index (idempotent too).
    """
    registry = open_registry(settings, create_tables=True)
    try:
        migration = Act(Actor("registry-migration", "system"), SystemClock().now(), f"migrate-{uuid.uuid4().hex[:12]}")
        registry.places.index_earlier_names(migration)
        return list(registry.applications())
    finally:
        registry.close()
