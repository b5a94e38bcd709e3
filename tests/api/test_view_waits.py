"""Waiting for the read models (`wait_for`) costs no worker thread, is capped in time and in number of waiters,
and a position beyond the log's head is refused at once."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from litestar.testing import TestClient

from api.app import create_app
from registry.common.clock import FixedClock
from registry.system import Registry
from tests.api.conftest import Tokens
from tests.api.test_marriage_api import couple

Client = TestClient  # type: ignore[type-arg]


@pytest.fixture
def lagging_client(registry: Registry, clock: FixedClock) -> Iterator[Client]:
    """An app whose read models never move: no projections run in its process."""
    with TestClient(create_app(registry=registry, clock=clock, run_projections=False)) as test_client:
        yield test_client


def filed_position(client: Client, tokens: Tokens) -> tuple[str, int]:
    response = client.post("/v1/marriages", json=couple(), headers=tokens.clerk)
    assert response.status_code == 201, response.text
    return response.json()["id"], int(response.headers["registry-log-position"])


def waits_in_threads(client: Client, tokens: Tokens, url: str, count: int) -> tuple[list[threading.Thread], list[int]]:
    statuses: list[int] = []

    def wait() -> None:
        statuses.append(client.get(url, headers=tokens.clerk).status_code)

    threads = [threading.Thread(target=wait) for _ in range(count)]
    for thread in threads:
        thread.start()
    return threads, statuses


def test_forty_long_waits_do_not_hold_up_an_ordinary_request(
    lagging_client: Client, tokens: Tokens, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("api.views.MAX_WAIT_SECONDS", 4.0)
    marriage_id, position = filed_position(lagging_client, tokens)
    threads, statuses = waits_in_threads(lagging_client, tokens, f"/v1/worklists/marriage?wait_for={position}", 40)
    time.sleep(0.5)  # every wait has started
    ordinary = lagging_client.get(f"/v1/marriages/{marriage_id}", headers=tokens.clerk)
    assert ordinary.status_code == 200
    assert statuses == [], "the ordinary read was answered only after waits had ended"
    for thread in threads:
        thread.join()
    assert statuses == [503] * 40


def test_a_wait_ends_after_the_cap_with_view_not_caught_up_and_retry_after(
    lagging_client: Client, tokens: Tokens, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("api.views.MAX_WAIT_SECONDS", 0.2)
    _, position = filed_position(lagging_client, tokens)
    response = lagging_client.get(f"/v1/worklists/marriage?wait_for={position}", headers=tokens.clerk)
    assert (response.status_code, response.json()["type"]) == (503, "/problems/view-not-caught-up")
    assert response.headers["retry-after"] == "1"


def test_waiting_for_a_position_beyond_the_log_head_is_refused_at_once(client: Client, tokens: Tokens) -> None:
    _, position = filed_position(client, tokens)
    started = time.monotonic()
    response = client.get(f"/v1/worklists/marriage?wait_for={position + 1000}", headers=tokens.clerk)
    assert (response.status_code, response.json()["type"]) == (422, "/problems/wait-for-beyond-log-head")
    assert str(position) in response.json()["errors"][0]["detail"]
    assert time.monotonic() - started < 1.0  # nothing to wait for: no wait at all


def test_waiters_beyond_the_cap_are_turned_away_with_retry_after(
    lagging_client: Client, tokens: Tokens, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("api.views.MAX_WAIT_SECONDS", 2.0)
    monkeypatch.setattr("api.views.MAX_WAITERS", 2)
    _, position = filed_position(lagging_client, tokens)
    threads, statuses = waits_in_threads(lagging_client, tokens, f"/v1/worklists/marriage?wait_for={position}", 2)
    time.sleep(0.5)  # both waits hold their places
    turned_away = lagging_client.get(f"/v1/worklists/marriage?wait_for={position}", headers=tokens.clerk)
    assert (turned_away.status_code, turned_away.json()["type"]) == (503, "/problems/too-many-waiting")
    assert turned_away.headers["retry-after"] == "1"
    for thread in threads:
        thread.join()
    assert statuses == [503, 503]


def test_the_wait_for_parameter_is_documented_on_every_route_that_waits(client: Client) -> None:
    schema = client.get("/schema/openapi.json").json()
    parameters = schema["paths"]["/v1/worklists/marriage"]["get"]["parameters"]
    wait_for = next(p for p in parameters if p["name"] == "wait_for")
    assert wait_for["in"] == "query"


def test_the_views_positions_are_read_once_for_all_requests_of_a_moment_and_again_for_a_newer_wait(
    client: Client, tokens: Tokens, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A position read a moment before a query is still a true lower bound for it: one read serves every request of
    that moment. A request waiting for a newer position than the last one read asks again at once."""
    monkeypatch.setattr("api.views.FRESH_SECONDS", 60.0)
    reads = client.app.state.read_side.reads
    real_positions, asked = reads.positions, []

    def positions() -> dict[str, int]:
        if threading.current_thread().name != "projections":  # the projection rounds read them too, on their thread
            asked.append(1)
        return real_positions()

    monkeypatch.setattr(reads, "positions", positions)
    for _ in range(5):
        assert client.get("/v1/worklists/marriage", headers=tokens.clerk).status_code == 200
    assert len(asked) == 1
    marriage_id, position = filed_position(client, tokens)
    client.app.state.read_side.catch_up()
    answer = client.get(f"/v1/worklists/marriage?wait_for={position}", headers=tokens.clerk)
    assert answer.status_code == 200
    assert marriage_id in answer.text
    assert int(answer.headers["registry-view-position"].split("=")[1]) >= position
    assert len(asked) == 2
