"""Bearer tokens: issuer, audience, issue time and a bounded lifetime are required; a 401 names no library."""

from __future__ import annotations

import dataclasses
import time
from typing import Any

import jwt
from litestar.testing import TestClient
from litestar.utils.predicates import is_async_callable

from api.app import create_app
from api.auth import AUDIENCE, ISSUER, allow
from registry.common.actors import Role
from registry.system import Registry
from tests.api.conftest import Tokens

Client = TestClient  # type: ignore[type-arg]


def forged(tokens: Tokens, **changes: Any) -> dict[str, str]:
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": "clerk-1", "role": "clerk", "office": "330782001",
              "iat": now, "exp": now + 3600, **changes}  # fmt: skip
    claims = {name: value for name, value in claims.items() if value is not None}
    return {"Authorization": "Bearer " + jwt.encode(claims, tokens.secret, algorithm="HS256")}


def test_a_well_formed_token_is_accepted(client: Client, tokens: Tokens) -> None:
    assert client.get("/v1/worklists/marriage", headers=forged(tokens)).status_code == 200


def test_a_token_without_audience_issue_time_or_expiry_is_401(client: Client, tokens: Tokens) -> None:
    for missing in ("aud", "iat", "exp", "iss"):
        response = client.get("/v1/worklists/marriage", headers=forged(tokens, **{missing: None}))
        assert response.status_code == 401, missing


def test_a_token_for_another_audience_is_401(client: Client, tokens: Tokens) -> None:
    response = client.get("/v1/worklists/marriage", headers=forged(tokens, aud="another-registry"))
    assert response.status_code == 401


def test_a_token_living_longer_than_twelve_hours_is_401(client: Client, tokens: Tokens) -> None:
    now = int(time.time())
    response = client.get("/v1/worklists/marriage", headers=forged(tokens, iat=now, exp=now + 13 * 3600))
    assert response.status_code == 401 and "lifetime" in response.json()["detail"]


def test_a_token_issued_in_the_future_is_401(client: Client, tokens: Tokens) -> None:
    now = int(time.time())
    response = client.get("/v1/worklists/marriage", headers=forged(tokens, iat=now + 600, exp=now + 3600))
    assert response.status_code == 401


def test_a_401_never_names_the_library_exception(client: Client, tokens: Tokens) -> None:
    for headers in (forged(tokens, exp=int(time.time()) - 10), {"Authorization": "Bearer x.y.z"}):
        detail = client.get("/v1/worklists/marriage", headers=headers).json()["detail"]
        assert "Error" not in detail and "jwt" not in detail.lower()


def test_the_longest_token_lifetime_is_the_configured_one(registry: Registry, tokens: Tokens) -> None:
    registry.settings = dataclasses.replace(registry.settings, token_max_hours=2)
    now = int(time.time())
    with TestClient(create_app(registry=registry, run_projections=False)) as client:
        three_hours = client.get("/v1/worklists/marriage", headers=forged(tokens, iat=now, exp=now + 3 * 3600))
        two_hours = client.get("/v1/worklists/marriage", headers=forged(tokens, iat=now, exp=now + 2 * 3600))
    assert (three_hours.status_code, two_hours.status_code) == (401, 200)


def test_role_guards_run_on_the_event_loop_not_in_a_worker_thread() -> None:
    """Litestar runs a synchronous guard in its thread pool: a hop per request for a check of two attributes."""
    assert is_async_callable(allow(Role.CLERK))
