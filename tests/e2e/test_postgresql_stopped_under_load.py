"""PostgreSQL stopped (immediate) under load and restarted: fast 503s while it is down, then recovery by itself,
and every acknowledged command is kept."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import httpx
import pytest

from api.auth import mint_token
from registry.common.actors import Role
from registry.keys import Purpose
from registry.settings import Settings
from tests.conftest import TEST_KEYS
from tests.e2e.postgres_cluster import free_port, own_cluster
from tests.support import OFFICE, resident_id

pytestmark = [pytest.mark.postgres, pytest.mark.e2e, pytest.mark.slow]

FAIL_FAST_SECONDS = 6.0  # pool timeout (3 s) plus the library's one retry after a broken connection, with margin


@dataclass
class Answer:
    sent_at: float
    seconds: float
    status: int  # 0: no HTTP answer at all
    body: dict[str, object] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)


class Load(threading.Thread):
    """Files marriage applications one after another, each with an idempotency key, and keeps every answer."""

    def __init__(self, base: str, headers: dict[str, str]) -> None:
        super().__init__(daemon=True)
        self.client = httpx.Client(base_url=base, headers=headers, timeout=30)
        self.answers: list[Answer] = []
        self.acknowledged: list[str] = []
        self.stopping = threading.Event()

    def run(self) -> None:
        n = 0
        while not self.stopping.is_set():
            n += 1
            couple = {
                "party_a": {"document_number": resident_id(date(1970 + n % 30, 1 + n % 12, 1), "male"), "name": "周杰"},
                "party_b": {
                    "document_number": resident_id(date(1971 + n % 30, 2, 1 + n % 28), "female"),
                    "name": "吴丽",
                },
            }
            started = time.monotonic()
            try:
                response = self.client.post(
                    "/v1/marriages", json=couple, headers={"Idempotency-Key": f"load-{uuid.uuid4().hex}"}
                )
            except httpx.HTTPError:
                self.answers.append(Answer(started, time.monotonic() - started, 0))
                continue
            body = response.json() if response.headers.get("content-type", "").endswith("json") else {}
            self.answers.append(
                Answer(started, time.monotonic() - started, response.status_code, body, dict(response.headers))
            )
            if response.status_code == 201:
                self.acknowledged.append(str(body["id"]))
            time.sleep(0.05)

    def acknowledged_after(self, moment: float) -> int:
        return sum(1 for a in self.answers if a.sent_at > moment and a.status == 201)


def wait_for(condition: object, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.1)
    return False


def test_postgresql_stopped_under_load_answers_503_fast_and_the_server_recovers_keeping_every_acknowledged_command(
    tmp_path: Path,
) -> None:
    with own_cluster() as cluster:
        port = free_port()
        env = {
            **os.environ, **TEST_KEYS, "REGISTRY_DATA_DIR": str(tmp_path / "var"), "REGISTRY_PORT": str(port),
            "REGISTRY_DATABASE_URL": cluster.create_database("registry"),
            "REGISTRY_DV_KEYS_URL": cluster.create_database("registry_keys"), "REGISTRY_LOG_FORMAT": "json",
        }  # fmt: skip
        command = [sys.executable, "-m", "api.cli"]
        subprocess.run([*command, "db", "migrate"], env=env, check=True, capture_output=True, timeout=120)
        settings = Settings.from_env(env)
        clerk = {
            "Authorization": "Bearer "
            + mint_token(settings.keys[Purpose.TOKEN], subject="clerk-load", role=Role.CLERK, office=OFFICE)
        }
        base = f"http://127.0.0.1:{port}"
        log_path = tmp_path / "server.log"
        with log_path.open("wb") as log:
            server = subprocess.Popen([*command, "serve"], env=env, stdout=log, stderr=subprocess.STDOUT)
            load = Load(base, clerk)
            try:
                assert wait_for(lambda: _healthy(base), 30), log_path.read_text()
                load.start()
                assert wait_for(lambda: len(load.acknowledged) >= 5, 20), load.answers

                cluster.stop("immediate")
                stopped_at = time.monotonic()
                time.sleep(8)
                restarted_at = time.monotonic()
                cluster.start()
                recovered = wait_for(lambda: load.acknowledged_after(restarted_at) > 0, 40)
                load.stopping.set()
                load.join(timeout=40)
                assert recovered, [(a.status, a.body.get("type")) for a in load.answers[-10:]]

                while_down = [a for a in load.answers if stopped_at < a.sent_at < restarted_at]
                assert len(while_down) >= 2
                assert all(a.status == 503 for a in while_down), [(a.status, a.body) for a in while_down]
                assert all(a.body.get("type") == "/problems/store-unavailable" for a in while_down)
                assert all(a.headers.get("retry-after") for a in while_down)
                assert all(a.headers.get("content-type") == "application/problem+json" for a in while_down)
                assert all(a.status in (201, 503) for a in load.answers), {a.status for a in load.answers}
                slowest = max(a.seconds for a in load.answers if a.sent_at > stopped_at and a.status != 201)
                assert slowest < FAIL_FAST_SECONDS

                with httpx.Client(base_url=base, headers=clerk, timeout=10) as client:
                    missing = [i for i in load.acknowledged if client.get(f"/v1/marriages/{i}").status_code != 200]
                assert missing == [], f"{len(missing)} of {len(load.acknowledged)} acknowledged applications lost"
            finally:
                load.stopping.set()
                server.terminate()
                server.wait(timeout=20)


def _healthy(base: str) -> bool:
    try:
        return httpx.get(f"{base}/health", timeout=1).status_code == 200
    except httpx.TransportError:
        return False
