"""Marriage registrations per second on PostgreSQL: over HTTP (a real server process) against the bare application.

Each client is a clerk at an office of its own (clerks at one office share its certificate book, which
serialises them by design). Both paths do the same work per registration: load the application and both
persons' status, check every condition, save the marriage, two person statuses and the certificate book in one
transaction, with the same number of concurrent clients. The bare path calls MarriageRegistry (an eventsourcing
Application) in-process; the HTTP path adds the server process, JSON, JWT, validation and the loopback network.
The load generator is a minimal keep-alive HTTP/1.1 client, so that it takes little of the two cores.
Prints its figures, then one JSON line with "ratio" = HTTP rate / bare rate.

    .venv/bin/python -m benchmarks.write_path [--registrations 2000] [--clients 8]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from uuid import UUID

import httpx

from api.auth import mint_token
from benchmarks.common import KEYS, Connection, generated_people, scratch_database
from projections.catalog import migrate_all
from registry.common.actors import Act, Actor, Role
from registry.keys import Purpose
from registry.marriage.values import Attendance
from registry.settings import Settings
from registry.system import Registry, open_registry

PRESENT = Attendance(True, True, True, True)
PRESENT_JSON = {
    "present": True,
    "declares_voluntary": True,
    "signed_no_spouse_statement": True,
    "signed_no_kinship_statement": True,
}


def act(office: str, n: int) -> Act:
    return Act(Actor(f"bench-{office}", "clerk", office), datetime.now(UTC), f"bench-{n}")


def file_applications(registry: Registry, count: int, offices: list[str]) -> list[tuple[str, str]]:
    """Pre-filed applications (not timed): (office, marriage id)."""
    filed = []
    for n, (man, woman) in enumerate(generated_people(count)):
        office = offices[n % len(offices)]
        result = registry.marriage.apply_for_marriage(act(office, n), party_a=man, party_b=woman)
        filed.append((office, str(result.aggregate_id)))
    return filed


def by_office(filed: list[tuple[str, str]]) -> list[list[str]]:
    """One work list per clerk: the applications filed at their office."""
    lists: dict[str, list[str]] = {}
    for office, marriage_id in filed:
        lists.setdefault(office, []).append(marriage_id)
    return list(lists.values())


def bare_rate(registry: Registry, filed: list[tuple[str, str]], clients: int) -> float:
    def clerk(marriage_ids: list[str]) -> None:
        office = next(o for o, m in filed if m == marriage_ids[0])
        for n, marriage_id in enumerate(marriage_ids):
            registry.marriage.register_marriage(act(office, n), UUID(marriage_id), attendance=(PRESENT, PRESENT))

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(clerk, by_office(filed)))
    return len(filed) / (time.perf_counter() - started)


async def http_run(host: str, port: int, secret: str, filed: list[tuple[str, str]]) -> tuple[float, list[float]]:
    offices = {marriage_id: office for office, marriage_id in filed}
    latencies: list[float] = []
    body = json.dumps({"party_a": PRESENT_JSON, "party_b": PRESENT_JSON}).encode()

    async def clerk(marriage_ids: list[str]) -> None:
        office = offices[marriage_ids[0]]
        token = mint_token(secret, subject=f"bench-{office}", role=Role.CLERK, office=office)
        headers = f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
        connection = await Connection.open(host, port)
        try:
            for marriage_id in marriage_ids:
                sent = time.perf_counter()
                status, answer = await connection.post(f"/v1/marriages/{marriage_id}/registration", body, headers)
                latencies.append(time.perf_counter() - sent)
                if status != 200:
                    raise RuntimeError(f"registration failed: {status} {answer[:300]!r}")
        finally:
            connection.close()

    started = time.perf_counter()
    await asyncio.gather(*(clerk(marriage_ids) for marriage_ids in by_office(filed)))
    return len(filed) / (time.perf_counter() - started), latencies


def start_server(env: dict[str, str]) -> tuple[subprocess.Popen[bytes], int]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve", "--port", str(port)],
        env={**os.environ, **env, "REGISTRY_LOG_FORMAT": "json"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/ready", timeout=1).status_code == 200:
                return process, port
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("the server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--registrations", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()

    with scratch_database() as database_url:
        env = {**KEYS, "REGISTRY_DATABASE_URL": database_url, "REGISTRY_DATA_DIR": "var/bench"}
        settings = Settings.from_env(env)
        migrate_all(settings)
        registry = open_registry(settings)
        try:
            offices = [f"330782{n:03d}" for n in range(1, args.clients + 1)]
            bare_filed = file_applications(registry, args.registrations, offices)
            http_filed = file_applications(registry, args.registrations, offices)
            bare = bare_rate(registry, bare_filed, args.clients)
        finally:
            registry.close()
        process, port = start_server(env)
        try:
            http, latencies = asyncio.run(http_run("127.0.0.1", port, settings.keys[Purpose.TOKEN], http_filed))
        finally:
            process.terminate()
            process.wait(timeout=10)

    quantiles = statistics.quantiles(latencies, n=100)
    figures = {
        "benchmark": "write_path",
        "store": "postgresql",
        "registrations": args.registrations,
        "clients": args.clients,
        "bare_rate": round(bare, 1),
        "http_rate": round(http, 1),
        "ratio": round(http / bare, 3),
        "http_p50_ms": round(quantiles[49] * 1000, 2),
        "http_p99_ms": round(quantiles[98] * 1000, 2),
    }
    print(f"bare application : {figures['bare_rate']:8.1f} registrations/s ({args.clients} threads, in-process)")
    print(f"HTTP server      : {figures['http_rate']:8.1f} registrations/s ({args.clients} concurrent clients)")
    print(f"HTTP latency     : p50 {figures['http_p50_ms']} ms, p99 {figures['http_p99_ms']} ms")
    print(f"ratio HTTP / bare: {figures['ratio']}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
