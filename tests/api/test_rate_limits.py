"""Rate limits: per token subject on authenticated routes, per client address on anonymous ones; 429 with a
problem document and Retry-After beyond them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from litestar.exceptions import TooManyRequestsException
from litestar.testing import TestClient

from api.app import create_app
from api.rate_limits import Budget, network_of
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


def test_every_counted_answer_says_what_is_left_of_the_budget(strict_client: Client, tokens: Tokens) -> None:
    answers = [strict_client.get("/v1/worklists/marriage", headers=tokens.clerk) for _ in range(3)]
    assert [a.headers["ratelimit-remaining"] for a in answers] == ["2", "1", "0"]
    assert {a.headers["ratelimit-limit"] for a in answers} == {"3"}
    assert {a.headers["ratelimit-policy"] for a in answers} == {"3;w=60"}
    assert all(1 <= int(a.headers["ratelimit-reset"]) <= 60 for a in answers)
    assert "ratelimit-remaining" not in strict_client.get("/health").headers  # probes are not counted


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_callers_window_lasts_a_minute_from_their_first_request_and_retry_after_rounds_up() -> None:
    clock = Clock()
    budget = Budget(2, clock=clock)
    budget.spend("subject:a")
    clock.now += 30.5
    budget.spend("subject:a")
    with pytest.raises(TooManyRequestsException) as refused:
        budget.spend("subject:a")
    assert refused.value.headers["RateLimit-Reset"] == "30"  # 29.5 s left: a client that waits 30 s is let in
    budget.spend("subject:b")  # another caller has a window of their own
    clock.now += 29.5
    budget.spend("subject:a")


def test_windows_that_ended_are_dropped_so_memory_holds_only_the_last_minutes_callers() -> None:
    clock = Clock()
    budget = Budget(5, clock=clock)
    for n in range(1000):
        budget.spend(f"address:10.0.{n // 256}.{n % 256}")
    clock.now += 61
    budget.spend("address:10.9.9.9")
    assert len(budget._windows) == 1


def test_an_ipv6_client_is_counted_by_its_64_network_an_ipv4_one_by_its_address() -> None:
    assert network_of("2001:db8:1:2:aaaa::1") == network_of("2001:db8:1:2:bbbb::9") == "2001:db8:1:2::/64"
    assert network_of("2001:db8:1:3::1") != network_of("2001:db8:1:2::1")
    assert network_of("192.0.2.7") == "192.0.2.7"
    assert network_of("not:an:address") == "not:an:address"
