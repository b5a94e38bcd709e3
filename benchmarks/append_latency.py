"""How long one append to an application's log takes on PostgreSQL: the library's recorder against the registry's.

The library's `PostgresApplicationRecorder` sends a pipeline (BEGIN, SET LOCAL lock_timeout, LOCK TABLE, NOTIFY, the
INSERT, a sync, COMMIT); the registry's `AppendingApplicationRecorder` (registry/adapters/postgres_append.py) calls
one function that does the same in one autocommitted statement. Both append to the same table of a scratch database
over the same pool, one append at a time (each commits, so each waits for the WAL's fsync), alternating in blocks of
50 so that both meet the same moments of the machine. Appends of 1 event (an official's recorded read) and of 8 (a
group commit of a few registrations). Prints p50 / p99 of each, then one JSON line with "ratio" = the library's p50
over the registry's for one event.

    .venv/bin/python -m benchmarks.append_latency [--appends 1000]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
import uuid
from collections.abc import Callable

from eventsourcing.persistence import ApplicationRecorder, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder

from benchmarks.common import KEYS, scratch_database
from projections.catalog import migrate_all
from registry.settings import Settings
from registry.system import open_registry

BLOCK = 50
STATE = b"x" * 400  # about an encrypted oversight record's size


def timings(append: Callable[[int], object], events: int, appends: int) -> list[float]:
    latencies = []
    for _ in range(appends):
        started = time.perf_counter()
        append(events)
        latencies.append(time.perf_counter() - started)
    return latencies


def appender(recorder: ApplicationRecorder) -> Callable[[int], object]:
    def append(events: int) -> object:
        return recorder.insert_events([StoredEvent(uuid.uuid4(), 1, "bench", STATE) for _ in range(events)])

    return append


def ms(latencies: list[float], percentile: int) -> float:
    return round(statistics.quantiles(latencies, n=100)[percentile - 1] * 1000, 3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--appends", type=int, default=1000, help="per recorder and size")
    args = parser.parse_args()
    figures: dict[str, object] = {"benchmark": "append_latency", "load_average": os.getloadavg()[0]}
    with scratch_database() as database_url:
        settings = Settings.from_env({**KEYS, "REGISTRY_DATABASE_URL": database_url})
        migrate_all(settings)
        registry = open_registry(settings)
        try:
            ours = registry.oversight.recorder
            assert isinstance(ours, PostgresApplicationRecorder)
            library = PostgresApplicationRecorder(ours.datastore, events_table_name=ours.events_table_name)
            recorders = {"library": appender(library), "registry": appender(ours)}
            for events in (1, 8):
                latencies: dict[str, list[float]] = {name: [] for name in recorders}
                for _ in range(args.appends // BLOCK):
                    for name, append in recorders.items():
                        latencies[name] += timings(append, events, BLOCK)
                for name, measured in latencies.items():
                    p50, p99 = ms(measured, 50), ms(measured, 99)
                    figures[f"{name}_{events}"] = {"p50_ms": p50, "p99_ms": p99}
                    print(f"{name:8s} appends of {events} event(s): p50 {p50} ms, p99 {p99} ms")
        finally:
            registry.close()
    figures["ratio"] = round(figures["library_1"]["p50_ms"] / figures["registry_1"]["p50_ms"], 2)  # type: ignore[index]
    print(f"ratio (library p50 / registry p50, one event): {figures['ratio']}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
