"""Reads on PostgreSQL over HTTP against a Litestar hello-world on the same server stack, in one run.

Three reads as a clerk (an official's read of a person's record is itself recorded in the oversight log, so the
record and the status look-up each also commit one small write): GET a marriage record, POST a marital-status
look-up, GET a page of the office's marriage worklist. The baseline is a middleware-free Litestar app answering
"hello" from the same server program (uvicorn, one worker, the same options as `registry serve`) with the same
client. Full load: CLIENTS keep-alive connections asking back to back. Half load: the same connections paced to
half of each endpoint's OWN full-load rate (open loop, latency from the actual send), once the registry's read models
have applied what the full load recorded.
The registry's own /health (no token, no store, not rate limited; through its request log and metrics) shows
what the server's stack costs before any read does anything: the ceiling of every read's ratio. Two more routes of
the hello app show what Litestar itself costs a handler shaped like the registry's, before any middleware: "thread"
answers hello from a worker thread (sync_to_thread, as every handler that reads a store runs), "handler" does the
same with two dependencies, as most of the registry's handlers take the registry and the clock (Litestar resolves
two or more dependencies of one level in an anyio task group).
Also the state of a 1,000-event record (a certificate book) at random versions: in-process through the
application (from the latest snapshot) against a bare replay of every event up to the version, and over HTTP as
an auditor. The load generator is benchmarks.common.Connection, a minimal keep-alive client.
Prints its figures, then one JSON line with "ratio" = the worst of the three reads' rps over hello's rps.

    .venv/bin/python -m benchmarks.read_path [--seconds 5] [--clients 8] [--records 200]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import BaseAggregate
from litestar import Litestar, get
from litestar.di import Provide

from api.auth import mint_token
from benchmarks.common import KEYS, Connection, scratch_database
from benchmarks.store_figures import caught_up
from benchmarks.write_path import PRESENT, file_applications, start_server
from projections.catalog import migrate_all
from registry.common.actors import Act, Actor, Role
from registry.common.application import mutate_in_turn
from registry.keys import Purpose
from registry.marriage.certificates import CertificateBook
from registry.settings import Settings
from registry.system import Registry, open_registry

OFFICE = "330782001"
HELLO_PATHS = {"hello": "/hello", "thread": "/hello/thread", "handler": "/hello/handler"}
BOOK_EVENTS = 1000
Ask = Callable[[Connection], Awaitable[tuple[int, bytes]]]


def hello_app() -> Litestar:
    """The baseline: Litestar with one plain route, no middleware, no dependencies."""

    @get("/hello", sync_to_thread=False)
    def hello() -> dict[str, str]:
        return {"hello": "world"}

    @get("/hello/thread", sync_to_thread=True)
    def in_a_thread() -> dict[str, str]:
        return {"hello": "world"}

    @get("/hello/handler", sync_to_thread=True)
    def like_a_handler(first: int, second: int) -> dict[str, str]:
        return {"hello": "world"}

    def one() -> int:
        return 1

    def two() -> int:
        return 2

    dependencies = {"first": Provide(one, sync_to_thread=False), "second": Provide(two, sync_to_thread=False)}
    return Litestar([hello, in_a_thread, like_a_handler], dependencies=dependencies)


def start_hello() -> tuple[subprocess.Popen[bytes], int]:
    """The hello app under uvicorn with the options `registry serve` passes (api/cli/serve.py)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    code = (
        "import uvicorn; from benchmarks.read_path import hello_app; "
        f"uvicorn.run(hello_app(), host='127.0.0.1', port={port}, log_level='warning', access_log=False, "
        "timeout_graceful_shutdown=30)"
    )
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(300):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.1):
                return process, port
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("the hello app did not start")


def long_book(registry: Registry) -> UUID:
    """A certificate book of 1,000 events, each saved on its own (snapshots are taken as in production)."""
    act = Act(Actor("bench-book", "clerk", "330782999"), datetime.now(UTC), "bench-book")
    book = CertificateBook.open(act, kind="J", office="330782999", year=2026)
    registry.marriage.save(book)
    for _ in range(BOOK_EVENTS - 1):
        book.issue(act, 1)
        registry.marriage.save(book)
    return book.id


def timed(call: Callable[[], Any], rounds: int) -> list[float]:
    latencies = []
    for _ in range(rounds):
        started = time.perf_counter()
        call()
        latencies.append(time.perf_counter() - started)
    return latencies


def state_in_process(registry: Registry, book_id: UUID, rounds: int) -> dict[str, list[float]]:
    """The application's state at a random version, against a bare replay of every event up to it."""
    versions = [random.randint(1, BOOK_EVENTS) for _ in range(rounds)]
    app, it = registry.marriage, iter(versions)
    snapshot = timed(lambda: app.read(book_id, BaseAggregate, version=next(it)), rounds)
    it = iter(versions)
    bare = timed(lambda: mutate_in_turn(None, app.events.get(book_id, lte=next(it))), rounds)
    return {"snapshot": snapshot, "bare": bare}


async def full_load(host: str, port: int, ask: Ask, clients: int, seconds: float) -> tuple[float, list[float]]:
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds

    async def client() -> None:
        connection = await Connection.open(host, port)
        try:
            while time.perf_counter() < deadline:
                sent = time.perf_counter()
                status, answer = await ask(connection)
                latencies.append(time.perf_counter() - sent)
                if status != 200:
                    raise RuntimeError(f"{status} {answer[:300]!r}")
        finally:
            connection.close()

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    return len(latencies) / (time.perf_counter() - started), latencies


async def paced_load(host: str, port: int, ask: Ask, clients: int, seconds: float, rate: float) -> list[float]:
    """Open loop: each connection sends on a fixed schedule, so that together they ask `rate` per second."""
    latencies: list[float] = []
    interval = clients / rate

    async def client(offset: float) -> None:
        connection = await Connection.open(host, port)
        start = time.perf_counter() + offset
        try:
            for n in range(int(seconds / interval)):
                await asyncio.sleep(max(0.0, start + n * interval - time.perf_counter()))
                sent = time.perf_counter()
                await ask(connection)
                latencies.append(time.perf_counter() - sent)
        finally:
            connection.close()

    await asyncio.gather(*(client(i * interval / clients) for i in range(clients)))
    return latencies


def ms(latencies: list[float], percentile: int) -> float:
    return round(statistics.quantiles(latencies, n=100)[percentile - 1] * 1000, 2)


def prepare(registry: Registry, records: int) -> tuple[list[str], UUID]:
    """Registered marriages to read, pending applications for the worklist, a 1,000-event book."""
    filed = file_applications(registry, records, [OFFICE])
    for n, (office, marriage_id) in enumerate(filed):
        act = Act(Actor("bench-clerk", "clerk", office), datetime.now(UTC), f"bench-register-{n}")
        registry.marriage.register_marriage(act, UUID(marriage_id), attendance=(PRESENT, PRESENT))
    file_applications(registry, 60, [OFFICE])  # the worklist's pending applications
    return [m for _, m in filed], long_book(registry)


def askers(marriage_ids: list[str], book_id: UUID, people: list[str], token: str, auditor: str) -> dict[str, Ask]:
    headers = f"Authorization: Bearer {token}\r\n"
    json_headers = headers + "Content-Type: application/json\r\n"
    audit_headers = f"Authorization: Bearer {auditor}\r\n"

    def record(c: Connection) -> Awaitable[tuple[int, bytes]]:
        return c.get(f"/v1/marriages/{random.choice(marriage_ids)}", headers)

    def status(c: Connection) -> Awaitable[tuple[int, bytes]]:
        body = json.dumps({"document_number": random.choice(people)}).encode()
        return c.post("/v1/persons/marital-status", body, json_headers)

    def worklist(c: Connection) -> Awaitable[tuple[int, bytes]]:
        return c.get(f"/v1/worklists/marriage?office={OFFICE}&limit=20", headers)

    def state(c: Connection) -> Awaitable[tuple[int, bytes]]:
        version = random.randint(1, BOOK_EVENTS)
        return c.get(f"/v1/audit/marriage/aggregates/{book_id}/state?version={version}", audit_headers)

    def health(c: Connection) -> Awaitable[tuple[int, bytes]]:
        return c.get("/health", "")

    return {"record": record, "status": status, "worklist": worklist, "state": state, "health": health}


async def measure(port: int, ask: Ask, args: argparse.Namespace, database_url: str | None = None) -> dict[str, float]:
    """Full load, then half load; with `database_url`, the half load starts once the read models have applied what the
    full load recorded (each official's read records an oversight event), so that it measures half load alone."""
    rate, latencies = await full_load("127.0.0.1", port, ask, args.clients, args.seconds)
    if database_url is not None:
        caught_up(database_url)  # nothing else runs on this loop meanwhile
    half = await paced_load("127.0.0.1", port, ask, args.clients, args.seconds, rate / 2)
    return {
        "rps": round(rate, 1), "p50_ms": ms(latencies, 50), "p99_ms": ms(latencies, 99), "half_p99_ms": ms(half, 99),
    }  # fmt: skip


def run(args: argparse.Namespace) -> dict[str, Any]:
    figures: dict[str, Any] = {"benchmark": "read_path", "store": "postgresql", "clients": args.clients}
    with scratch_database() as database_url:
        env = {**KEYS, "REGISTRY_DATABASE_URL": database_url, "REGISTRY_DATA_DIR": "var/bench"}
        env["REGISTRY_RATE_LIMIT"] = "1000000000"  # one client subject asks thousands of times a second
        settings = Settings.from_env(env)
        migrate_all(settings)
        registry = open_registry(settings)
        try:
            marriage_ids, book_id = prepare(registry, args.records)
            people = [registry.marriage.read(UUID(m), BaseAggregate).party_a.document_number for m in marriage_ids]
            in_process = state_in_process(registry, book_id, 300)
        finally:
            registry.close()
        secret = settings.keys[Purpose.TOKEN]
        token = mint_token(secret, subject="bench-reader", role=Role.CLERK, office=OFFICE)
        auditor = mint_token(secret, subject="bench-auditor", role=Role.AUDITOR)
        asks = askers(marriage_ids, book_id, people, token, auditor)
        hello, hello_port = start_hello()
        try:
            for name, path in HELLO_PATHS.items():
                figures[name] = asyncio.run(measure(hello_port, lambda c, path=path: c.get(path, ""), args))
        finally:
            hello.terminate()
            hello.wait(timeout=10)
        server, port = start_server(env)
        try:
            for name in ("health", "record", "status", "worklist", "state"):
                figures[name] = asyncio.run(measure(port, asks[name], args, database_url))
        finally:
            server.terminate()
            server.wait(timeout=10)
    for kind, latencies in in_process.items():
        figures[f"state_in_process_{kind}"] = {"p50_ms": ms(latencies, 50), "p99_ms": ms(latencies, 99)}
    for name in ("thread", "handler", "health", "record", "status", "worklist"):
        figures[name]["ratio"] = round(figures[name]["rps"] / figures["hello"]["rps"], 3)
    figures["ratio"] = min(figures[name]["ratio"] for name in ("record", "status", "worklist"))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=5.0, help="per measurement (full load, then half load)")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--records", type=int, default=200, help="registered marriages to read")
    args = parser.parse_args()
    figures = run(args)
    print(f"load (uptime): {os.getloadavg()[0]:.2f}")
    for name in (*HELLO_PATHS, "health", "record", "status", "worklist", "state"):
        f = figures[name]
        print(
            f"{name:9} {f['rps']:8.1f} rps  p50 {f['p50_ms']} ms  p99 {f['p99_ms']} ms  "
            f"p99 at half its own rate {f['half_p99_ms']} ms  ratio {f.get('ratio', '-')}"
        )
    for kind in ("snapshot", "bare"):
        f = figures[f"state_in_process_{kind}"]
        print(f"state of a {BOOK_EVENTS}-event record at a random version, in process ({kind}): {f}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
