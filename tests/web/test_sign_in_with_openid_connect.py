"""Production sign-in: the registry verifies the provider's ID tokens (a real provider on loopback, no mocks)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from litestar.testing import TestClient

from api.app import create_app
from api.web.demo import FrontDeskDemo, load_front_desk_demo
from projections.catalog import migrate_all
from registry.common.clock import FixedClock
from registry.settings import Settings
from registry.system import Registry, open_registry
from tests.conftest import TEST_KEYS
from tests.support import local_noon
from tests.web.conftest import TODAY
from tests.web.fake_oidc import FakeProvider, fake_provider


@pytest.fixture
def provider() -> Iterator[FakeProvider]:
    with fake_provider() as running:
        yield running


@pytest.fixture
def oidc_site(tmp_path: Path, provider: FakeProvider) -> Iterator[tuple[TestClient, FrontDeskDemo]]:  # type: ignore[type-arg]
    settings = Settings.from_env({
        **TEST_KEYS, "REGISTRY_DATA_DIR": str(tmp_path / "var"), "REGISTRY_PUBLIC_URL": "http://testserver.local",
        "REGISTRY_OIDC_ISSUER": provider.issuer, "REGISTRY_OIDC_CLIENT_ID": provider.client_id,
        "REGISTRY_OIDC_CLIENT_SECRET": provider.client_secret,
    })  # fmt: skip
    migrate_all(settings)
    registry: Registry = open_registry(settings)
    clock = FixedClock(local_noon(TODAY))
    demo = load_front_desk_demo(registry, clock.now(), run=21)
    with TestClient(create_app(registry=registry, clock=clock, run_projections=True)) as client:
        client.app.state.read_side.catch_up()  # the portal lists the records from the read models, without waiting
        yield client, demo
    registry.close()


def through_the_provider(client: TestClient) -> httpx.Response:  # type: ignore[type-arg]
    """Start at the registry, let the provider sign the user in, come back to the registry's callback."""
    start = client.get("/sign-in/oidc", follow_redirects=False)
    assert start.status_code in (302, 303), start.text
    back = httpx.get(start.headers["location"], follow_redirects=False)
    assert back.status_code == 302
    callback = httpx.URL(back.headers["location"])
    return client.get(f"{callback.path}?{callback.query.decode()}", follow_redirects=False)


def test_a_citizen_signs_in_with_the_providers_id_token_and_sees_only_their_records(
    oidc_site: tuple[TestClient, FrontDeskDemo],
    provider: FakeProvider,  # type: ignore[type-arg]
) -> None:
    client, demo = oidc_site
    provider.claims = {"sub": "zlb-000123", "id_number": demo.citizen.document_number, "name": demo.citizen.name}
    answer = through_the_provider(client)
    assert (answer.status_code, answer.headers["location"]) == (303, "/portal")
    portal = client.get("/portal")
    assert portal.status_code == 200 and "离婚申请" in portal.text
    assert demo.citizen.document_number not in portal.text


def test_an_official_signs_in_by_role_and_office_claims(
    oidc_site: tuple[TestClient, FrontDeskDemo],
    provider: FakeProvider,  # type: ignore[type-arg]
) -> None:
    client, _ = oidc_site
    provider.claims = {"sub": "staff-42", "registry_role": "clerk", "registry_office": "330782001", "name": "王科员"}
    assert through_the_provider(client).headers["location"] == "/console"
    assert client.get("/console/worklist").status_code == 200


def test_an_id_token_not_signed_by_the_providers_published_key_is_refused(
    oidc_site: tuple[TestClient, FrontDeskDemo],
    provider: FakeProvider,  # type: ignore[type-arg]
) -> None:
    client, demo = oidc_site
    provider.claims = {"sub": "x", "id_number": demo.citizen.document_number}
    provider.published_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    refused = through_the_provider(client)
    assert refused.status_code == 422 and "登录未成功" in refused.text
    assert client.get("/portal", follow_redirects=False).status_code in (302, 303, 307)


def test_an_answer_for_a_sign_in_this_browser_did_not_start_is_refused(
    oidc_site: tuple[TestClient, FrontDeskDemo],
    provider: FakeProvider,  # type: ignore[type-arg]
) -> None:
    client, demo = oidc_site
    provider.claims = {"sub": "x", "id_number": demo.citizen.document_number}
    start = client.get("/sign-in/oidc", follow_redirects=False)
    back = httpx.URL(httpx.get(start.headers["location"], follow_redirects=False).headers["location"])
    forged = client.get(f"{back.path}?code={back.params['code']}&state=someone-elses", follow_redirects=False)
    assert forged.status_code == 422
    assert client.get("/portal", follow_redirects=False).status_code in (302, 303, 307)


def test_an_official_role_the_console_does_not_know_is_refused(
    oidc_site: tuple[TestClient, FrontDeskDemo],
    provider: FakeProvider,  # type: ignore[type-arg]
) -> None:
    client, _ = oidc_site
    provider.claims = {"sub": "peer", "registry_role": "exchange-peer", "registry_office": "31"}
    assert through_the_provider(client).status_code == 422
