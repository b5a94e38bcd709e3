"""The registry's classes found by walking its packages, for tests that must cover every one (no hand lists)."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator

from eventsourcing.domain import BaseAggregate, CanMutateAggregate, DomainEvent

import registry
from registry.common.events import RegistryAggregate, RegistryEvent

# Bases that are never stored: the registry's own, and each aggregate's `Event` (as the library itself exempts it).
ABSTRACT = {RegistryAggregate, RegistryEvent}


def _subclasses(root: type) -> Iterator[type]:
    for sub in root.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _name(cls: type) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


def registry_classes(root: type, package: str = "registry") -> list[type]:
    """Every class under `root` defined in a module of `package` (registry.* by default), every module imported."""
    for module in pkgutil.walk_packages(registry.__path__, "registry."):
        importlib.import_module(module.name)
    found = {cls for cls in _subclasses(root) if cls.__module__.startswith(package + ".") and cls not in ABSTRACT}
    return sorted(found, key=_name)


def aggregate_classes(package: str = "registry") -> list[type]:
    return registry_classes(BaseAggregate, package)


def event_classes(package: str = "registry") -> list[type]:
    events = set(registry_classes(CanMutateAggregate, package)) | set(registry_classes(DomainEvent, package))
    return sorted((event for event in events if event.__name__ != "Event"), key=_name)
