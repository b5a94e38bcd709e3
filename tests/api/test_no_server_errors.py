"""Requests a careless or hostile client sends get a 4xx problem (or a plain 2xx), never a 500."""

from __future__ import annotations

import re
from uuid import uuid4

import pytest
from litestar.routes import HTTPRoute

from tests.api.conftest import Tokens
from tests.api.test_marriage_api import Client, file

PREFLIGHT = {"Origin": "https://portal.example", "Access-Control-Request-Method": "POST"}


def concrete(path: str) -> str:
    """A route's path with every parameter filled in."""
    path = re.sub(r"\{[a-z_]+:uuid\}", str(uuid4()), path)
    path = re.sub(r"\{[a-z_]+:int\}", "1", path)
    return re.sub(r"\{[a-z_]+(:[a-z]+)?\}", "marriage", path)


def refused_marriage(client: Client, tokens: Tokens) -> str:
    """A marriage application with two versions: filed, then refused."""
    marriage = file(client, tokens)
    refused = client.post(f"/v1/marriages/{marriage['id']}/refusal", json={"reason": "absent"}, headers=tokens.clerk)
    assert refused.json()["version"] == 2
    return str(marriage["id"])


@pytest.mark.parametrize("headers", [{}, PREFLIGHT], ids=["plain", "preflight"])
def test_options_on_every_route_without_a_token_is_never_a_server_error(
    client: Client, headers: dict[str, str]
) -> None:
    paths = sorted({route.path for route in client.app.routes if isinstance(route, HTTPRoute)})
    answers = {path: client.options(concrete(path), headers=headers).status_code for path in paths}
    assert "/v1/audit/search" in answers and "/v1/dv-records" in answers
    assert {path: status for path, status in answers.items() if status >= 500} == {}
    assert set(answers.values()) <= {200, 204, 401, 405}


def test_options_answers_the_methods_of_a_guarded_route(client: Client) -> None:
    response = client.options("/v1/dv-records", headers=PREFLIGHT)
    assert response.status_code == 204
    assert "POST" in response.headers["allow"]


def test_a_guarded_route_without_a_token_is_401_not_500(client: Client) -> None:
    assert client.post("/v1/audit/search", json={}).status_code == 401


def test_a_version_the_marriage_never_reached_is_404(client: Client, tokens: Tokens) -> None:
    marriage_id = refused_marriage(client, tokens)
    response = client.get(f"/v1/marriages/{marriage_id}?version=5", headers=tokens.auditor)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")


def test_an_auditor_reading_a_record_at_a_version_it_never_reached_gets_404(client: Client, tokens: Tokens) -> None:
    marriage_id = refused_marriage(client, tokens)
    state = f"/v1/audit/marriage/aggregates/{marriage_id}/state"
    assert client.get(state + "?version=2", headers=tokens.auditor).json()["version"] == 2
    response = client.get(state + "?version=5", headers=tokens.auditor)
    assert response.status_code == 404, response.text


@pytest.mark.parametrize("query", ["state?version={huge}", "events?after={huge}", "events?after={beyond}"])
def test_a_number_no_store_can_hold_in_an_audit_read_is_a_4xx(client: Client, tokens: Tokens, query: str) -> None:
    marriage_id = refused_marriage(client, tokens)
    url = f"/v1/audit/marriage/aggregates/{marriage_id}/" + query.format(huge=2**63, beyond=10**30)
    response = client.get(url, headers=tokens.auditor)
    assert 400 <= response.status_code < 500, response.text


@pytest.mark.parametrize("code", ["ÄÖÜ1234567", "\u0661\u0662\u0663", "码" * 10])
def test_a_certificate_code_outside_ascii_is_404(client: Client, code: str) -> None:
    body = {"certificate": "J330782001-2026-000001", "code": code}
    response = client.post("/v1/certificates/verification", json=body)
    assert response.status_code == 404


def test_a_certificate_number_outside_ascii_is_4xx(client: Client) -> None:
    body = {"certificate": "Jé-2026-000001", "code": "ABCDEFGHJK"}
    response = client.post("/v1/certificates/verification", json=body)
    assert 400 <= response.status_code < 500


@pytest.mark.parametrize("depth", [30_000, 200_000])
@pytest.mark.parametrize("route", ["/v1/marriages", "/v1/certificates/verification", "/v1/audit/search"])
def test_json_nested_deeply_is_a_4xx_problem(client: Client, tokens: Tokens, route: str, depth: int) -> None:
    """Too deep to decode (400), or too large for the route before that (413)."""
    deep = "[" * depth + "]" * depth
    body = ('{"party_a": ' + deep + "}").encode()
    caller = tokens.auditor if route.startswith("/v1/audit") else tokens.clerk
    headers = {**caller, "Content-Type": "application/json"}
    response = client.post(route, content=body, headers=headers)
    assert response.status_code in (400, 413), response.text
    assert response.headers["content-type"].startswith("application/problem+json")
