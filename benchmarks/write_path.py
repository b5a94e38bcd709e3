"""Marriage registrations per second on PostgreSQL: over HTTP (a real server process) against the bare application.

"Bare" is the eventsourcing application as the library runs it: MarriageRegistry in-process with group commit
off (GROUP_COMMIT=off) and the library's own recorders, so every command pays the library's own save (one
transaction, table lock and fsync each, sent as a pipeline of six statements with two waits for the server).
The same run also measures the in-process application with group commit, the machine's fsync limit (a loop of
small committed transactions on the same PostgreSQL, one connection) and the write transactions each path
committed (distinct inserting transaction ids of the events table), so that commits/s stand against the limit, and
the CPU each path spent per registration: the registry's processes (the bare path's own; the server's, with its
workers and its read models' process, whose own share is also given) and PostgreSQL's (all its processes: nothing
else uses it meanwhile), from /proc. CPU per registration moves far less from run to run than rates on a shared
2-core machine. Where read models are kept, it also reports their backlog when the last registration was answered
(events still to apply, summed over the read models) and how long they then took to catch up: what the rate cost
them.

Each client is a clerk at an office of its own (clerks at one office share its certificate book, which
serialises them by design). Both paths do the same work per registration: load the application and both
persons' status, check every condition, save the marriage, two person statuses and the certificate book in one
transaction, with the same number of concurrent clients. The bare path calls MarriageRegistry (an eventsourcing
Application) in-process; the HTTP path adds the server process, JSON, JWT, validation and the loopback network.
The load generator is a minimal keep-alive HTTP/1.1 client, so that it takes little of the two cores.
The server runs three times: as `registry serve` by default, which on PostgreSQL keeps the read models current in a
child process of its own, `registry project` (the headline ratio); with --projections-in-process, keeping them in its
own process while it registers (the default before); and with --no-projections and no projection process during the
run, like the bare path, which keeps no read models either.
With --workers N the server runs N processes (`registry serve --workers N`; with --projections-in-process each keeps
the read models, taking turns at each one's position); the bare application stays one process, as the library runs
it.
Prints its figures, then one JSON line with "ratio" = HTTP rate / bare rate.

    .venv/bin/python -m benchmarks.write_path [--registrations 2000] [--clients 8] [--workers 1]
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
from typing import NamedTuple
from uuid import UUID

import httpx

from api.auth import mint_token
from benchmarks.common import (
    KEYS,
    Connection,
    children_running,
    generated_people,
    own_cpu,
    postgres_cpu,
    process_cpu,
    scratch_database,
)
from benchmarks.store_figures import (
    caught_up,
    fsync_limit,
    max_position,
    read_model_backlog,
    stored_rows,
    write_transactions,
)
from projections.catalog import migrate_all
from registry.common.actors import Act, Actor, Role
from registry.keys import Purpose
from registry.marriage.values import Attendance
from registry.settings import Settings
from registry.system import Registry, open_registry

START_SECONDS = 300  # before /ready, the server catches its read models up on the whole generated log (over 30 s here)
PRESENT = Attendance(True, True, True, True)
LIBRARY_RECORDERS = {  # the library's own, in place of the registry's (the eventsourcing factory's settings)
    "APPLICATION_RECORDER_TOPIC": "eventsourcing.postgres:PostgresApplicationRecorder",
    "PROCESS_RECORDER_TOPIC": "eventsourcing.postgres:PostgresProcessRecorder",
}
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


def in_process_rate(settings: Settings, filed: list[tuple[str, str]], clients: int, *, grouped: bool) -> float:
    """The in-process application's rate: with the library's own recorder and save per command, or as the registry
    saves (group commit, and the one-statement append of registry/adapters/postgres_append.py)."""
    env = {"GROUP_COMMIT": "on"} if grouped else {"GROUP_COMMIT": "off", **LIBRARY_RECORDERS}
    os.environ.update(env)
    registry = open_registry(settings)
    try:
        return bare_rate(registry, filed, clients)
    finally:
        registry.close()
        for name in env:
            os.environ.pop(name)


def in_process_run(
    name: str, settings: Settings, filed: list[tuple[str, str]], clients: int, table: str, *, grouped: bool
) -> tuple[float, dict[str, float]]:
    """The in-process path's rate, and its CPU, commits (in `table`) and rows stored per registration."""
    database_url, registrations = settings.database_url or "", len(filed)
    head, rows = max_position(database_url, table), stored_rows(database_url)
    cpu = (process_cpu([os.getpid()]), postgres_cpu())
    rate = in_process_rate(settings, filed, clients, grouped=grouped)
    figures = cpu_figures(name, cpu, (process_cpu([os.getpid()]), postgres_cpu()), registrations)
    figures.update(rows_figures(name, stored_rows(database_url) - rows, registrations))
    return rate, figures | commit_figures(name, database_url, table, head, rate, registrations)


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


def start_server(
    env: dict[str, str], *, options: tuple[str, ...] = (), ready: bool = True, workers: int = 1
) -> tuple[subprocess.Popen[bytes], int]:
    """`registry serve --workers N [options]` on a free port, once /ready (the read models caught up) or, with
    ready=False, once it answers /health."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "api.cli",
            "serve",
            "--port",
            str(port),
            "--workers",
            str(workers),
            *options,
        ],
        env={**os.environ, **env, "REGISTRY_LOG_FORMAT": "json"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    probe_path = "/ready" if ready else "/health"
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(f"{base}{probe_path}", timeout=1).status_code == 200:
                return process, port
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"the server did not answer {probe_path} within {START_SECONDS} s (exit code {process.poll()})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--registrations", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=1, help="the server's processes (`registry serve --workers`)")
    args = parser.parse_args()
    figures: dict[str, object] = {"benchmark": "write_path", "store": "postgresql"}
    figures.update(registrations=args.registrations, clients=args.clients, workers=args.workers)

    with scratch_database() as database_url:
        env = {**KEYS, "REGISTRY_DATABASE_URL": database_url, "REGISTRY_DATA_DIR": "var/bench"}
        settings = Settings.from_env(env)
        migrate_all(settings)
        registry = open_registry(settings)
        try:
            offices = [f"330782{n:03d}" for n in range(1, args.clients + 1)]
            filed = [file_applications(registry, args.registrations, offices) for _ in range(5)]
            table = registry.marriage.recorder.events_table_name  # type: ignore[attr-defined]
        finally:
            registry.close()
        figures["fsync_limit_commits_per_s"] = round(fsync_limit(database_url), 1)
        rates: dict[str, float] = {}
        latencies: dict[str, list[float]] = {}
        for name, grouped, work in (("bare", False, filed[0]), ("grouped", True, filed[1])):
            rates[name], path_figures = in_process_run(name, settings, work, args.clients, table, grouped=grouped)
            figures.update(path_figures)
        for name, work in zip(HTTP_PATHS, filed[2:], strict=True):
            head = max_position(database_url, table)
            run = http_rate(env, settings, work, projections=HTTP_PATHS[name], workers=args.workers)
            rates[name], latencies[name] = run.rate, run.latencies
            figures.update(cpu_figures(name, run.cpu_before, run.cpu_after, args.registrations))
            projector_ms = run.projector_cpu * 1000 / args.registrations
            figures[f"{name}_projector_cpu_ms_per_registration"] = round(projector_ms, 2)
            figures.update(rows_figures(name, run.rows, args.registrations))
            if HTTP_PATHS[name] != "none":
                figures[f"{name}_backlog_at_end"] = run.backlog
                figures[f"{name}_seconds_to_catch_up"] = round(run.catch_up_seconds, 2)
            figures.update(commit_figures(name, database_url, table, head, rates[name], args.registrations))
    report(figures, rates, latencies, args.clients)


class HttpRun(NamedTuple):
    rate: float
    latencies: list[float]
    cpu_before: tuple[float, float]  # the registry's processes, PostgreSQL
    cpu_after: tuple[float, float]
    backlog: int  # events the read models had still to apply when the last registration was answered
    catch_up_seconds: float  # and how long they took to apply them
    rows: int  # rows the run stored, the read models' included once they caught up
    projector_cpu: float  # CPU seconds of the run spent by the read models' own process (0 where there is none)


def http_rate(
    env: dict[str, str], settings: Settings, filed: list[tuple[str, str]], *, projections: str, workers: int
) -> HttpRun:
    """The server's rate, latencies, CPU (with its children's) and the read models' backlog at the end, its read models
    kept as `registry serve` keeps them by default, in its own process, or by no one meanwhile."""
    process, port = start_server(env, options=SERVE_OPTIONS[projections], ready=projections != "none", workers=workers)
    pids = [process.pid]
    database_url = env["REGISTRY_DATABASE_URL"]
    try:
        if projections != "none":  # /ready allows a lag
            caught_up(database_url)
        projector = children_running(process.pid, "project")
        rows, before = stored_rows(database_url), (process_cpu(pids), postgres_cpu())
        projector_before = own_cpu(projector)
        rate, latencies = asyncio.run(http_run("127.0.0.1", port, settings.keys[Purpose.TOKEN], filed))
        after, projector_after = (process_cpu(pids), postgres_cpu()), own_cpu(projector)
        backlog = read_model_backlog(database_url)
        catch_up_seconds = caught_up(database_url) if projections != "none" else 0.0
        grown = stored_rows(database_url) - rows
        projector_cpu = projector_after - projector_before
        return HttpRun(rate, latencies, before, after, backlog, catch_up_seconds, grown, projector_cpu)
    finally:
        process.terminate()
        process.wait(timeout=30)


def rows_figures(name: str, grown: int, registrations: int) -> dict[str, float]:
    return {f"{name}_rows_per_registration": round(grown / registrations, 1)}


def cpu_figures(
    name: str, before: tuple[float, float], after: tuple[float, float], registrations: int
) -> dict[str, float]:
    """A path's CPU per registration: the registry's processes (server and projector, or the bare path's own), and
    PostgreSQL's."""
    return {
        f"{name}_cpu_ms_per_registration": round((after[0] - before[0]) * 1000 / registrations, 2),
        f"{name}_postgres_cpu_ms_per_registration": round((after[1] - before[1]) * 1000 / registrations, 2),
    }


def commit_figures(name: str, url: str, table: str, head: int, rate: float, registrations: int) -> dict[str, float]:
    """A path's write transactions per second, and registrations per transaction, from what it inserted."""
    transactions, _ = write_transactions(url, table, head)
    seconds = registrations / rate
    return {
        f"{name}_commits_per_s": round(transactions / seconds, 1),
        f"{name}_registrations_per_commit": round(registrations / max(transactions, 1), 2),
    }


def report(
    figures: dict[str, object], rates: dict[str, float], latencies: dict[str, list[float]], clients: int
) -> None:
    for name in ("bare", "grouped", *HTTP_PATHS):
        figures[f"{name}_rate"] = round(rates[name], 1)
    for name in HTTP_PATHS:
        quantiles = statistics.quantiles(latencies[name], n=100)
        figures.update(
            {f"{name}_p50_ms": round(quantiles[49] * 1000, 2), f"{name}_p99_ms": round(quantiles[98] * 1000, 2)}
        )
    figures.update(
        ratio=round(rates["http"] / rates["bare"], 3),
        http_in_process_over_bare=round(rates["http_in_process"] / rates["bare"], 3),
        http_apart_over_bare=round(rates["http_apart"] / rates["bare"], 3),
        grouped_over_bare=round(rates["grouped"] / rates["bare"], 3),
        load_average=os.getloadavg()[0],
    )
    limit = float(figures["fsync_limit_commits_per_s"])  # type: ignore[arg-type]
    print(f"fsync limit      : {limit:8.1f} commits/s (one connection, small transactions)")
    for name, label in LABELS.items():
        rate = figures[f"{name}_rate"]
        commits = float(figures[f"{name}_commits_per_s"])  # type: ignore[arg-type]
        print(
            f"{label} : {rate:8.1f} registrations/s ({clients} clients), {commits:.1f} commits/s "
            f"= {commits / limit:.2f} of the fsync limit, {figures[f'{name}_registrations_per_commit']} per commit; "
            f"CPU per registration {figures[f'{name}_cpu_ms_per_registration']} ms{projector_part(figures, name)}, "
            f"PostgreSQL's {figures[f'{name}_postgres_cpu_ms_per_registration']} ms; "
            f"rows stored per registration {figures[f'{name}_rows_per_registration']}"
        )
    for name in HTTP_PATHS:
        kept = (
            f"; the read models' backlog at the end {figures[f'{name}_backlog_at_end']} events, caught up in "
            f"{figures[f'{name}_seconds_to_catch_up']} s"
            if f"{name}_backlog_at_end" in figures
            else ""
        )
        print(f"{LABELS[name]} : p50 {figures[f'{name}_p50_ms']} ms, p99 {figures[f'{name}_p99_ms']} ms{kept}")
    print(
        f"ratio HTTP ({figures['workers']} server processes) / bare: {figures['ratio']} (read models kept as `registry "
        f"serve` keeps them: its child process), {figures['http_in_process_over_bare']} (in the server's process), "
        f"{figures['http_apart_over_bare']} (by no one, as on the bare path); "
        f"in-process group commit / bare: {figures['grouped_over_bare']}"
    )
    print(json.dumps(figures))


def projector_part(figures: dict[str, object], name: str) -> str:
    """Where the read models have a process of their own: its share of the path's CPU per registration."""
    projector = figures.get(f"{name}_projector_cpu_ms_per_registration")
    return f" (the read models' process {projector} ms)" if projector else ""


LABELS = {
    "bare": "bare application    ",
    "grouped": "in-process + group  ",
    "http": "HTTP server         ",
    "http_in_process": "HTTP, in-process    ",
    "http_apart": "HTTP, no projections",
}
# The HTTP runs: where the read models are kept meanwhile, and the `registry serve` options that say so.
HTTP_PATHS = {"http": "default", "http_in_process": "in the server", "http_apart": "none"}
SERVE_OPTIONS = {"default": (), "in the server": ("--projections-in-process",), "none": ("--no-projections",)}


if __name__ == "__main__":
    main()
