"""Read models served by a real streaming replica (REGISTRY_REPLICA_URL): a primary cluster and a hot standby of the
test's own (pg_basebackup -R), the app in process. Writes go to the primary; the position-stamped reads come from the
replica and never answer older than the position they report; a read naming a position the replica has not applied
(replay paused) waits for it and is answered correctly once the replica has it."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import date
from typing import Any

import psycopg
import pytest
from litestar.testing import TestClient

from api.app import create_app
from api.doctor import replica_check
from api.views import VIEW_POSITION_HEADER
from projections.catalog import ReadSide, migrate_all
from registry.adapters.postgres_pool import REPLICA_APPLICATION_NAME
from registry.common.actors import Role
from registry.common.clock import FixedClock
from registry.settings import Settings
from tests.api.conftest import TODAY, Tokens
from tests.api.test_marriage_api import party
from tests.conftest import TEST_KEYS
from tests.e2e.postgres_cluster import Cluster, own_cluster, own_replica
from tests.support import local_noon

pytestmark = [pytest.mark.postgres, pytest.mark.e2e, pytest.mark.slow]

Client = TestClient  # type: ignore[type-arg]
REPLAY_SECONDS = 20.0  # how long a healthy replica may take to replay a write here (it takes milliseconds)


class Replicated:
    """The primary, its replica, the settings naming both, and the app over them."""

    def __init__(self, primary: Cluster, replica: Cluster, settings: Settings, client: Client) -> None:
        self.primary, self.replica, self.settings, self.client = primary, replica, settings, client
        self.tokens = Tokens(client.app.state.registry)
        self.filed = 0

    @property
    def read_side(self) -> ReadSide:
        read_side: ReadSide = self.client.app.state.read_side
        return read_side

    def file(self) -> tuple[str, int]:
        """A new marriage application (a different couple each time): its id and its log position."""
        self.filed += 1
        couple = {
            "party_a": party(date(1990, 1, self.filed), "male", "王伟"),
            "party_b": party(date(1991, 2, self.filed), "female", "李娜"),
        }
        response = self.client.post("/v1/marriages", json=couple, headers=self.tokens.clerk)
        assert response.status_code == 201, response.text
        return response.json()["id"], int(response.headers["registry-log-position"])

    def worklist(self, wait_for: int | None = None) -> tuple[list[str], int]:
        """The ids on the office's worklist and the position the answer reports."""
        query = "" if wait_for is None else f"?wait_for={wait_for}"
        response = self.client.get(f"/v1/worklists/marriage{query}", headers=self.tokens.clerk)
        assert response.status_code == 200, response.text
        return worklist_of(response)

    def on_replica(self, sql: str) -> Any:
        with psycopg.connect(f"{self.replica.url}/registry", autocommit=True) as connection:
            return connection.execute(sql).fetchone()


def worklist_of(response: Any) -> tuple[list[str], int]:
    ids = [item["record_id"] for item in response.json()["items"]]
    return ids, int(response.headers[VIEW_POSITION_HEADER].split("=")[1])


def until(condition: Any, seconds: float = REPLAY_SECONDS) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


@pytest.fixture(scope="module")
def replicated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Replicated]:
    """A migrated primary streaming to a replica, and the app with REGISTRY_REPLICA_URL, projecting on the primary."""
    with own_cluster(wal_level="replica", max_wal_senders="4") as primary:
        env = {
            **TEST_KEYS, "REGISTRY_DATA_DIR": str(tmp_path_factory.mktemp("var")),
            "REGISTRY_DATABASE_URL": primary.create_database("registry"),
            "REGISTRY_DV_KEYS_URL": primary.create_database("registry_keys"),
            "REGISTRY_DB_CONNECTIONS": "4", "REGISTRY_REPLICA_CONNECTIONS": "2",
        }  # fmt: skip
        migrate_all(Settings.from_env(env))
        with own_replica(primary) as replica:
            settings = Settings.from_env({**env, "REGISTRY_REPLICA_URL": f"{replica.url}/registry"})
            app = create_app(settings, clock=FixedClock(local_noon(TODAY)), run_projections=True)
            with TestClient(app) as client:
                yield Replicated(primary, replica, settings, client)


def test_a_written_application_is_read_back_from_the_replica_at_the_position_the_write_gave(
    replicated: Replicated,
) -> None:
    marriage_id, position = replicated.file()
    ids, reported = replicated.worklist(wait_for=position)
    assert marriage_id in ids
    assert reported >= position
    sessions = replicated.on_replica(
        f"SELECT count(*) FROM pg_stat_activity WHERE application_name = '{REPLICA_APPLICATION_NAME}'"
    )
    assert sessions[0] >= 1, "the registry holds no session on the replica"


def test_the_replica_pool_is_apart_from_the_primary_pool_and_stays_within_its_own_budget(
    replicated: Replicated,
) -> None:
    read_side = replicated.read_side
    assert read_side.replica is not replicated.client.app.state.registry.pool
    assert read_side.replica.max_size == 2  # REGISTRY_REPLICA_CONNECTIONS
    statuses: list[int] = []

    def read_five() -> None:
        for _ in range(5):
            response = replicated.client.get("/v1/worklists/marriage", headers=replicated.tokens.clerk)
            statuses.append(response.status_code)

    readers = [threading.Thread(target=read_five) for _ in range(8)]
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join(timeout=30)
    assert statuses == [200] * 40
    sessions = replicated.on_replica(
        f"SELECT count(*) FROM pg_stat_activity WHERE application_name = '{REPLICA_APPLICATION_NAME}'"
    )
    assert 1 <= sessions[0] <= 2


def test_a_paused_replica_answers_its_own_older_position_and_a_read_naming_the_new_one_waits_for_replay(
    replicated: Replicated,
) -> None:
    replicated.on_replica("SELECT pg_wal_replay_pause()")
    try:
        marriage_id, position = replicated.file()
        assert until(lambda: replicated.read_side.position("marriage") >= position), "the primary never projected"
        ids, reported = replicated.worklist()
        # The primary's read models hold the application; the answer does not: it came from the replica, and says so.
        assert marriage_id not in ids
        assert reported < position
        assert replica_check(replicated.settings).ok is False  # doctor: replay paused

        answers: list[Any] = []
        waiting = threading.Thread(
            target=lambda: answers.append(
                replicated.client.get(f"/v1/worklists/marriage?wait_for={position}", headers=replicated.tokens.clerk)
            )
        )
        waiting.start()
        time.sleep(1.0)
        assert answers == [], "the read did not wait for the position the replica lacks"
    finally:
        replicated.on_replica("SELECT pg_wal_replay_resume()")
    waiting.join(timeout=10)
    assert answers and answers[0].status_code == 200, answers and answers[0].text
    ids, reported = worklist_of(answers[0])
    assert marriage_id in ids
    assert reported >= position


def test_ready_metrics_and_doctor_say_the_replica_is_reachable_and_how_far_behind_it_is(
    replicated: Replicated,
) -> None:
    _, position = replicated.file()
    replicated.worklist(wait_for=position)
    operator = replicated.tokens.header(Role.OPERATOR, "operator-1")
    ready = replicated.client.get("/ready", headers=operator).json()
    assert ready["replica"]["reachable"] is True
    assert ready["replica"]["standby"] is True
    assert ready["replica"]["replay_paused"] is False
    assert set(ready["replica"]["lag_behind_primary"]) == set(ready["projection_lag"])
    metrics = replicated.client.get("/metrics", headers=operator).text
    assert "registry_replica_up 1.0" in metrics
    assert 'registry_replica_lag_events{projection="marriage_worklist/marriage"}' in metrics
    check = replica_check(replicated.settings)
    assert check.ok, check.detail
    assert "a standby of this primary, replaying" in check.detail


def test_with_the_replica_gone_ready_says_so_and_the_primary_keeps_taking_commands(replicated: Replicated) -> None:
    replicated.replica.stop("immediate")
    try:
        replicated.file()
        operator = replicated.tokens.header(Role.OPERATOR, "operator-1")
        ready = replicated.client.get("/ready", headers=operator)
        assert ready.status_code == 503
        assert ready.json()["replica"] == {"reachable": False}
        assert any("replica cannot be read" in reason for reason in ready.json()["reasons"])
        assert replica_check(replicated.settings).ok is False
    finally:
        replicated.replica.start()
