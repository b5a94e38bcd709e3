"""Feed lag and follower cost for benchmarks/federation.py, from the feeds as served and the followers' traces."""

from __future__ import annotations

import bisect
import json
import statistics
from pathlib import Path
from typing import Any

import httpx

from api.auth import mint_token
from benchmarks.federation_stories import Province
from registry.common.actors import Role
from registry.keys import Purpose
from registry.settings import Settings

KINDS = {"cn.gov.civil-affairs.marriage.registered": "registered", "cn.gov.civil-affairs.marriage.divorced": "divorced"}


def feed_sequences(provinces: list[Province], environments: list[dict[str, str]]) -> dict[tuple[str, str, str], int]:
    """(source, marriage id, kind) -> the fact's position in its source's feed, read as a peer reads it."""
    sequences: dict[tuple[str, str, str], int] = {}
    for at, env in zip(provinces, environments, strict=True):
        reader = next(j["jurisdiction"] for j in json.loads(env["REGISTRY_EXCHANGE_PEERS"]))
        secret = Settings.from_env(env).keys[Purpose.TOKEN]
        token = mint_token(secret, subject=f"registry-{reader}", role=Role.EXCHANGE_PEER, office=reader)
        after: int | None = 0
        while after is not None:
            page = httpx.get(f"{at.base}/v1/exchange/feed?after={after}&limit=500",
                             headers={"Authorization": f"Bearer {token}"}, timeout=60).json()  # fmt: skip
            for event in page["events"]:
                kind = KINDS.get(event["type"], event["type"])
                sequences[(at.jurisdiction, event["subject"], kind)] = int(event["sequence"])
            after = page["next_after"]
    return sequences


def read_trace(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()] if path.exists() else []


def lags(
    facts: list[tuple[str, str, str, float]], sequences: dict[tuple[str, str, str], int], traces: dict[str, Path]
) -> dict[str, Any]:
    """For every fact and every other registry: from the source's answer to the follower's round that applied it."""
    reached: dict[tuple[str, str], tuple[list[int], list[float]]] = {}  # (follower, source) -> positions, times
    for follower, path in traces.items():
        for line in read_trace(path):
            if "peer" in line:
                positions, times = reached.setdefault((follower, line["peer"]), ([], []))
                positions.append(int(line["position"]))
                times.append(float(line["t"]))
    samples, never, unlisted = [], 0, 0
    for source, marriage_id, kind, committed in facts:
        sequence = sequences.get((source, marriage_id, kind))
        if sequence is None:
            unlisted += 1
            continue
        for follower in traces:
            if follower == source:
                continue
            positions, times = reached.get((follower, source), ([], []))
            index = bisect.bisect_left(positions, sequence)
            if index == len(positions):
                never += 1
            else:
                samples.append(times[index] - committed)
    quantiles = statistics.quantiles(samples, n=100) if len(samples) > 1 else [0.0] * 99
    return {
        "lag_samples": len(samples), "lag_p50_ms": round(1000 * quantiles[49]),
        "lag_p99_ms": round(1000 * quantiles[98]),
        "lag_max_ms": round(1000 * max(samples, default=0.0)), "never_applied": never, "facts_not_in_feed": unlisted,
    }  # fmt: skip


def follower_costs(traces: dict[str, Path], *, peers: int) -> dict[str, Any]:
    """Thread CPU and wall time per fact applied (polls that brought facts), and CPU per poll that brought none.

    With held requests (long polling) a round is one peer's request, and its wall time includes the time it was held
    before a fact came: wall per fact and round times are then upper bounds, not the cost of applying."""
    cpu = wall = 0.0
    applied = 0
    idle_cpu, idle_polls = 0.0, 0
    rounds: list[float] = []
    for path in traces.values():
        for line in read_trace(path):
            if "peer" in line:
                cpu, wall, applied = cpu + line["cpu"], wall + line["wall"], applied + line["applied"]
                continue
            rounds.append(line["wall"])
            if line["applied"] == 0:
                idle_cpu, idle_polls = idle_cpu + line["cpu"], idle_polls + line.get("peers", peers)
    busy = [wall for wall in rounds if wall > 0] or [0.0, 0.0]
    return {
        "round_wall_p50_ms": round(1000 * statistics.median(busy)),
        "round_wall_p99_ms": round(1000 * statistics.quantiles(busy, n=100)[98]) if len(busy) > 1 else 0,
        "facts_followed": applied,
        "follower_cpu_ms_per_fact": round(1000 * cpu / max(applied, 1), 2),
        "follower_wall_ms_per_fact": round(1000 * wall / max(applied, 1), 2),
        "empty_poll_cpu_ms": round(1000 * idle_cpu / max(idle_polls, 1), 2),
    }
