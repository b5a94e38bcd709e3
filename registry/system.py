"""How the registry's applications are built from settings, and how their tables are created."""

from __future__ import annotations

from dataclasses import dataclass

from registry.common.application import RegistryApplication
from registry.common.ids import PersonKeys
from registry.marriage.application import MarriageRegistry
from registry.oversight.application import Oversight
from registry.settings import Settings


@dataclass
class Registry:
    """The applications of one registry process."""

    settings: Settings
    marriage: MarriageRegistry
    oversight: Oversight

    def applications(self) -> dict[str, RegistryApplication]:
        return {self.marriage.name: self.marriage, self.oversight.name: self.oversight}

    def close(self) -> None:
        for application in self.applications().values():
            application.close()


def open_registry(settings: Settings, *, create_tables: bool = False) -> Registry:
    """Construct every application; only `registry db migrate` (and tests) create tables."""

    def env(name: str) -> dict[str, str]:
        values = settings.store_environment(name)
        values["CREATE_TABLE"] = "y" if create_tables else "n"
        return values

    keys = PersonKeys(settings.person_hash_key)
    return Registry(
        settings=settings,
        marriage=MarriageRegistry(env(MarriageRegistry.name), person_keys=keys),
        oversight=Oversight(env(Oversight.name)),
    )


def migrate(settings: Settings) -> list[str]:
    """Create every application's tables (idempotent); returns the names of the applications migrated."""
    registry = open_registry(settings, create_tables=True)
    try:
        return list(registry.applications())
    finally:
        registry.close()
