"""Events per second the offline verifier checks, from an export of a log of at least 200,000 events.

Generates registered marriages (7 events each) in an embedded store, exports the marriage log and signs a checkpoint
the way `registry audit export` does, then times `verify()` reading the export line by line (JSON decoding, canonical
bytes, leaf hashes, the tree, the signature). Prints its figures, then one JSON line.

    .venv/bin/python -m benchmarks.audit_verify [--events 200000]
"""

from __future__ import annotations

import argparse
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
            checkpoint = sign(key, "marriage", len(leaves), 0, root_from_leaves(leaves), datetime.now(UTC))
            public_key = public_key_from_text(public_key_text(key))
            started = time.perf_counter()
            with export.open() as lines:
                verdict = verify(public_key, checkpoint, (LoggedEvent.from_line(line) for line in lines))
            elapsed = time.perf_counter() - started
        finally:
            read_side.close()
            registry.close()
    assert verdict.ok, verdict.problems
    rate = verdict.events / elapsed
    print(f"events verified : {verdict.events:,}")
    print(f"time            : {elapsed:.2f} s (reading the export, hashing, the tree, the signature)")
    print(f"rate            : {rate:,.0f} events/s (goal: at least 100,000)")
    print(json.dumps({"benchmark": "audit_verify", "events": verdict.events, "seconds": round(elapsed, 2),
                      "events_per_second": round(rate)}))  # fmt: skip


if __name__ == "__main__":
    main()
