"""Rate limits: per token subject on authenticated routes, per client address on anonymous ones; 429 with a
problem document and Retry-After beyond them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from litestar.testing import TestClient

from api.app import create_app
from registry.common.actors import Role
from registry.common.clock import FixedClock
from registry.keys import SettingsError
from registry.settings import Settings
from registry.system import Registry
from tests.api.conftest import Tokens
from tests.conftest import TEST_KEYS

Client = TestClient  # type: ignore[type-arg]


@pytest.fixture
def strict_client(registry: Registry, clock: FixedClock) -> Iterator[Client]:
    """An app allowing 3 requests a minute per subject and 2 per anonymous address."""
    settings = replace(registry.settings, rate_limit=3, rate_limit_anonymous=2)
    with TestClient(create_app(settings, registry=registry, clock=clock)) as test_client:
        yield test_client


def assert_throttled(response: object) -> None:
    status, body, headers = response.status_code, response.json(), response.headers  # type: ignore[attr-defined]
    assert (status, body["type"]) == (429, "/problems/too-many-requests")
    assert response.headers["content-type"].startswith("application/problem+json")  # type: ignore[attr-defined]
    assert 1 <= int(headers["retry-after"]) <= 60


def test_a_token_beyond_its_rate_limit_gets_429_with_retry_after(strict_client: Client, tokens: Tokens) -> None:
    for _ in range(3):
        assert strict_client.get("/v1/worklists/marriage", headers=tokens.clerk).status_code == 200
    assert_throttled(strict_client.get("/v1/worklists/marriage", headers=tokens.clerk))
    other = tokens.header(Role.CLERK, "clerk-2", "330782001")  # another subject has a budget of its own
    assert strict_client.get("/v1/worklists/marriage", headers=other).status_code == 200


def test_an_address_beyond_the_anonymous_rate_limit_gets_429_with_retry_after(strict_client: Client) -> None:
    for _ in range(2):
        assert strict_client.get("/.well-known/jwks.json").status_code == 200
    assert_throttled(strict_client.get("/.well-known/jwks.json"))
    code = {"certificate": "J330782001-2026-000001", "code": "AAAAAAAAAA"}
    assert_throttled(strict_client.post("/v1/certificates/verification", json=code))  # one budget per address


def test_health_and_readiness_probes_are_not_rate_limited(strict_client: Client) -> None:
    """A balancer's probes come from one address: counting them would take a healthy server out of service."""
    for _ in range(5):
        assert strict_client.get("/health").status_code == 200


def test_anonymous_requests_do_not_use_up_a_tokens_budget(strict_client: Client, tokens: Tokens) -> None:
    for _ in range(3):
        strict_client.get("/.well-known/jwks.json")
    assert strict_client.get("/v1/worklists/marriage", headers=tokens.clerk).status_code == 200


def test_rate_limits_are_settings_with_generous_defaults(tmp_path: Path) -> None:
    env = {**TEST_KEYS, "REGISTRY_DATA_DIR": str(tmp_path)}
    del env["REGISTRY_RATE_LIMIT"], env["REGISTRY_RATE_LIMIT_ANONYMOUS"]
    defaults = Settings.from_env(env)
    assert (defaults.rate_limit, defaults.rate_limit_anonymous) == (600, 60)
    with pytest.raises(SettingsError, match="REGISTRY_RATE_LIMIT"):
        Settings.from_env({**env, "REGISTRY_RATE_LIMIT": "0"})
