"""A client generated from the served OpenAPI by a public generator (openapi-python-client), with no hand edits, runs
a whole marriage and one flow of each other context against the real app (issue 16).

The client is generated into a temporary directory at the start of the module and talks to the app in-process: its
httpx client is given the Litestar test client's transport.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from litestar.testing import TestClient
from litestar.testing import transport as litestar_transport

from api.app import create_app
from registry.common.actors import Role
from registry.common.clock import FixedClock
from registry.system import Registry
from tests.api.conftest import TODAY, Tokens
from tests.conftest import migrated_sqlite_registry
from tests.fuzz.seeds import PRESENT, bundle_application, couple, death_certificate, dv_record_of, eco_burial_claim
from tests.support import OFFICE, local_noon, resident_id

PACKAGE = "registry_client"
GENERATOR = Path(sys.executable).parent / "openapi-python-client"


@pytest.fixture(scope="module")
def client_registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    yield from migrated_sqlite_registry(tmp_path_factory.mktemp("client") / "var")


@pytest.fixture(scope="module")
def api(client_registry: Registry) -> Iterator[TestClient]:  # type: ignore[type-arg]
    with TestClient(create_app(registry=client_registry, clock=FixedClock(local_noon(TODAY)))) as client:
        yield client


@pytest.fixture(scope="module")
def generated(api: TestClient, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:  # type: ignore[type-arg]
    """The client package openapi-python-client writes from /schema/openapi.json, imported as it is."""
    where = tmp_path_factory.mktemp("generated")
    (where / "openapi.json").write_text(json.dumps(api.get("/schema/openapi.json").json()))
    (where / "config.yml").write_text("post_hooks: []\n")  # no formatter: the code is used as generated
    subprocess.run(
        [str(GENERATOR), "generate", "--path", str(where / "openapi.json"), "--meta", "none",
         "--output-path", str(where / PACKAGE), "--config", str(where / "config.yml")],
        check=True, capture_output=True,
    )  # fmt: skip
    sys.path.insert(0, str(where))
    yield importlib.import_module(PACKAGE)
    sys.path.remove(str(where))


class Callers:
    """A generated AuthenticatedClient per caller, each sending through the app's test transport."""

    def __init__(self, package: ModuleType, api: TestClient, tokens: Tokens) -> None:  # type: ignore[type-arg]
        self.package, self.api, self.tokens = package, api, tokens

    def client(self, headers: dict[str, str]) -> Any:
        token = headers["Authorization"].removeprefix("Bearer ")
        transport = litestar_transport.TestClientTransport(self.api)
        return self.package.AuthenticatedClient(
            base_url=str(self.api.base_url), token=token, httpx_args={"transport": transport}
        )

    def role(self, role: Role, office: str) -> Any:
        return self.client(self.tokens.header(role, f"{role.value}-1", office))

    def citizen(self, document_number: str) -> Any:
        return self.client(self.tokens.citizen(document_number))


@pytest.fixture(scope="module")
def callers(generated: ModuleType, api: TestClient, client_registry: Registry) -> Callers:  # type: ignore[type-arg]
    return Callers(generated, api, Tokens(client_registry))


def operation(name: str) -> Any:
    """A generated operation module, by its tag and name."""
    return importlib.import_module(f"{PACKAGE}.api.{name}")


def model(name: str) -> Any:
    return getattr(importlib.import_module(f"{PACKAGE}.models"), name)


def test_a_whole_marriage_through_the_generated_client(callers: Callers) -> None:
    clerk = callers.role(Role.CLERK, OFFICE)
    body = model("MarriageApplicationCreate").from_dict(couple())
    filed = operation("marriage.v1_marriages_apply").sync_detailed(client=clerk, body=body)
    assert filed.status_code == 201 and filed.headers["Location"] == f"/v1/marriages/{filed.parsed.id}"
    attendance = model("MarriageRegistrationCommand").from_dict({"party_a": PRESENT, "party_b": PRESENT})
    registered = operation("marriage.v1_marriages_marriage_id_registration_register").sync_detailed(
        filed.parsed.id, client=clerk, body=attendance, if_match=filed.headers["ETag"]
    )
    assert registered.status_code == 200 and registered.parsed.state == "registered"

    read = operation("marriage.v1_marriages_marriage_id_read").sync_detailed(filed.parsed.id, client=clerk)
    reissue = operation("marriage.v1_marriages_marriage_id_certificate_reissues_reissue")
    command = model("CertificateReissueCommand").from_dict({"party": "a", "reason": "lost"})
    first, again = (
        reissue.sync_detailed(
            filed.parsed.id, client=clerk, body=command, if_match=read.headers["ETag"], idempotency_key="reissue-0001"
        )
        for _ in range(2)
    )

    assert read.headers["ETag"] == f'"{read.parsed.version}"'
    assert first.status_code == again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true" and again.parsed.version == first.parsed.version


def test_a_refusal_reaches_the_generated_client_as_a_typed_problem(callers: Callers) -> None:
    clerk = callers.role(Role.CLERK, OFFICE)
    parties = {"party_a": {"document_number": resident_id(date(1990, 1, 1), "male"), "name": "张三"},
               "party_b": {"document_number": resident_id(date(1991, 2, 2), "female"), "name": "李四"}}  # fmt: skip
    apply, register = (
        operation(f"marriage.v1_marriages{name}") for name in ("_apply", "_marriage_id_registration_register")
    )
    attendance = model("MarriageRegistrationCommand").from_dict({"party_a": PRESENT, "party_b": PRESENT})
    filed, again = (
        apply.sync_detailed(client=clerk, body=model("MarriageApplicationCreate").from_dict(parties)) for _ in range(2)
    )
    stale = register.sync_detailed(filed.parsed.id, client=clerk, body=attendance, if_match='"99"')
    register.sync_detailed(filed.parsed.id, client=clerk, body=attendance)
    again = register.sync_detailed(again.parsed.id, client=clerk, body=attendance)

    problem = model("Problem")
    assert stale.status_code == 412 and isinstance(stale.parsed, problem)
    assert stale.parsed.type_ == "/problems/version-mismatch"
    assert again.status_code in (409, 422) and isinstance(again.parsed, problem), again.content
    assert again.parsed.type_.startswith("/problems/") and again.parsed.status == again.status_code


def test_a_death_and_its_bundle_case_through_the_generated_client(callers: Callers) -> None:
    hospital = callers.role(Role.HOSPITAL, "330782-hospital-1")
    death = operation("deaths.v1_deaths_register").sync_detailed(
        client=hospital, body=model("DeathCreate").from_dict(death_certificate())
    )
    family = callers.citizen(resident_id(date(1970, 5, 5), "male"))
    case = operation("deaths.v1_bundle_cases_apply").sync_detailed(
        client=family, body=model("BundleCreate").from_dict(bundle_application(str(death.parsed.id)))
    )
    read = operation("deaths.v1_bundle_cases_case_id_read").sync_detailed(case.parsed.id, client=family)

    assert death.status_code == case.status_code == 201
    assert read.status_code == 200 and read.parsed.tasks


def test_a_dv_record_through_the_generated_client(callers: Callers) -> None:
    source = callers.role(Role.DV_SOURCE, "330782-court")
    subject = couple()["party_a"]
    added = operation("domestic_violence.v1_dv_records_add").sync_detailed(
        client=source, body=model("DvRecordCreate").from_dict(dv_record_of(subject))
    )
    read = operation("domestic_violence.v1_dv_records_record_id_read").sync_detailed(added.parsed.id, client=source)

    assert added.status_code == 201 and read.status_code == 200 and read.parsed.id == added.parsed.id


def test_an_eco_burial_reward_claim_through_the_generated_client(callers: Callers) -> None:
    hospital = callers.role(Role.HOSPITAL, "330782-hospital-1")
    certificate = {**death_certificate(), "certificate_number": "浙医死证2026-10"}
    death = operation("deaths.v1_deaths_register").sync_detailed(
        client=hospital, body=model("DeathCreate").from_dict(certificate)
    )
    family = callers.citizen(resident_id(date(1970, 5, 5), "male"))
    claim = operation("eco_burial.v1_reward_claims_file").sync_detailed(
        client=family, body=model("ClaimCreate").from_dict(eco_burial_claim(str(death.parsed.id)))
    )

    assert claim.status_code == 201, claim.content
    assert operation("eco_burial.v1_reward_claims_claim_id_read").sync_detailed(claim.parsed.id, client=family).parsed


def test_a_place_name_through_the_generated_client(callers: Callers) -> None:
    officer = callers.role(Role.PLACE_NAME_OFFICER, "330782-civil-affairs")
    proposal = {"name": "丹溪路", "kind": "road", "origin_and_meaning": "纪念朱丹溪"}
    proposed = operation("places.v1_place_names_propose").sync_detailed(
        client=officer, body=model("PlaceNameCreate").from_dict(proposal)
    )
    step = model("V1PlaceNamesPlaceIdStepAdvanceStep")("review")
    reviewed = operation("places.v1_place_names_place_id_step_advance").sync_detailed(
        proposed.parsed.id, step, client=officer, body=model("PlaceNameStep").from_dict({"note": "符合规范"})
    )

    assert proposed.status_code == 201 and reviewed.status_code == 200
