"""/ready: not ready while a read model has a quarantined event, is stopped, or lags too far; reasons for operators."""

from __future__ import annotations

import dataclasses
import time

from litestar.testing import TestClient

from registry.common.actors import Role
from registry.system import Registry
from tests.api.conftest import Tokens
from tests.integration.test_quarantine import marry, poisons, store_as_an_older_version_did


def wait_for_status(client: TestClient, status: str, headers: dict[str, str]) -> dict[str, object]:  # type: ignore[type-arg]
    deadline = time.monotonic() + 20
    while True:
        body: dict[str, object] = client.get("/ready", headers=headers).json()
        if body["status"] == status or time.monotonic() > deadline:
            return body
        time.sleep(0.1)


def test_ready_names_the_quarantined_event_to_operators_and_auditors_and_nothing_to_anyone_else(
    client: TestClient,
    registry: Registry,
    tokens: Tokens,  # type: ignore[type-arg]
) -> None:
    operator = tokens.header(Role.OPERATOR, "operator-1")
    marry(registry, 1)
    assert wait_for_status(client, "ready", operator)["status"] == "ready"
    poisoned = store_as_an_older_version_did(registry.marriage, poisons(registry)[0])
    marry(registry, 1)

    body = wait_for_status(client, "not-ready", operator)

    assert body["quarantined"] == {"audit_trail/marriage": [poisoned]}
    assert any("audit_trail/marriage" in reason for reason in body["reasons"])  # type: ignore[attr-defined]
    assert client.get("/ready", headers=tokens.auditor).json()["quarantined"] == {"audit_trail/marriage": [poisoned]}
    for anonymous in ({}, tokens.clerk, {"Authorization": "Bearer not-a-token"}):
        answer = client.get("/ready", headers=anonymous)
        assert answer.status_code == 503 and answer.json() == {"status": "not-ready"}


def test_ready_is_not_ready_while_a_read_model_lags_more_than_the_threshold(
    client: TestClient,
    registry: Registry,
    tokens: Tokens,  # type: ignore[type-arg]
) -> None:
    operator = tokens.header(Role.OPERATOR, "operator-1")
    client.app.state.read_side.service.stop()  # the runner stops; the log moves on
    marry(registry, 1)
    registry.settings = dataclasses.replace(registry.settings, ready_max_lag=1)

    answer = client.get("/ready", headers=operator)

    assert answer.status_code == 503
    assert any("lags" in reason for reason in answer.json()["reasons"])
    assert any("stopped" in reason for reason in answer.json()["reasons"])
