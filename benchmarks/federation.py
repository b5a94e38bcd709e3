"""A federation of provinces: registries in processes of their own, each on its own PostgreSQL database, each following
every other's signed exchange feed, through a generated (scaled-down) year of marriages, divorces and remarriages of
people who move between provinces (benchmarks/federation_stories.py).

Measures:
- bigamous registrations attempted in another province at 0, 1/2 and 1 feed interval after the marriage they would
  break was committed: the misses (accepted) per delay; the goal is none at one interval;
- remarriages refused one interval after the divorce (the same window, the other way round);
- when the attempts were really sent, after the moment the source recorded the marriage (the driver times them from the
  answer it got, later under load), and the misses among every attempt sent at least one interval after that moment;
- feed lag: from the moment the source recorded a fact (its event's time, before the commit: an upper bound) to the
  moment each follower has applied it (the follower's round that brought it, as its trace records it), p50 / p99 /
  max over every (fact, follower);
- the follower's cost: thread CPU and wall time per fact applied, and CPU per poll that brought nothing;
- each registry process's CPU per act, and the PostgreSQL connections all of them held (peak).
Each registry is benchmarks/federation_node.py: `registry serve` with the follower loop of `registry exchange follow
--wait WAIT --every INTERVAL` (held requests; --wait 0: rounds every INTERVAL) in a thread, so that it shares the
process's pool (REGISTRY_DB_CONNECTIONS), and its read models in a child process, as `registry serve` keeps them
(--projections in-process: in the registry's own process).

The scale: --scale of a year of --provinces provinces of 400,000 acts each (marriages and divorces; default 0.0005:
1,000 acts for five provinces), all started within --spread seconds. Baseline of the ratio: every bigamous attempt
made one interval or more after the marriage it would break; ratio = refused / attempted (goal 1.0).

    .venv/bin/python -m benchmarks.federation [--scale 0.0005] [--interval 1] [--wait 20] [--spread 60] [--provinces 5]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import psycopg

from api.auth import mint_token
from benchmarks.common import KEYS, SERVER_URL, generated_people, process_cpu
from benchmarks.federation_lag import feed_sequences, follower_costs, lags, probe_delays
from benchmarks.federation_stories import Outcomes, Province, Stories, summary
from projections.audit.checkpoints import public_key_text
from projections.catalog import migrate_all
from registry.common.actors import Role
from registry.keys import Purpose
from registry.settings import Settings

JURISDICTIONS = ("11", "31", "32", "33", "44", "35", "37", "41", "42", "43", "50", "51")
OFFICE = "330782001"
ACTS_PER_PROVINCE_YEAR = 400_000


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def database_url(name: str) -> str:
    return SERVER_URL.rsplit("/", 1)[0] + "/" + name


def admin(statement: str) -> None:
    with psycopg.connect(SERVER_URL, autocommit=True) as connection:
        connection.execute(statement)  # type: ignore[arg-type]  # our own fixed names


def node_environments(
    jurisdictions: list[str], workdir: Path, connections: int, interval: float, wait: float, projections: str
) -> list[dict[str, str]]:
    """Each registry's environment: its database, its own master key, the shared federation key, and every other
    registry as a peer (its public exchange key, its feed's address and the token it issued this one)."""
    bases = {j: {**KEYS, "REGISTRY_JURISDICTION": j, "REGISTRY_PORT": str(free_port()),
                 "REGISTRY_MASTER_KEY": base64.b64encode(f"federation benchmark, province {j}: key".encode()).decode(),
                 "REGISTRY_DATABASE_URL": database_url(f"fed_bench_{j}"), "REGISTRY_DATA_DIR": str(workdir / j),
                 "REGISTRY_DB_CONNECTIONS": str(connections), "REGISTRY_LOG_FORMAT": "json",
                 "REGISTRY_RATE_LIMIT": "1000000", "FEDERATION_FOLLOW_EVERY": str(interval),
                 "FEDERATION_FOLLOW_WAIT": str(wait), "FEDERATION_NODE_PROJECTIONS": projections,
                 "FEDERATION_NODE_TRACE": str(workdir / f"trace-{j}.jsonl")}
             for j in jurisdictions}  # fmt: skip
    settings = {j: Settings.from_env(env) for j, env in bases.items()}
    environments = []
    for j, env in bases.items():
        peers = [
            {"jurisdiction": k, "public_key": public_key_text(settings[k].keys.signer(Purpose.EXCHANGE_SIGNING)),
             "url": f"http://127.0.0.1:{bases[k]['REGISTRY_PORT']}",
             "token": mint_token(settings[k].keys[Purpose.TOKEN], subject=f"registry-{j}", role=Role.EXCHANGE_PEER,
                                 office=j)}
            for k in jurisdictions if k != j
        ]  # fmt: skip
        environments.append({**env, "REGISTRY_EXCHANGE_PEERS": json.dumps(peers)})
    return environments


def start_node(env: dict[str, str], workdir: Path) -> subprocess.Popen[bytes]:
    log = open(workdir / f"node-{env['REGISTRY_JURISDICTION']}.log", "wb")  # noqa: SIM115 (the process keeps it)
    return subprocess.Popen(
        [sys.executable, "-m", "benchmarks.federation_node"], env={**os.environ, **env}, stdout=log, stderr=log
    )


def wait_until_up(base: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the registry at {base} did not start")


def province(env: dict[str, str]) -> Province:
    secret = Settings.from_env(env).keys[Purpose.TOKEN]

    def bearer(role: Role, office: str) -> dict[str, str]:
        token = mint_token(secret, subject=f"bench-{role.value}", role=role, office=office)
        return {"Authorization": f"Bearer {token}"}

    return Province(env["REGISTRY_JURISDICTION"], f"http://127.0.0.1:{env['REGISTRY_PORT']}",
                    bearer(Role.CLERK, OFFICE), bearer(Role.COURT, "330782-court"))  # fmt: skip


class ConnectionCount(threading.Thread):
    """Samples the client connections to the benchmark's databases twice a second (its own is to another one)."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.samples: list[int] = []
        self.stop = threading.Event()

    def run(self) -> None:
        with psycopg.connect(SERVER_URL, autocommit=True) as connection:
            while not self.stop.wait(0.5):
                row = connection.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname LIKE 'fed_bench_%' "
                    "AND backend_type = 'client backend'"
                ).fetchone()
                self.samples.append(int(row[0]) if row else 0)


async def run_stories(provinces: list[Province], args: argparse.Namespace, stories: int) -> Outcomes:
    couples = generated_people(3 * stories)
    # Idle connections are dropped before uvicorn's keep-alive timeout (5 s) would close them under a request sent on
    # them at that moment (httpx's default expiry is the same 5 s: a ReadError that stopped runs under load).
    limits = httpx.Limits(max_connections=40, max_keepalive_connections=40, keepalive_expiry=2.0)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:
        return await Stories(client, provinces, args.interval, args.seed).run(stories, args.spread, couples)


def report(figures: dict[str, Any]) -> None:
    print(
        f"provinces {figures['provinces']}, interval {figures['interval_s']} s, held wait {figures['wait_s']} s, "
        f"scale {figures['scale']} of a year "
        f"({figures['acts']} acts, {figures['facts_in_feeds']} facts in the feeds) in {figures['run_s']} s"
    )
    for fraction, probe in figures["probes"].items():
        print(f"bigamous attempts at {fraction} interval: {probe['attempted']:4} attempted, {probe['misses']} accepted")
    print(f"remarriages refused one interval after the divorce: {figures['remarriages_refused_at_one_interval']} "
          f"of {figures['remarriages']}")  # fmt: skip
    print(f"attempts at one interval were sent p50 {figures['one_interval_sent_after_record_p50_ms']} ms, max "
          f"{figures['one_interval_sent_after_record_max_ms']} ms after the source recorded the marriage; of every "
          f"attempt sent an interval or more after it, {figures['misses_an_interval_after_record']} of "
          f"{figures['attempted_an_interval_after_record']} accepted")  # fmt: skip
    print(f"feed lag (source recorded the fact -> applied at a follower): p50 {figures['lag_p50_ms']} ms, p99 "
          f"{figures['lag_p99_ms']} ms, max {figures['lag_max_ms']} ms over {figures['lag_samples']}; never "
          f"applied: {figures['never_applied']}")  # fmt: skip
    print(f"follower: {figures['follower_cpu_ms_per_fact']} ms CPU and {figures['follower_wall_ms_per_fact']} ms wall "
          f"per fact; {figures['empty_poll_cpu_ms']} ms CPU per poll that brought nothing; rounds p50 "
          f"{figures['round_wall_p50_ms']} ms, p99 {figures['round_wall_p99_ms']} ms")  # fmt: skip
    print(f"registry processes: {figures['node_cpu_ms_per_act']} ms CPU per act (all work, all processes); "
          f"connections peak {figures['connections_peak']}, mean {figures['connections_mean']}")  # fmt: skip
    print(f"load {figures['load']}; unexpected answers {figures['unexpected']}; ratio (refused / attempted at one "
          f"interval) {figures['ratio']}")  # fmt: skip
    print(json.dumps(figures))


def measure(args: argparse.Namespace, environments: list[dict[str, str]], workdir: Path) -> dict[str, Any]:
    """Start the registries, play the stories, read back feeds and traces; the figures."""
    nodes = [start_node(env, workdir) for env in environments]
    counter = ConnectionCount()
    try:
        provinces = [province(env) for env in environments]
        for p in provinces:
            wait_until_up(p.base)
        time.sleep(2 * args.interval)
        cpu_before = process_cpu([n.pid for n in nodes])
        counter.start()
        stories = max(2, round(args.provinces * ACTS_PER_PROVINCE_YEAR * args.scale / 2))
        started = time.time()
        outcomes = asyncio.run(run_stories(provinces, args, stories))
        run_seconds = time.time() - started
        time.sleep(3 * args.interval + 2)  # the last facts reach every follower
        cpu = process_cpu([n.pid for n in nodes]) - cpu_before
        sequences = feed_sequences(provinces, environments)
    finally:
        counter.stop.set()
        for node in nodes:
            node.send_signal(signal.SIGTERM)
        for node in nodes:
            node.wait(timeout=60)
    traces = {env["REGISTRY_JURISDICTION"]: Path(env["FEDERATION_NODE_TRACE"]) for env in environments}
    found = lags(outcomes.facts, sequences, traces) | probe_delays(outcomes.probes, sequences, args.interval)
    costs = follower_costs(traces, peers=args.provinces - 1)
    told = summary(outcomes)
    at_one = told["probes"].get("1", {"attempted": 0, "misses": 0})
    attempted, misses = at_one["attempted"], at_one["misses"]
    acts = len(outcomes.facts)
    return {
        "benchmark": "federation", "provinces": args.provinces, "interval_s": args.interval, "wait_s": args.wait,
        "projections": args.projections, "scale": args.scale,
        "stories": stories, "acts": acts, "facts_in_feeds": len(sequences), "run_s": round(run_seconds, 1), **told,
        "attempted_at_one_interval": attempted, "misses_at_one_interval": misses,
        "misses_at_two_intervals": told["probes"].get("2", {"misses": None})["misses"],
        "misses_before_one_interval": sum(p["misses"] for f, p in told["probes"].items() if float(f) < 1),
        **found, **costs, "node_cpu_ms_per_act": round(1000 * cpu / max(acts, 1), 2),
        "connections_peak": max(counter.samples, default=0),
        "connections_mean": round(statistics.fmean(counter.samples), 1) if counter.samples else 0,
        "load": " ".join(Path("/proc/loadavg").read_text().split()[:3]),
        "ratio": round((attempted - misses) / attempted, 4) if attempted else None,
    }  # fmt: skip


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--provinces", type=int, default=5, choices=range(2, len(JURISDICTIONS) + 1))
    parser.add_argument("--scale", type=float, default=0.0005, help="fraction of a year of the provinces' acts")
    parser.add_argument(
        "--interval",
        type=float,
        default=1.0,
        help="the feed interval: the bigamous attempts' delay "
        "unit, and (with --wait 0) the seconds between the followers' rounds",
    )
    parser.add_argument(
        "--wait",
        type=float,
        default=20.0,
        help="seconds a peer may hold a follower's request (long "
        "polling, `registry exchange follow --wait`); 0: rounds every --interval as before",
    )
    parser.add_argument("--spread", type=float, default=60.0, help="seconds over which the stories start")
    parser.add_argument("--connections", type=int, default=4, help="REGISTRY_DB_CONNECTIONS of each registry")
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument(
        "--projections",
        choices=("child", "in-process"),
        default="child",
        help="where each registry keeps its read models: a child process, as `registry serve` does on PostgreSQL "
        "(default), or its own process (`--projections-in-process`)",
    )
    return parser.parse_args()


def main() -> None:
    args = arguments()
    jurisdictions = list(JURISDICTIONS[: args.provinces])
    with tempfile.TemporaryDirectory(prefix="federation-") as directory:
        workdir = Path(directory)
        environments = node_environments(
            jurisdictions, workdir, args.connections, args.interval, args.wait, args.projections
        )
        for j in jurisdictions:
            admin(f'DROP DATABASE IF EXISTS "fed_bench_{j}" WITH (FORCE)')
            admin(f'CREATE DATABASE "fed_bench_{j}"')
        try:
            for env in environments:
                migrate_all(Settings.from_env(env))
            figures = measure(args, environments, workdir)
        finally:
            for j in jurisdictions:
                admin(f'DROP DATABASE IF EXISTS "fed_bench_{j}" WITH (FORCE)')
    report(figures)


if __name__ == "__main__":
    main()
