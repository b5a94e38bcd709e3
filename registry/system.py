"""How the registry's applications are built from settings, and how their tables are created."""

from __future__ import annotations

import os
from dataclasses import dataclass

from registry.burial.application import EcoBurialRewards
from registry.burial.rules import RewardRules
from registry.common.application import RegistryApplication
from registry.common.ids import PersonKeys
from registry.common.sealing import KeyStore
from registry.common.workdays import WorkingCalendar, parse_dates
from registry.deaths.application import Deaths
from registry.deaths.benefits import parse_benefit_ends
from registry.dv_records.application import DvRegister
from registry.exchange.application import MarriageExchange
from registry.marriage.application import MarriageRegistry
from registry.marriage.inquiries import DvInquiryDesk
from registry.oversight.application import Oversight
from registry.places.application import DEFAULT_BANNED, PlaceNames, parse_banned
from registry.settings import Settings


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
    dv_keys: KeyStore

    def applications(self) -> dict[str, RegistryApplication]:
        applications: list[RegistryApplication] = [
            self.marriage, self.oversight, self.dv_records, self.dv_inquiries, self.deaths, self.burial, self.places,
            self.exchange,
        ]  # fmt: skip
        return {application.name: application for application in applications}

    def close(self) -> None:
        for application in self.applications().values():
            application.close()
        self.dv_keys.close()


def open_registry(settings: Settings, *, create_tables: bool = False) -> Registry:
    """Construct every application; only `registry db migrate` (and tests) create tables."""

    def env(name: str) -> dict[str, str]:
        values = settings.store_environment(name)
        values["CREATE_TABLE"] = "y" if create_tables else "n"
        return values

    keys = PersonKeys(settings.person_hash_key)
    dv_keys = dv_key_store(settings)
    if create_tables:
        dv_keys.migrate()
    exchange = MarriageExchange(env(MarriageExchange.name), person_keys=keys)
    late: dict[str, Deaths] = {}  # the deaths application needs the marriage one first: bound below
    marriage = MarriageRegistry(
        env(MarriageRegistry.name), person_keys=keys, married_elsewhere=exchange.married_elsewhere,
        died_on=lambda key: late["deaths"].date_of_death(key),
    )  # fmt: skip
    dv_records = DvRegister(
        env(DvRegister.name), person_keys=keys, keys=dv_keys, police_warnings=settings.dv_police_warnings
    )
    calendar = WorkingCalendar(parse_dates(settings.public_holidays), parse_dates(settings.makeup_workdays))
    deaths = Deaths(
        env(Deaths.name),
        person_keys=keys,
        calendar=calendar,
        marital_status=lambda document_key: getattr(marriage.marital_status(document_key), "status", "unmarried"),
        benefit_ends=parse_benefit_ends(settings.benefit_ends),
    )
    late["deaths"] = deaths
    reward_rules = RewardRules(settings.eco_burial_eligibility, settings.eco_burial_amount_date, settings.reward_office)
    return Registry(
        settings=settings,
        marriage=marriage,
        oversight=Oversight(env(Oversight.name)),
        dv_records=dv_records,
        dv_inquiries=DvInquiryDesk(
            env(DvInquiryDesk.name), person_keys=keys, keys=dv_keys, marriages=marriage, register=dv_records
        ),
        deaths=deaths,
        burial=EcoBurialRewards(env(EcoBurialRewards.name), deaths=deaths, rules=reward_rules),
        places=PlaceNames(
            env(PlaceNames.name), calendar=calendar, banned=parse_banned(settings.banned_place_names or DEFAULT_BANNED)
        ),
        exchange=exchange,
        dv_keys=dv_keys,
    )


def dv_key_store(settings: Settings) -> KeyStore:
    """The keys of sealed DV details, in a database apart from the events (see REGISTRY_DV_KEYS_URL)."""
    url = settings.dv_keys_url
    if url is None and not settings.uses_postgres:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        return KeyStore.sqlite(str(settings.data_dir / "dv-keys.sqlite"))
    if url is None:
        conninfo, schema = settings.postgres_target()
        return KeyStore.postgres(conninfo, f"{schema}_dv_keys" if schema else "dv_keys")
    if not url.startswith("postgresql://"):
        return KeyStore.sqlite(url)
    conninfo, schema = Settings.from_env({**os.environ, "REGISTRY_DATABASE_URL": url}).postgres_target()
    return KeyStore.postgres(conninfo, schema or "dv_keys")


def migrate(settings: Settings) -> list[str]:
    """Create every application's tables (idempotent); returns the names of the applications migrated."""
    registry = open_registry(settings, create_tables=True)
    try:
        return list(registry.applications())
    finally:
        registry.close()
