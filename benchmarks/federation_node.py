"""One province's registry for benchmarks/federation.py: the HTTP API (with its read models, the exchange feed among
them) and the exchange follower of every peer, in one process over one connection pool.

The follower runs the loop of `registry exchange follow --every S` (every peer once, then a pause of S seconds), in a
thread of the server process rather than a process of its own, so that a federation of five registries stays within
a few PostgreSQL connections each. It writes one JSON line per peer and round that brought facts (when, which peer,
the position reached, the facts applied, the thread CPU and wall seconds it took) and one per round, to the file named
by FEDERATION_NODE_TRACE, for the benchmark to measure feed lag and the follower's cost per fact.

    FEDERATION_NODE_TRACE=trace.jsonl FEDERATION_FOLLOW_EVERY=1 REGISTRY_...=... python -m benchmarks.federation_node
"""

from __future__ import annotations

import json
import os
import threading
import time
from typing import IO

import uvicorn

from api.app import create_app
from registry.adapters.http_pages import http_fetch
from registry.exchange.follower import ExchangeFollower, peers_from
from registry.settings import Settings
from registry.system import open_registry


def follow_round(followers: list[ExchangeFollower], trace: IO[str]) -> None:
    """Every peer once, as `registry exchange follow` does; each peer's facts traced with their cost."""
    round_cpu, round_wall, round_applied = time.thread_time(), time.perf_counter(), 0
    for follower in followers:
        cpu, wall = time.thread_time(), time.perf_counter()
        try:
            applied = follower.follow_once()
        except OSError:  # a peer not up yet or out of reach: next round
            applied = -1
        if applied > 0:
            line = {
                "t": time.time(), "peer": follower.peer.jurisdiction, "applied": applied,
                "position": follower.exchange.position_of(follower.peer.jurisdiction),
                "cpu": time.thread_time() - cpu, "wall": time.perf_counter() - wall, "rejected": follower.rejected,
            }  # fmt: skip
            trace.write(json.dumps(line) + "\n")
        round_applied += max(applied, 0)
    trace.write(json.dumps({
        "round": time.time(), "applied": round_applied, "cpu": time.thread_time() - round_cpu,
        "wall": time.perf_counter() - round_wall,
    }) + "\n")  # fmt: skip
    trace.flush()


def follow_forever(followers: list[ExchangeFollower], every: float, trace_path: str, stop: threading.Event) -> None:
    """`every` seconds after each round ends, as the CLI does; or, with FEDERATION_FIXED_CADENCE=y, every `every`
    seconds from the start of the round before (what the CLI's loop would gain: the round's time leaves the period)."""
    fixed = os.environ.get("FEDERATION_FIXED_CADENCE") == "y"
    with open(trace_path, "a") as trace:
        while not stop.is_set():
            started = time.monotonic()
            follow_round(followers, trace)
            stop.wait(max(0.0, started + every - time.monotonic()) if fixed else every)


def main() -> None:
    settings = Settings.from_env()
    every = float(os.environ["FEDERATION_FOLLOW_EVERY"])
    registry = open_registry(settings)
    followers = [
        ExchangeFollower(registry.exchange, peer, http_fetch, reader=settings.jurisdiction)
        for peer in peers_from(settings.exchange_peers)
    ]
    stop = threading.Event()
    thread = threading.Thread(
        target=follow_forever, args=(followers, every, os.environ["FEDERATION_NODE_TRACE"], stop), daemon=True
    )
    thread.start()
    app = create_app(settings, registry=registry, run_projections=True)
    try:
        uvicorn.run(app, host="127.0.0.1", port=settings.port, log_level="warning", access_log=False)
    finally:
        stop.set()
        thread.join(timeout=30)
        registry.close()


if __name__ == "__main__":
    main()
