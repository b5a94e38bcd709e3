"""Events per second the offline verifier checks, from an export of a log of at least 200,000 events.

Generates registered marriages (7 events each) in an embedded store, exports the marriage log and signs a checkpoint
the way `registry audit export` does, then times `verify()` reading the export line by line (JSON decoding, canonical
bytes, leaf hashes, the tree, the signature). Then projects the tree (leaves and subtree nodes) and times a checkpoint
and proofs served from the stored nodes, against recomputing the root from every stored leaf. Prints its figures,
then one JSON line ("ratio": the verifier's rate over a bare JSON + SHA-256 loop over the same export, same run).

    .venv/bin/python -m benchmarks.audit_verify [--events 200000]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.common import KEYS
from benchmarks.projections import EVENTS_PER_COUPLE, generate
from projections.audit.checkpoints import public_key_from_text, public_key_text, sign
from projections.audit.log import LoggedEvent, logged_events
from projections.audit.merkle import root_from_leaves
from projections.audit.subtrees import CompactRange
from projections.audit.verify import verify
from projections.catalog import ReadSide, migrate_all
from registry.settings import Settings
from registry.system import open_registry


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=200_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        settings = Settings.from_env({**KEYS, "REGISTRY_DATA_DIR": directory})
        migrate_all(settings)
        registry = open_registry(settings)
        read_side = ReadSide(registry)
        try:
            generate(registry, -(-args.events // EVENTS_PER_COUPLE))
            export = Path(directory) / "log.jsonl"
            leaves = []
            with export.open("w") as file:
                for event in logged_events(registry.marriage):
                    file.write(event.to_line() + "\n")
                    leaves.append(event.leaf())
            key = read_side.audit_log.key
            checkpoint = sign(
                key, "marriage", len(leaves), 0, root_from_leaves(leaves), datetime.now(UTC), read_side.audit_log.key_id
            )
            public_key = public_key_from_text(public_key_text(key))
            started = time.perf_counter()
            with export.open() as lines:
                verdict = verify(public_key, checkpoint, (LoggedEvent.from_line(line) for line in lines))
            elapsed = time.perf_counter() - started
            bare = bare_loop(export)
            served = serve_from_nodes(read_side, root_from_leaves(leaves))
        finally:
            read_side.close()
            registry.close()
    assert verdict.ok, verdict.problems
    rate = verdict.events / elapsed
    bare_rate = verdict.events / bare
    tree_rate = verdict.events / served.pop("projecting_the_tree")
    lines = {
        "events verified": f"{verdict.events:,}",
        "time": f"{elapsed:.2f} s (reading the export, hashing, the tree, the signature)",
        "rate": f"{rate:,.0f} events/s (goal: at least 100,000)",
        "bare JSON + SHA-256 loop": f"{bare_rate:,.0f} events/s (the same lines, json.loads and one hash each)",
        "ratio verifier / bare loop": f"{rate / bare_rate:.2f}",
        "projecting the tree": f"{tree_rate:,.0f} events/s (leaves and subtree nodes, SQLite, batches of 500)",
        **{name.replace("_", " "): f"{seconds * 1000:,.2f} ms" for name, seconds in served.items()},
    }
    for label, value in lines.items():
        print(f"{label:<36}: {value}")
    print(json.dumps({"benchmark": "audit_verify", "events": verdict.events, "seconds": round(elapsed, 2),
                      "events_per_second": round(rate), "bare_loop_events_per_second": round(bare_rate),
                      "ratio": round(rate / bare_rate, 2), "tree_events_per_second": round(tree_rate),
                      **{f"{name}_ms": round(seconds * 1000, 2) for name, seconds in served.items()}}))  # fmt: skip


def bare_loop(export: Path) -> float:
    """Seconds a bare loop takes over the same export: each line JSON-decoded and hashed once, nothing checked."""
    started = time.perf_counter()
    with export.open() as lines:
        for line in lines:
            json.loads(line)
            hashlib.sha256(b"\x00" + line.encode()).digest()
    return time.perf_counter() - started


def serve_from_nodes(read_side: ReadSide, expected_root: bytes, repeat: int = 20) -> dict[str, float]:
    """Project the marriage tree, then time what the auditor API serves from it (seconds, mean of `repeat`)."""
    [follower] = [f for f in read_side.followers if f.tracking_name == "merkle_leaves/marriage"]
    started = time.perf_counter()
    projected = follower.catch_up(read_side.store)
    figures = {"projecting_the_tree": time.perf_counter() - started}
    log = read_side.audit_log
    size, last = log.head("marriage")
    assert size == projected and log.checkpoint("marriage", datetime.now(UTC)).root() == expected_root
    calls = {
        "checkpoint_from_stored_nodes": lambda: log.checkpoint("marriage", datetime.now(UTC)),
        "inclusion_proof_from_stored_nodes": lambda: log.inclusion("marriage", last // 2 + 1, size),
        "consistency_proof_from_stored_nodes": lambda: log.consistency("marriage", size // 3, size),
    }
    for name, call in calls.items():
        started = time.perf_counter()
        for _ in range(repeat):
            call()
        figures[name] = (time.perf_counter() - started) / repeat
    started = time.perf_counter()
    rows = read_side.store.query(
        "SELECT leaf_hash FROM merkle_leaves WHERE application = 'marriage' ORDER BY leaf_index"
    )
    tree = CompactRange()
    for (value,) in rows:
        tree.append(bytes.fromhex(value))
    assert tree.root() == expected_root
    figures["root_from_every_leaf_as_before"] = time.perf_counter() - started
    return figures


if __name__ == "__main__":
    main()
