"""Rebuild rates of our projection runner at growing log sizes, and against the library's ProjectionRunner.

Generates marriage-registration events (7 per couple, real encrypted events saved 500 couples per transaction),
then measures in one run:
- at a small log (--library-events): our audit-trail rebuild and the library's ProjectionRunner (its subscription,
  one transaction per event) doing the same audit-trail work: "ratio" = ours / the library's;
- at each of --sizes (the log grown to that size): our rebuild of the audit trail and of the marital status index,
  in events/s and µs/event, and the cost per event at the largest size over the smallest (goal <= 1.1: flat);
  with the default sizes also "seconds_1m" (the audit trail's rebuild of 1,000,000 events, goal < 60 s).
Prints its figures, then one JSON line of them.

    .venv/bin/python -m benchmarks.projections [--sizes 100000,1000000] [--library-events 10000]
"""

from __future__ import annotations

import argparse
import base64
import json
import time
from datetime import UTC, datetime
from typing import Any

from eventsourcing.persistence import Tracking
from eventsourcing.postgres import PostgresTrackingRecorder
from eventsourcing.projection import Projection as LibraryProjection
from eventsourcing.projection import ProjectionRunner
from psycopg.sql import SQL
from tqdm import tqdm

from benchmarks.common import KEYS, generated_people, scratch_database
from projections.audit_trail import AuditTrail
from projections.catalog import ReadSide, migrate_all
from projections.store import _PostgresCursor
from registry.common.actors import Act, Actor
from registry.common.ids import PersonKeys
from registry.common.start_up import settle_start_up
from registry.keys import Purpose, derive
from registry.marriage.application import MarriageRegistry
from registry.marriage.certificates import CertificateBook
from registry.marriage.eligibility import PartyFacts
from registry.marriage.marriage import Marriage
from registry.marriage.person_status import PersonStatus
from registry.marriage.values import Attendance
from registry.settings import Settings
from registry.system import Registry, open_registry

EVENTS_PER_COUPLE = 7
CHUNK = 500
PRESENT = Attendance(True, True, True, True)


def generate(registry: Registry, couples: int, *, book_year: int = 2026) -> None:
    """Registered marriages, saved 500 couples per transaction (the write path is not what is measured here).

    Each call numbers its certificates from a new book (a call per `book_year`)."""
    act = Act(Actor("bench", "clerk", "330782001"), datetime(2026, 11, 22, 3, tzinfo=UTC), "bench")
    keys = registry.marriage.person_keys
    book = CertificateBook.open(act, kind="J", office="330782001", year=book_year)
    with tqdm(total=couples * EVENTS_PER_COUPLE, unit="event", desc="generating") as bar:
        for start in range(0, couples, CHUNK):
            changed: list[Any] = []
            for man, woman in generated_people(min(CHUNK, couples - start)):
                marriage = Marriage.apply_for(act, party_a=man, party_b=woman)
                statuses = (
                    PersonStatus.open(act, keys.ref(man.document_key)),
                    PersonStatus.open(act, keys.ref(woman.document_key)),
                )
                numbers = book.issue(act, 2)
                marriage.register(
                    act,
                    attendance=(PRESENT, PRESENT),
                    facts=(PartyFacts(statuses[0]), PartyFacts(statuses[1])),
                    certificate_numbers=(numbers[0], numbers[1]),
                )
                for status in statuses:
                    status.marry(act, marriage_id=marriage.id, since=marriage.registered_on)  # type: ignore[arg-type]
                changed += [marriage, *statuses]
            registry.marriage.save(*changed, book)
            bar.update(len(changed) // 3 * EVENTS_PER_COUPLE)


# -- the library's runner, doing the same audit-trail work per event ---------------------------------------------


BENCH_PERSON_KEY = derive(base64.b64decode(KEYS["REGISTRY_MASTER_KEY"]), Purpose.PERSON_HASH)


class LibraryAuditView(PostgresTrackingRecorder):
    """A library view whose process step runs our audit-trail code, in one transaction per event."""

    audit = AuditTrail(PersonKeys(BENCH_PERSON_KEY), suffix="__library")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sql_create_statements.extend(SQL(statement) for statement in self.audit.schema())  # type: ignore[arg-type]

    def record(self, event: Any, tracking: Tracking) -> None:
        with self.datastore.transaction(commit=True) as curs:
            self._insert_tracking(curs, tracking)
            batch = [(tracking.notification_id, event)]
            self.audit.apply(_PostgresCursor(curs.connection.cursor()), tracking.application_name, batch)


class LibraryAuditProjection(LibraryProjection[LibraryAuditView]):
    name = "library_audit"

    def process_event(self, domain_event: Any, tracking: Tracking) -> None:  # type: ignore[override]
        self.view.record(domain_event, tracking)


class BenchMarriageRegistry(MarriageRegistry):
    """The marriage application as the library's runner constructs it (from an environment only)."""

    name = "marriage"

    def __init__(self, env: Any = None) -> None:
        super().__init__(env, person_keys=PersonKeys(BENCH_PERSON_KEY))


def library_rate(settings: Settings, head: int) -> float:
    env = {**settings.store_environment("marriage"), "CREATE_TABLE": "y"}
    started = time.perf_counter()
    with ProjectionRunner(
        application_class=BenchMarriageRegistry,
        projection_class=LibraryAuditProjection,
        view_class=LibraryAuditView,
        env=env,
    ) as runner:
        runner.wait(head, timeout=3600)
    return head / (time.perf_counter() - started)


def our_rate(read_side: ReadSide, name: str) -> tuple[int, float]:
    settle_start_up()  # as `registry projections rebuild` does before it replays (api/cli/projections.py)
    started = time.perf_counter()
    with tqdm(total=read_side.followers[0].head(), unit="event", desc=f"rebuilding {name}") as bar:
        replayed = read_side.rebuild(name, on_batch=bar.update)
    return replayed, time.perf_counter() - started


def grow_to(registry: Registry, events: int, step: int) -> int:
    """Add registered marriages until the log holds at least `events` events (step: the how-manieth growth)."""
    head = registry.marriage.recorder.max_notification_id() or 0
    if events > head:
        generate(registry, -(-(events - head) // EVENTS_PER_COUPLE), book_year=2026 + step)
    return registry.marriage.recorder.max_notification_id() or 0


def rebuild_figures(read_side: ReadSide, size: int) -> dict[str, float]:
    """Rebuild the audit trail and the marital status index over the whole log: events/s and µs/event of each."""
    figures: dict[str, float] = {}
    for name in ("audit_trail", "marital_status"):
        replayed, seconds = our_rate(read_side, name)
        figures |= {f"{name}_rate_{size}": round(replayed / seconds), f"{name}_us_per_event_{size}": round(
            seconds / replayed * 1e6, 1), f"{name}_seconds_{size}": round(seconds, 1)}  # fmt: skip
        print(f"{name} rebuild of {replayed:,} events: {seconds:.1f} s, {replayed / seconds:,.0f} events/s, "
              f"{seconds / replayed * 1e6:.1f} µs/event", flush=True)  # fmt: skip
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100000,1000000", help="log sizes to rebuild at, ascending (events)")
    parser.add_argument("--library-events", type=int, default=10_000, help="log size of the side-by-side baseline")
    args = parser.parse_args()
    sizes = sorted(int(size) for size in args.sizes.split(","))
    with scratch_database() as database_url:
        settings = Settings.from_env({**KEYS, "REGISTRY_DATABASE_URL": database_url, "REGISTRY_DATA_DIR": "var/bench"})
        migrate_all(settings)
        registry = open_registry(settings)
        read_side = ReadSide(registry)
        try:
            head = grow_to(registry, args.library_events, 0)
            replayed, seconds = our_rate(read_side, "audit_trail")
            print("library ProjectionRunner on the audit trail (one transaction per event)...", flush=True)
            figures = {"library_events": head, "audit_trail_rate_library_size": round(replayed / seconds),
                       "library_audit_trail_rate": round(library_rate(settings, head))}  # fmt: skip
            for step, size in enumerate(sizes, start=1):
                grow_to(registry, size, step)
                figures |= rebuild_figures(read_side, size)
        finally:
            read_side.close()
            registry.close()
    report(figures, sizes)


def report(figures: dict[str, float], sizes: list[int]) -> None:
    """Print the figures, then the JSON line (ratio: our audit-trail rate over the library's, same log)."""
    small, large = sizes[0], sizes[-1]
    summary = {
        "benchmark": "projections",
        "store": "postgresql",
        "ratio": round(figures["audit_trail_rate_library_size"] / figures["library_audit_trail_rate"], 2),
        **{
            f"cost_ratio_{name}_{large}_over_{small}": round(
                figures[f"{name}_us_per_event_{large}"] / figures[f"{name}_us_per_event_{small}"], 3
            )
            for name in ("audit_trail", "marital_status")
        },
        **figures,
    }
    if (small, large) == (100_000, 1_000_000):
        summary["seconds_1m"] = figures["audit_trail_seconds_1000000"]
        summary["cost_ratio_1m_over_100k"] = summary["cost_ratio_audit_trail_1000000_over_100000"]
    ours, library = figures["audit_trail_rate_library_size"], figures["library_audit_trail_rate"]
    print(f"audit trail at {figures['library_events']:,} events, ours / library's runner: {summary['ratio']}x "
          f"({ours:,} vs {library:,} events/s)")  # fmt: skip
    for name in ("audit_trail", "marital_status"):
        ratio = summary[f"cost_ratio_{name}_{large}_over_{small}"]
        print(f"{name}: cost per event at {large:,} over {small:,}: {ratio} (goal <= 1.1)")
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
