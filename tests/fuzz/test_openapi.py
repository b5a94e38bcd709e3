"""Schemathesis over the whole OpenAPI, as every caller: no request makes a server error, no answer breaks its schema.

The real app runs in-process on the embedded default (SQLite in a temporary data directory) with its projections,
after a record of each kind has been filed through the API; path parameters are drawn from the generated values and
those records' ids. Each generated request is sent once per caller: anonymous and one token per role. The run is
bounded (a few examples per operation, derandomized) so it is reproducible and stays under about 90 seconds on a
2-core machine.

Checked: no server error, and every answer (status, content type, headers, body) as the OpenAPI documents it: errors
included, as application/problem+json (issue 16).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from litestar import Litestar
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.app import create_app
from registry.common.actors import Role
from registry.common.clock import FixedClock
from registry.system import Registry
from tests.api.conftest import TODAY, Tokens
from tests.conftest import migrated_sqlite_registry, sqlite_settings
from tests.fuzz.seeds import seed_records
from tests.support import OFFICE, local_noon, resident_id

EXAMPLES_PER_OPERATION = 5
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]

CITY = "330782"
# The office (or department, authority, jurisdiction) each role's token names; roles without one act city-wide.
# A role added later acts for the city until it is given an office here.
OFFICE_OF_ROLE = {
    Role.CLERK: OFFICE,
    Role.SUPERVISOR: "",
    Role.COURT: "330782-court",
    Role.AUDITOR: "",
    Role.CITIZEN: "",
    Role.DV_SOURCE: "330782-court",
    Role.HOSPITAL: "330782-hospital-1",
    Role.POLICE: "330782-police",
    Role.DEPARTMENT: "social-security",
    Role.PLACE_NAME_OFFICER: "330782-civil-affairs",
    Role.CONSTRUCTION: "330782-construction",
    Role.EXCHANGE_PEER: "330102",
    Role.UTILITY: "state-grid-yiwu",
}


def served_openapi() -> dict[str, Any]:
    """The OpenAPI document the app serves (building the app connects nothing)."""
    with tempfile.TemporaryDirectory() as data_dir:
        return create_app(sqlite_settings(Path(data_dir))).openapi_schema.to_schema()


schema = schemathesis.openapi.from_dict(served_openapi())
# The bodies' examples are checked in tests/api/test_openapi_contract.py (schemathesis cannot combine them with given).
schema.config.phases.update(phases=["fuzzing"])
schema.config.generation.update(
    modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
    max_examples=EXAMPLES_PER_OPERATION,
    deterministic=True,
    database="none",
)


def caller_headers(tokens: Tokens) -> dict[str, dict[str, str]]:
    """The Authorization header of every caller by name: anonymous (none) and one token per role."""
    headers: dict[str, dict[str, str]] = {"anonymous": {}}
    for role in Role:
        if role is Role.CITIZEN:
            headers[role.value] = tokens.citizen(resident_id(date(1970, 5, 5), "male"))
        else:
            headers[role.value] = tokens.header(role, f"{role.value}-1", OFFICE_OF_ROLE.get(role, CITY))
    return headers


@pytest.fixture(scope="module")
def fuzz_registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    yield from migrated_sqlite_registry(tmp_path_factory.mktemp("fuzz") / "var")


@pytest.fixture(scope="module")
def callers(fuzz_registry: Registry) -> dict[str, dict[str, str]]:
    return caller_headers(Tokens(fuzz_registry))


@pytest.fixture(scope="module")
def app(fuzz_registry: Registry) -> Iterator[Litestar]:
    yield create_app(registry=fuzz_registry, clock=FixedClock(local_noon(TODAY)), run_projections=True)
    asgi.shutdown_lifespans()  # stop the app's projections before the registry closes


@pytest.fixture(scope="module")
def seeded(app: Litestar, callers: dict[str, dict[str, str]], fuzz_registry: Registry) -> dict[str, list[str]]:
    with asgi.get_client(app) as client:
        return seed_records(client, callers, Tokens(fuzz_registry))


@schema.given(data=st.data())
@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_every_caller_without_server_error_or_schema_break(
    case: schemathesis.Case,
    data: st.DataObject,
    app: Litestar,
    callers: dict[str, dict[str, str]],
    seeded: dict[str, list[str]],
    fuzz_registry: Registry,
) -> None:
    for name, generated in (case.path_parameters or {}).items():
        if name in seeded:
            case.path_parameters[name] = data.draw(st.sampled_from([generated, *seeded[name]]), label=name)
    for headers in callers.values():
        case.call_and_validate(headers=headers, checks=CHECKS, app=app)
