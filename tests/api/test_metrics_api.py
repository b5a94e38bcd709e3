"""Metrics at /metrics in Prometheus text format: requests, latency, commands, lag; never an id in a label."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from litestar.testing import TestClient
from prometheus_client.parser import text_string_to_metric_families

from registry.common.actors import Role
from tests.api.conftest import Tokens
from tests.support import resident_id

Client = TestClient  # type: ignore[type-arg]

UUID_TEXT = re.compile(r"[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}", re.IGNORECASE)
LONG_DIGIT_RUN = re.compile(r"\d{10,}")  # identity numbers (18), certificate serials; not statuses or buckets


def operator(tokens: Tokens) -> dict[str, str]:
    return tokens.header(Role.OPERATOR, "prometheus")


def samples(client: Client, tokens: Tokens) -> list[tuple[str, dict[str, str], float]]:
    response = client.get("/metrics", headers=operator(tokens))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return [
        (sample.name, dict(sample.labels), sample.value)
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    ]


def value(found: list[tuple[str, dict[str, str], float]], name: str, **labels: str) -> float:
    return sum(v for n, ls, v in found if n == name and all(ls.get(k) == want for k, want in labels.items()))


def couple() -> dict[str, Any]:
    return {
        "party_a": {"document_number": resident_id(date(1995, 3, 3), "male"), "name": "王伟"},
        "party_b": {"document_number": resident_id(date(1996, 4, 4), "female"), "name": "李娜"},
    }


def test_metrics_are_for_an_operator_or_an_auditor_only(client: Client, tokens: Tokens) -> None:
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers=tokens.clerk).status_code == 403
    assert client.get("/metrics", headers=tokens.auditor).status_code == 200
    assert client.get("/metrics", headers=operator(tokens)).status_code == 200


def test_an_operator_token_opens_nothing_but_the_metrics(client: Client, tokens: Tokens) -> None:
    assert client.post("/v1/marriages", json=couple(), headers=operator(tokens)).status_code == 403
    assert client.get("/v1/worklists/marriage", headers=operator(tokens)).status_code == 403


def test_requests_are_counted_by_route_template_and_status_with_latency(client: Client, tokens: Tokens) -> None:
    filed = client.post("/v1/marriages", json=couple(), headers=tokens.clerk)
    assert filed.status_code == 201
    marriage_id = filed.json()["id"]
    assert client.get(f"/v1/marriages/{marriage_id}", headers=tokens.clerk).status_code == 200
    assert client.get(f"/v1/marriages/{marriage_id}", headers=tokens.clerk).status_code == 200
    assert client.get("/v1/marriages/00000000-0000-4000-8000-000000000000", headers=tokens.clerk).status_code == 404

    found = samples(client, tokens)

    route = "/v1/marriages/{marriage_id}"
    assert value(found, "registry_http_requests_total", method="GET", route=route, status="200") == 2
    assert value(found, "registry_http_requests_total", method="GET", route=route, status="404") == 1
    assert value(found, "registry_http_requests_total", method="POST", route="/v1/marriages", status="201") == 1
    assert value(found, "registry_http_request_duration_seconds_count", method="GET", route=route) == 3
    assert value(found, "registry_http_request_duration_seconds_bucket", method="GET", route=route, le="+Inf") == 3


def test_commands_are_counted_by_command_and_outcome(client: Client, tokens: Tokens) -> None:
    assert client.post("/v1/marriages", json=couple(), headers=tokens.clerk).status_code == 201
    assert client.post("/v1/marriages", json={"party_a": {}}, headers=tokens.clerk).status_code == 400
    assert client.post("/v1/marriages", json=couple(), headers=tokens.court).status_code == 403

    found = samples(client, tokens)

    command = "MarriageController.apply"
    assert value(found, "registry_commands_total", command=command, outcome="accepted") == 1
    assert value(found, "registry_commands_total", command=command, outcome="invalid") == 1
    assert value(found, "registry_commands_total", command=command, outcome="denied") == 1
    assert value(found, "registry_commands_total", outcome="accepted") == 1  # reads and the scrape are no commands


def test_projection_lag_is_given_per_read_model(client: Client, tokens: Tokens) -> None:
    filed = client.post("/v1/marriages", json=couple(), headers=tokens.clerk)
    position = filed.headers["registry-log-position"]
    assert client.get(f"/v1/worklists/marriage?wait_for={position}", headers=tokens.clerk).status_code == 200

    found = samples(client, tokens)

    lags = {ls["projection"]: v for n, ls, v in found if n == "registry_projection_lag_events"}
    assert {"audit_trail/marriage", "marital_status/marriage", "merkle_leaves/marriage"} <= set(lags), lags
    assert all(lag >= 0 for lag in lags.values())
    assert value(found, "registry_log_head", application="marriage") >= 1


def test_no_label_carries_an_id_or_a_document_number(client: Client, tokens: Tokens) -> None:
    body = couple()
    filed = client.post("/v1/marriages", json=body, headers=tokens.clerk)
    marriage_id = filed.json()["id"]
    client.get(f"/v1/marriages/{marriage_id}", headers=tokens.clerk)
    client.get(f"/v1/audit/marriage/aggregates/{marriage_id}/events", headers=tokens.auditor)
    client.get("/v1/no-such-route/330782199501010011", headers=tokens.clerk)

    text = client.get("/metrics", headers=operator(tokens)).text
    labels = " ".join(
        " ".join(sample.labels.values()) for family in text_string_to_metric_families(text) for sample in family.samples
    )
    assert marriage_id not in text
    assert body["party_a"]["document_number"] not in text
    assert "330782199501010011" not in text
    assert not UUID_TEXT.search(labels)
    assert not LONG_DIGIT_RUN.search(labels)
