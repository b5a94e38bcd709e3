"""On PostgreSQL `registry serve` keeps the read models in a child process of their own (`registry project`): started
with the server, started again if it dies, gone when the server is (api/cli/projection_child.py). On the embedded
store they stay in the server's process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import httpx
import psycopg
import pytest

from api.auth import mint_token
from projections.catalog import migrate_all
from registry.common.actors import Role
from registry.keys import Purpose
from registry.settings import Settings
from tests.conftest import TEST_KEYS, fresh_schema_url
from tests.e2e.test_server_process import free_port
from tests.support import OFFICE, resident_id

COMMAND = [sys.executable, "-m", "api.cli"]


class Server:
    def __init__(self, process: subprocess.Popen[bytes], base: str, settings: Settings, log: Path) -> None:
        self.process, self.base, self.settings, self.log = process, base, settings, log
        self.seen: set[int] = set()  # every child found so far (killed at the end if still alive)

    def children(self) -> list[int]:
        """The processes this server started (from /proc: each one's parent)."""
        found = []
        for entry in Path("/proc").iterdir():
            try:
                stat = (entry / "stat").read_text()
            except (OSError, ValueError):
                continue
            if entry.name.isdigit() and int(stat.rsplit(")", 1)[1].split()[1]) == self.process.pid:
                found.append(int(entry.name))
        self.seen.update(found)
        return found

    def clerk(self) -> httpx.Client:
        token = mint_token(self.settings.keys[Purpose.TOKEN], subject="clerk-e2e", role=Role.CLERK, office=OFFICE)
        return httpx.Client(base_url=self.base, headers={"Authorization": f"Bearer {token}"}, timeout=15)

    def files(self, client: httpx.Client, serial: int) -> httpx.Response:
        """A marriage application, filed now (a different couple for each serial)."""
        couple = {
            "party_a": {"document_number": resident_id(date(1990, 6, serial), "male"), "name": "周杰"},
            "party_b": {"document_number": resident_id(date(1991, 7, serial), "female"), "name": "吴丽"},
        }
        filed = client.post("/v1/marriages", json=couple)
        assert filed.status_code == 201, filed.text
        return filed

    def registers_and_lists(self, serial: int) -> None:
        """A marriage application filed now is on the marriage worklist (a read model) once its position is."""
        with self.clerk() as client:
            filed = self.files(client, serial)
            listed = client.get(f"/v1/worklists/marriage?wait_for={filed.headers['registry-log-position']}")
        assert listed.status_code == 200, listed.text
        assert filed.json()["id"] in [item["record_id"] for item in listed.json()["items"]]


def eventually(condition: Callable[[], bool], seconds: float = 15.0) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def alive(pid: int) -> bool:
    try:
        return "zombie" not in Path(f"/proc/{pid}/status").read_text().lower()
    except FileNotFoundError:
        return False


@contextmanager
def running_server(store_env: dict[str, str], tmp_path: Path) -> Iterator[Server]:
    """`registry serve` on a migrated store, once it answers; stopped afterwards if it still runs."""
    port = free_port()
    env = {**os.environ, **store_env, "REGISTRY_PORT": str(port)}
    subprocess.run([*COMMAND, "db", "migrate"], env=env, check=True, capture_output=True)
    log = tmp_path / "server.log"
    with log.open("wb") as output:
        process = subprocess.Popen([*COMMAND, "serve"], env=env, stdout=output, stderr=subprocess.STDOUT)
        server = Server(process, f"http://127.0.0.1:{port}", Settings.from_env(store_env), log)
        try:
            assert eventually(lambda: answers(server.base) or process.poll() is not None, 40), log.read_text()
            assert process.poll() is None, log.read_text()
            yield server
        finally:
            started = server.seen | set(server.children())
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=30)
            for pid in started:  # none should be left; if one is, it must not outlive the test
                if alive(pid):
                    os.kill(pid, signal.SIGKILL)


def answers(base: str) -> bool:
    try:
        return httpx.get(f"{base}/health", timeout=1).status_code == 200
    except httpx.TransportError:
        return False


@pytest.fixture
def postgres_server(postgres_database: str, tmp_path: Path) -> Iterator[Server]:
    env = {
        **TEST_KEYS,
        "REGISTRY_DATA_DIR": str(tmp_path / "var"),
        "REGISTRY_DATABASE_URL": fresh_schema_url(postgres_database),
        "REGISTRY_DV_KEYS_URL": fresh_schema_url(postgres_database + "_keys"),
    }
    with running_server(env, tmp_path) as server:
        yield server


def read_model_child(server: Server, starts: int = 1) -> int:
    """The server's one child, once it has started projecting for the `starts`-th time (it says so on the log)."""
    assert eventually(lambda: server.log.read_text().count("projecting: ") == starts), server.log.read_text()
    assert eventually(lambda: len(server.children()) == 1), (server.children(), server.log.read_text())
    [child] = server.children()
    assert "project" in Path(f"/proc/{child}/cmdline").read_text()
    return child


def test_on_postgresql_the_read_models_run_in_a_child_process_stopped_with_the_server(postgres_server: Server) -> None:
    child = read_model_child(postgres_server)
    postgres_server.registers_and_lists(1)
    postgres_server.process.terminate()
    assert postgres_server.process.wait(timeout=30) == 0
    assert not alive(child), postgres_server.log.read_text()  # stopped by the server before it exited
    assert "kept current by a child process" in postgres_server.log.read_text()


def test_a_read_model_process_that_dies_is_started_again(postgres_server: Server) -> None:
    first = read_model_child(postgres_server)
    reasons: list[str] = []
    watching = threading.Thread(target=ready_reasons_until_restarted, args=(postgres_server, reasons), daemon=True)
    watching.start()
    os.kill(first, signal.SIGKILL)
    assert eventually(lambda: postgres_server.children() not in ([], [first])), postgres_server.log.read_text()
    assert read_model_child(postgres_server, starts=2) != first
    postgres_server.registers_and_lists(2)
    assert "the read models' process exited (-9)" in postgres_server.log.read_text()
    watching.join(timeout=15)
    assert "the read models' process is not running (the server starts it again)" in reasons  # told by /ready


def test_the_server_names_in_ready_a_read_model_failing_in_its_child(postgres_server: Server) -> None:
    read_model_child(postgres_server)
    failing = "marriage_worklist/marriage is failing (UndefinedTable)"
    url, schema = postgres_server.settings.postgres_target()
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f'DROP TABLE "{schema}".marriage_worklist')  # a fault of the store, in the child's step
    with postgres_server.clerk() as client:
        postgres_server.files(client, 3)
    assert eventually(lambda: failing in ready_reasons(postgres_server)), postgres_server.log.read_text()
    migrate_all(postgres_server.settings)  # the table is back: the child catches up, and says nothing fails
    assert eventually(lambda: ready_reasons(postgres_server) == []), ready_reasons(postgres_server)


def ready_reasons(server: Server) -> list[str]:
    """/ready's reasons, as an operator sees them."""
    operator = mint_token(server.settings.keys[Purpose.TOKEN], subject="ops", role=Role.OPERATOR)
    reasons: list[str] = httpx.get(f"{server.base}/ready", headers={"Authorization": f"Bearer {operator}"}).json()[
        "reasons"
    ]
    return reasons


def ready_reasons_until_restarted(server: Server, reasons: list[str]) -> None:
    """What /ready gives an operator as its reasons, asked until the child is running again after it died."""
    operator = mint_token(server.settings.keys[Purpose.TOKEN], subject="ops", role=Role.OPERATOR)
    deadline = time.monotonic() + 15
    with httpx.Client(base_url=server.base, headers={"Authorization": f"Bearer {operator}"}, timeout=5) as client:
        while time.monotonic() < deadline and server.log.read_text().count("projecting: ") < 2:
            reasons += client.get("/ready").json().get("reasons", [])
            time.sleep(0.02)


def test_the_read_model_process_stops_when_the_server_is_killed(postgres_server: Server) -> None:
    child = read_model_child(postgres_server)
    postgres_server.process.kill()
    postgres_server.process.wait(timeout=10)
    assert eventually(lambda: not alive(child), 10)


def test_on_the_embedded_store_the_server_keeps_the_read_models_itself(tmp_path: Path) -> None:
    with running_server({**TEST_KEYS, "REGISTRY_DATA_DIR": str(tmp_path / "var")}, tmp_path) as embedded:
        embedded.registers_and_lists(3)
        assert embedded.children() == []
        assert "kept current by this process" in embedded.log.read_text()


def test_keeping_the_read_models_in_process_and_keeping_none_cannot_both_be_asked() -> None:
    refused = subprocess.run([*COMMAND, "serve", "--no-projections", "--projections-in-process"],
                             capture_output=True, text=True, timeout=60)  # fmt: skip
    assert refused.returncode == 2 and "contradict each other" in refused.stderr
