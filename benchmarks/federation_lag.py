"""Feed lag and follower cost for benchmarks/federation.py, from the feeds as served and the followers' traces."""

from __future__ import annotations

import bisect
import json
import statistics
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from api.auth import mint_token
from benchmarks.federation_stories import Province
from registry.common.actors import Role
from registry.keys import Purpose
from registry.settings import Settings

KINDS = {"cn.gov.civil-affairs.marriage.registered": "registered", "cn.gov.civil-affairs.marriage.divorced": "divorced"}


# (source, marriage id, kind) -> the fact's position in its source's feed, and when the source recorded it (the
# event's time, taken before its commit: a lag measured from it is an upper bound of the true one).
Sequences = dict[tuple[str, str, str], tuple[int, float]]


def feed_sequences(provinces: list[Province], environments: list[dict[str, str]]) -> Sequences:
    """Every fact in every source's feed, read as a peer reads it."""
    sequences: Sequences = {}
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
                recorded = datetime.fromisoformat(event["time"]).timestamp()
                sequences[(at.jurisdiction, event["subject"], kind)] = (int(event["sequence"]), recorded)
            after = page["next_after"]
    return sequences


def read_trace(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()] if path.exists() else []


def lags(facts: list[tuple[str, str, str, float]], sequences: Sequences, traces: dict[str, Path]) -> dict[str, Any]:
    """For every fact and every other registry: from the moment the source recorded the fact to the end of the
    follower's round that applied it."""
    reached: dict[tuple[str, str], tuple[list[int], list[float]]] = {}  # (follower, source) -> positions, times
    for follower, path in traces.items():
        for line in read_trace(path):
            if "peer" in line:
                positions, times = reached.setdefault((follower, line["peer"]), ([], []))
                positions.append(int(line["position"]))
                times.append(float(line["t"]))
    samples, never, unlisted = [], 0, 0
    for source, marriage_id, kind, _ in facts:
        listed = sequences.get((source, marriage_id, kind))
        if listed is None:
            unlisted += 1
            continue
        sequence, recorded = listed
        for follower in traces:
            if follower == source:
                continue
            positions, times = reached.get((follower, source), ([], []))
            index = bisect.bisect_left(positions, sequence)
            if index == len(positions):
                never += 1
            else:
                samples.append(times[index] - recorded)
    quantiles = statistics.quantiles(samples, n=100) if len(samples) > 1 else [0.0] * 99
    return {
        "lag_samples": len(samples), "lag_p50_ms": round(1000 * quantiles[49]),
        "lag_p99_ms": round(1000 * quantiles[98]),
        "lag_max_ms": round(1000 * max(samples, default=0.0)), "never_applied": never, "facts_not_in_feed": unlisted,
    }  # fmt: skip


def probe_delays(probes: list[tuple[float, str, str, bool, list[str], str, float]], sequences: Sequences,
                 interval: float) -> dict[str, Any]:  # fmt: skip
    """When the attempts were really sent: the one-interval class's delay after the source recorded the marriage
    (the driver times each attempt from the answer it got, which comes later), and the misses among every attempt
    sent at least one interval after that moment (the goal, measured from the source's record)."""
    delays, late_misses, late_attempts, unlisted = [], 0, 0, 0
    for fraction, source, _, accepted, _, broken, sent in probes:
        listed = sequences.get((source, broken, "registered"))
        if listed is None:
            unlisted += 1
            continue
        delay = sent - listed[1]
        if fraction == 1:
            delays.append(delay)
        if delay >= interval:
            late_attempts, late_misses = late_attempts + 1, late_misses + accepted
    return {
        "one_interval_sent_after_record_p50_ms": round(1000 * statistics.median(delays)) if delays else None,
        "one_interval_sent_after_record_max_ms": round(1000 * max(delays)) if delays else None,
        "attempted_an_interval_after_record": late_attempts, "misses_an_interval_after_record": late_misses,
        "attempts_whose_marriage_is_not_in_the_feed": unlisted,
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
