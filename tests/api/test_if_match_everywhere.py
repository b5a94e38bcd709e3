"""If-Match on every command of every context: a stale ETag is 412 and writes nothing, a malformed one is 400, the
current one is obeyed and answered with the record's new ETag.

The commands walked are taken from the app's route table: a new command route fails here until it has its scenario
in tests/api/command_scenarios.py, and then fails again unless it honours If-Match.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from registry.common.clock import FixedClock
from registry.system import Registry
from tests.api.command_scenarios import SCENARIOS, Command, World
from tests.api.conftest import Tokens
from tests.conftest import TEST_KEYS

Client = TestClient  # type: ignore[type-arg]
CHANGING = {"POST", "PUT", "PATCH", "DELETE"}


@pytest.fixture
def store_env(tmp_path: Path) -> dict[str, str]:
    """SQLite only: how If-Match is checked does not depend on the store, whose own tests cover PostgreSQL."""
    return {**TEST_KEYS, "REGISTRY_DATA_DIR": str(tmp_path / "var")}


@pytest.fixture
def world(client: Client, tokens: Tokens, clock: FixedClock) -> World:
    return World(client, tokens, clock)


def commands_on_records(app: Litestar) -> set[str]:
    """Every route of the API that changes a record it names in its path (a record without an id, the reward
    schedule, has its scenario too; routes that create a record or search have nothing to match)."""
    return {
        route.path
        for route in app.routes
        if route.path.startswith("/v1/") and "{" in route.path and CHANGING & set(getattr(route, "methods", ()))
    }


def send(world: World, command: Command, if_match: str) -> httpx.Response:
    return world.client.post(command.url, json=command.body, headers={**command.by, "If-Match": if_match})


def version_of(etag: str) -> int:
    return int(etag.strip('"'))


def test_every_command_route_has_its_scenario(client: Client) -> None:
    routes = {route.path for route in client.app.routes}
    assert commands_on_records(client.app) - set(SCENARIOS) == set()
    assert set(SCENARIOS) - routes == set()  # no scenario outlives its route


@pytest.mark.parametrize("route", sorted(SCENARIOS))
def test_a_stale_or_malformed_if_match_is_refused_and_nothing_is_written(
    route: str, world: World, registry: Registry
) -> None:
    command = SCENARIOS[route](world)
    before = world.client.get(command.record, headers=command.reader)
    assert before.status_code == 200, before.text
    log = registry.applications()[command.context].recorder
    position = log.max_notification_id()
    stale = send(world, command, f'"{version_of(before.headers["etag"]) - 1}"')
    assert (stale.status_code, stale.json()["type"]) == (412, "/problems/version-mismatch"), stale.text
    malformed = send(world, command, "version 1")
    assert (malformed.status_code, malformed.json()["type"]) == (400, "/problems/if-match-malformed")
    after = world.client.get(command.record, headers=command.reader)
    assert (after.headers["etag"], after.json()) == (before.headers["etag"], before.json())
    assert log.max_notification_id() == position


@pytest.mark.parametrize("route", sorted(SCENARIOS))
def test_the_current_etag_as_if_match_is_obeyed_and_answered_with_the_new_one(route: str, world: World) -> None:
    command = SCENARIOS[route](world)
    current = world.client.get(command.record, headers=command.reader).headers["etag"]
    response = send(world, command, current)
    assert 200 <= response.status_code < 300, response.text
    after = world.client.get(command.record, headers=command.reader)
    assert response.headers["etag"] == after.headers["etag"]
    assert int(response.headers["registry-log-position"]) > 0
