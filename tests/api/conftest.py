"""The real app, on each store, with a clock the test controls."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from litestar.testing import TestClient

from api.app import create_app
from api.auth import mint_token
from registry.common.actors import Role
from registry.common.clock import FixedClock
from registry.keys import Purpose
from registry.system import Registry
from tests.support import OFFICE, OTHER_OFFICE, local_noon

TODAY = date(2026, 11, 22)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(local_noon(TODAY))


@pytest.fixture
def client(registry: Registry, clock: FixedClock) -> Iterator[TestClient]:  # type: ignore[type-arg]
    with TestClient(create_app(registry=registry, clock=clock, run_projections=True)) as test_client:
        yield test_client


class Tokens:
    """Bearer headers for each kind of caller."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self.secret = registry.settings.keys[Purpose.TOKEN]

    def header(self, role: Role, subject: str, office: str = "") -> dict[str, str]:
        return {"Authorization": f"Bearer {mint_token(self.secret, subject=subject, role=role, office=office)}"}

    @property
    def clerk(self) -> dict[str, str]:
        return self.header(Role.CLERK, "clerk-1", OFFICE)

    @property
    def other_clerk(self) -> dict[str, str]:
        return self.header(Role.CLERK, "clerk-2", OTHER_OFFICE)

    @property
    def court(self) -> dict[str, str]:
        return self.header(Role.COURT, "judge-1", "330782-court")

    @property
    def supervisor(self) -> dict[str, str]:
        return self.header(Role.SUPERVISOR, "supervisor-1")

    @property
    def auditor(self) -> dict[str, str]:
        return self.header(Role.AUDITOR, "auditor-1")

    def citizen(self, document_number: str) -> dict[str, str]:
        ref = self.registry.marriage.person_keys.ref(f"resident-id:CHN:{document_number}")
        return self.header(Role.CITIZEN, ref)


@pytest.fixture
def tokens(registry: Registry) -> Tokens:
    return Tokens(registry)
