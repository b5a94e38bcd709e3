"""One province's registry for benchmarks/federation.py: the HTTP API and the exchange follower of every peer in one
process over one connection pool, and its read models (the exchange feed among them) in a child process, as
`registry serve` keeps them on PostgreSQL (api/cli/projection_child.py): the feed's NOTIFY wakes held requests.
With FEDERATION_NODE_PROJECTIONS=in-process they are kept in the node's own process (`--projections-in-process`).

The follower runs the loop of `registry exchange follow --wait W --every S` (each peer with held requests, asked
again as soon as a page is applied; with W = 0, every peer at once in rounds starting every S seconds), in a thread
of the server process rather than a process of its own, so that a federation of five registries stays within a few
PostgreSQL connections each. It writes one JSON line per peer and round that brought facts (when, which peer, the
position reached, the facts applied, the thread CPU and wall seconds it took) and one per round (with held requests,
each peer's request is a round), to the file named by FEDERATION_NODE_TRACE, for the benchmark to measure feed lag
and the follower's cost per fact.

    FEDERATION_NODE_TRACE=trace.jsonl FEDERATION_FOLLOW_EVERY=1 FEDERATION_FOLLOW_WAIT=20 REGISTRY_...=... \
        python -m benchmarks.federation_node
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from collections.abc import Callable
from typing import IO

import uvicorn

from api.app import create_app
from api.cli.projection_child import ProjectionChild
from api.cli.serve import exit_cleanly
from registry.adapters.http_pages import http_fetch
from registry.exchange.follower import ExchangeFollower, PeerRound, follow_every, follow_held, peers_from
from registry.settings import Settings
from registry.system import open_registry


def trace_round(trace: IO[str]) -> Callable[[list[PeerRound]], None]:
    """Writes each peer's facts of a round with their cost, then the round's totals (the follower's own loop)."""

    def write(rounds: list[PeerRound]) -> None:
        now = time.time()
        for peer_round in rounds:
            if peer_round.applied:
                follower = peer_round.follower
                line = {
                    "t": now, "peer": follower.peer.jurisdiction, "applied": peer_round.applied,
                    "position": follower.exchange.position_of(follower.peer.jurisdiction),
                    "cpu": peer_round.cpu_seconds, "wall": peer_round.wall_seconds, "rejected": follower.rejected,
                }  # fmt: skip
                trace.write(json.dumps(line) + "\n")
        trace.write(json.dumps({
            "round": now, "applied": sum(r.applied or 0 for r in rounds), "cpu": sum(r.cpu_seconds for r in rounds),
            "wall": max((r.wall_seconds for r in rounds), default=0.0), "peers": len(rounds),
        }) + "\n")  # fmt: skip
        trace.flush()

    return write


def follow_forever(
    followers: list[ExchangeFollower], wait: float, every: float, trace_path: str, stop: threading.Event
) -> None:
    """The loop of `registry exchange follow --wait W --every S`, each round (each peer's, when held) traced."""
    with open(trace_path, "a") as trace:
        if wait > 0:
            follow_held(followers, wait, every, stop, on_round=trace_round(trace))
        else:
            follow_every(followers, every, stop, on_round=trace_round(trace))


def main() -> None:
    settings = Settings.from_env()
    every = float(os.environ["FEDERATION_FOLLOW_EVERY"])
    wait = float(os.environ.get("FEDERATION_FOLLOW_WAIT", "0"))
    registry = open_registry(settings)
    followers = [
        ExchangeFollower(registry.exchange, peer, http_fetch, reader=settings.jurisdiction)
        for peer in peers_from(settings.exchange_peers)
    ]
    stop = threading.Event()
    thread = threading.Thread(
        target=follow_forever, args=(followers, wait, every, os.environ["FEDERATION_NODE_TRACE"], stop), daemon=True
    )
    thread.start()
    in_process = os.environ.get("FEDERATION_NODE_PROJECTIONS") == "in-process"  # as --projections-in-process
    app = create_app(settings, registry=registry, run_projections=in_process)
    child = None if in_process else ProjectionChild()
    signal.signal(signal.SIGTERM, exit_cleanly)  # as `registry serve` does: stop the child on the way out
    try:
        if child is not None:
            child.start()
        uvicorn.run(app, host="127.0.0.1", port=settings.port, log_level="warning", access_log=False)
    finally:
        stop.set()
        thread.join(timeout=30)
        if child is not None:
            child.stop()
        registry.close()


if __name__ == "__main__":
    main()
