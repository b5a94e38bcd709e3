"""Every domain error the code can raise has its HTTP status in api/errors.py (none falls through to a default)."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from datetime import date

from litestar.testing import TestClient

import api
import projections
import registry
from api.errors import status_for
from registry.common.actors import Role
from registry.common.errors import DomainError
from tests.api.conftest import Tokens
from tests.support import resident_id

Client = TestClient  # type: ignore[type-arg]


def every_module() -> Iterator[str]:
    for package in (registry, projections, api):
        for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            yield module.name


def subclasses(cls: type[DomainError]) -> Iterator[type[DomainError]]:
    for subclass in cls.__subclasses__():
        yield subclass
        yield from subclasses(subclass)


def test_every_domain_error_class_has_a_status() -> None:
    for name in every_module():
        importlib.import_module(name)  # an error class exists once its module is imported
    found = set(subclasses(DomainError))
    assert len(found) > 10  # the walk found the registry's errors, not an empty import
    unmapped = sorted(f"{cls.__module__}.{cls.__qualname__}" for cls in found if status_for(cls) is None)
    assert unmapped == []


def test_extending_a_sealed_dv_record_is_a_conflict_with_its_state(client: Client, tokens: Tokens) -> None:
    court = tokens.header(Role.DV_SOURCE, "judge-7", "330782-court")
    order = {"subject": {"document_number": resident_id(date(1990, 1, 1), "male"), "name": "赵刚"},
             "category": "protection-order", "document_number": "(2026)浙0782民保令2号", "issued_on": "2026-11-01",
             "expires_on": "2027-01-31"}  # fmt: skip
    record = f"/v1/dv-records/{client.post('/v1/dv-records', json=order, headers=court).json()['id']}"
    assert client.post(f"{record}/sealing", json={"reason": "expunged"}, headers=court).status_code == 200
    extended = client.post(f"{record}/extensions", json={"expires_on": "2027-04-30"}, headers=court)
    assert (extended.status_code, extended.json()["type"]) == (409, "/problems/sealed-data-unreadable")
