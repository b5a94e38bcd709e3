"""End to end: the real `registry` server process, over HTTP, on each store."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx
import pytest

from api.auth import mint_token
from registry.common.actors import Role
from registry.keys import Purpose
from registry.settings import Settings
from tests.support import OFFICE, resident_id

PRESENT = {
    "present": True,
    "declares_voluntary": True,
    "signed_no_spouse_statement": True,
    "signed_no_kinship_statement": True,
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def server(store_env: dict[str, str], tmp_path: Path) -> Iterator[tuple[str, Settings, Path]]:
    """Migrate, start `registry serve` as its own process, wait for /health; stop it afterwards."""
    port = free_port()
    env = {**os.environ, **store_env, "REGISTRY_PORT": str(port), "REGISTRY_LOG_FORMAT": "json"}
    command = [sys.executable, "-m", "api.cli"]
    subprocess.run([*command, "db", "migrate"], env=env, check=True, capture_output=True)
    log_path = tmp_path / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen([*command, "serve"], env=env, stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the server did not start:\n{log_path.read_text()}")
                time.sleep(0.1)
            yield base, Settings.from_env(store_env), log_path
        finally:
            process.terminate()
            process.wait(timeout=10)


def test_a_marriage_is_registered_over_http_by_the_real_server(server: tuple[str, Settings, Path]) -> None:
    base, settings, log_path = server
    clerk = {
        "Authorization": "Bearer "
        + mint_token(settings.keys[Purpose.TOKEN], subject="clerk-e2e", role=Role.CLERK, office=OFFICE)
    }
    numbers = resident_id(date(1993, 6, 1), "male"), resident_id(date(1994, 7, 2), "female")
    couple = {
        "party_a": {"document_number": numbers[0], "name": "周杰"},
        "party_b": {"document_number": numbers[1], "name": "吴丽"},
    }
    with httpx.Client(base_url=base, headers=clerk, timeout=10) as client:
        filed = client.post("/v1/marriages", json=couple, headers={"Idempotency-Key": "e2e-file-0001"})
        assert filed.status_code == 201, filed.text
        registered = client.post(
            f"/v1/marriages/{filed.json()['id']}/registration",
            json={"party_a": PRESENT, "party_b": PRESENT},
            headers={"If-Match": filed.headers["etag"]},
        )
        assert registered.status_code == 200, registered.text
        assert registered.json()["state"] == "registered"
        status = client.post("/v1/persons/marital-status", json={"document_number": numbers[1]})
        assert status.json()["status"] == "married"
        assert client.get("/ready").json()["status"] == "ready"

    log = log_path.read_text()
    assert '"route": "/v1/marriages/{marriage_id}/registration"' in log and '"actor": "clerk-e2e"' in log
    for number in numbers:
        assert number not in log and number[:14] not in log


def test_the_server_keeps_the_read_models_current_on_either_store(server: tuple[str, Settings, Path]) -> None:
    """One command serves a working registry: lists and statistics follow the writes without a second process."""
    base, settings, _ = server
    secret = settings.keys[Purpose.TOKEN]
    clerk = {"Authorization": "Bearer " + mint_token(secret, subject="clerk-e2e", role=Role.CLERK, office=OFFICE)}
    couple = {
        "party_a": {"document_number": resident_id(date(1991, 6, 1), "male"), "name": "周杰"},
        "party_b": {"document_number": resident_id(date(1992, 7, 2), "female"), "name": "吴丽"},
    }
    with httpx.Client(base_url=base, headers=clerk, timeout=15) as client:
        filed = client.post("/v1/marriages", json=couple)
        position = filed.headers["registry-log-position"]
        worklist = client.get(f"/v1/worklists/marriage?wait_for={position}")
    assert worklist.status_code == 200, worklist.text
    assert [item["record_id"] for item in worklist.json()["items"]] == [filed.json()["id"]]


@pytest.mark.postgres
def test_several_server_processes_serve_one_registry_on_postgresql(store_env: dict[str, str], tmp_path: Path) -> None:
    if "REGISTRY_DATABASE_URL" not in store_env:
        refused = subprocess.run(
            [sys.executable, "-m", "api.cli", "serve", "--workers", "2"],
            env={**os.environ, **store_env}, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert refused.returncode == 2 and "--workers needs PostgreSQL" in refused.stderr
        return
    port = free_port()
    env = {**os.environ, **store_env, "REGISTRY_PORT": str(port)}
    subprocess.run([sys.executable, "-m", "api.cli", "db", "migrate"], env=env, check=True, capture_output=True)
    with (tmp_path / "server.log").open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "api.cli", "serve", "--workers", "2"], env=env, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 40
            while True:
                try:
                    if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert process.poll() is None and time.monotonic() < deadline, (tmp_path / "server.log").read_text()
                time.sleep(0.2)
            settings = Settings.from_env(store_env)
            token = mint_token(settings.keys[Purpose.TOKEN], subject="clerk-e2e", role=Role.CLERK, office=OFFICE)
            couple = {
                "party_a": {"document_number": resident_id(date(1990, 6, 1), "male"), "name": "周杰"},
                "party_b": {"document_number": resident_id(date(1991, 7, 2), "female"), "name": "吴丽"},
            }
            with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=15) as client:
                filed = client.post("/v1/marriages", json=couple)
                assert filed.status_code == 201, filed.text
                for _ in range(4):  # answered by either process
                    read = client.get(f"/v1/worklists/marriage?wait_for={filed.headers['registry-log-position']}")
                    assert read.status_code == 200 and len(read.json()["items"]) == 1
        finally:
            process.terminate()
            process.wait(timeout=30)
