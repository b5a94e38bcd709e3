"""A peer's feed request may be held (long polling, `wait`): it is answered as soon as a fact is committed, else with
an empty signed page when its wait ends; the wait is bounded, so is the number held per peer, and a stopping server
lets them all go at once."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from litestar.testing import TestClient

from api.app import create_app
from api.feed_waits import HELD_PER_READER, FeedWaits
from projections.audit.checkpoints import public_key_text
from registry.common.actors import Role
from registry.common.clock import FixedClock
from registry.exchange.pages import page_problems
from registry.keys import Purpose
from registry.settings import Settings
from registry.system import Registry
from tests.api.conftest import Tokens
from tests.api.test_marriage_api import REGISTRATION, Client, file
from tests.integration.test_exchange_follower_checks import PEER_KEY

READER = "33"
HELD_FOR_LONG = 20.0  # far longer than any answer below may take: an answer before it was not the wait's end


@pytest.fixture
def settings(store_env: dict[str, str]) -> Settings:
    peers = [{"jurisdiction": READER, "public_key": public_key_text(PEER_KEY)}]
    return Settings.from_env({**store_env, "REGISTRY_EXCHANGE_PEERS": json.dumps(peers)})


@pytest.fixture
def client(registry: Registry, clock: FixedClock) -> Iterator[Client]:
    with TestClient(create_app(registry=registry, clock=clock, run_projections=True)) as test_client:
        yield test_client


def peer(tokens: Tokens) -> dict[str, str]:
    return tokens.header(Role.EXCHANGE_PEER, f"registry-{READER}", READER)


class Held(threading.Thread):
    """A feed request in a thread of its own, held by the registry until it answers."""

    def __init__(self, client: Client, tokens: Tokens, after: int = 0, wait: float = HELD_FOR_LONG) -> None:
        super().__init__(daemon=True)
        self.client, self.url, self.headers = client, f"/v1/exchange/feed?after={after}&wait={wait:g}", peer(tokens)
        self.response: httpx.Response | None = None

    def run(self) -> None:
        self.response = self.client.get(self.url, headers=self.headers)

    def answered(self) -> httpx.Response:
        self.join(timeout=HELD_FOR_LONG / 2)
        assert self.response is not None, "still held: it was not answered when it could have been"
        return self.response


def holding(client: Client, count: int) -> None:
    """Until the registry holds `count` of the reader's requests (bounded)."""
    waits: FeedWaits = client.app.state.feed_waits
    seen = threading.Event()
    for _ in range(400):
        if waits.held(READER) == count or seen.wait(0.025):
            return
    raise AssertionError(f"the registry holds {waits.held(READER)} requests, not {count}")


def verified(registry: Registry, page: dict[str, Any], after: int = 0) -> dict[str, Any]:
    key = registry.settings.keys.signer(Purpose.EXCHANGE_SIGNING).public_key()
    problems = page_problems(key, page, jurisdiction=registry.settings.jurisdiction, reader=READER, position=after)
    assert problems == []
    return page


def test_a_held_feed_request_is_answered_as_soon_as_a_fact_is_committed(
    client: Client, tokens: Tokens, registry: Registry
) -> None:
    held = Held(client, tokens)
    held.start()
    holding(client, 1)
    filed = file(client, tokens)
    registered = client.post(f"/v1/marriages/{filed['id']}/registration", json=REGISTRATION, headers=tokens.clerk)
    assert registered.status_code == 200, registered.text

    page = verified(registry, held.answered().json())

    assert [event["subject"] for event in page["events"]] == [filed["id"]] and page["wait"] == HELD_FOR_LONG


def test_the_feeds_projection_wakes_a_held_request_itself_without_the_shared_recheck(
    client: Client, tokens: Tokens, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("api.feed_waits.RECHECK_SECONDS", 3600.0)  # only the projection runner's ring is left
    held = Held(client, tokens)
    held.start()
    holding(client, 1)
    filed = file(client, tokens)
    client.post(f"/v1/marriages/{filed['id']}/registration", json=REGISTRATION, headers=tokens.clerk)

    assert [event["subject"] for event in held.answered().json()["events"]] == [filed["id"]]


def test_a_held_feed_request_with_nothing_to_bring_ends_with_an_empty_signed_page(
    client: Client, tokens: Tokens, registry: Registry
) -> None:
    answered = client.get("/v1/exchange/feed?after=0&wait=0.2", headers=peer(tokens))
    assert answered.status_code == 200
    page = verified(registry, answered.json())
    assert (page["events"], page["next_after"], page["wait"]) == ([], None, 0.2)


def test_without_a_wait_the_feed_answers_at_once_and_its_page_says_no_wait(client: Client, tokens: Tokens) -> None:
    page = client.get("/v1/exchange/feed?after=0", headers=peer(tokens)).json()
    assert page["events"] == [] and "wait" not in page


@pytest.mark.parametrize("wait", ["-1", "25.5", "3600", "soon", "nan"])
def test_a_wait_that_is_negative_too_long_or_not_a_number_is_a_malformed_request(
    client: Client, tokens: Tokens, wait: str
) -> None:
    refused = client.get(f"/v1/exchange/feed?after=0&wait={wait}", headers=peer(tokens))
    assert (refused.status_code, refused.json()["type"]) == (400, "/problems/malformed-request")


def test_a_peer_with_as_many_requests_held_as_allowed_is_told_to_retry_later(client: Client, tokens: Tokens) -> None:
    held = [Held(client, tokens) for _ in range(HELD_PER_READER)]
    for request in held:
        request.start()
    holding(client, HELD_PER_READER)

    refused = client.get(f"/v1/exchange/feed?after=0&wait={HELD_FOR_LONG:g}", headers=peer(tokens))

    assert (refused.status_code, refused.json()["type"]) == (429, "/problems/too-many-held-requests")
    assert refused.headers["retry-after"] == "1"
    client.app.state.feed_waits.close()
    assert [request.answered().status_code for request in held] == [200] * HELD_PER_READER


def test_a_stopping_registry_lets_every_held_request_go_with_an_empty_page_and_holds_no_more(
    client: Client, tokens: Tokens, registry: Registry
) -> None:
    held = Held(client, tokens)
    held.start()
    holding(client, 1)

    client.app.state.feed_waits.close()

    assert verified(registry, held.answered().json())["events"] == []
    late = Held(client, tokens)
    late.start()
    assert late.answered().json()["events"] == []
