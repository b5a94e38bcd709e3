"""Rebuild rates of our batched projection runner against the library's ProjectionRunner, on PostgreSQL.

Generates at least 200,000 marriage-registration events (7 per couple), then measures in one run:
- our rebuild of the audit trail and of the marital status index (batches of 500 events per transaction);
- the library's ProjectionRunner (its subscription, one transaction per event) doing the same audit-trail work.
Prints its figures, then one JSON line with "ratio" = our audit-trail rate / the library's.

    .venv/bin/python -m benchmarks.projections [--events 200000]
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


def generate(registry: Registry, couples: int) -> None:
    """Registered marriages, saved 500 couples per transaction (the write path is not what is measured here)."""
    act = Act(Actor("bench", "clerk", "330782001"), datetime(2026, 11, 22, 3, tzinfo=UTC), "bench")
    keys = registry.marriage.person_keys
    book = CertificateBook.open(act, kind="J", office="330782001", year=2026)
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
    started = time.perf_counter()
    with tqdm(total=read_side.followers[0].head(), unit="event", desc=f"rebuilding {name}") as bar:
        replayed = read_side.rebuild(name, on_batch=bar.update)
    return replayed, replayed / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=200_000)
    args = parser.parse_args()
    couples = -(-args.events // EVENTS_PER_COUPLE)

    with scratch_database() as database_url:
        settings = Settings.from_env({**KEYS, "REGISTRY_DATABASE_URL": database_url, "REGISTRY_DATA_DIR": "var/bench"})
        migrate_all(settings)
        registry = open_registry(settings)
        read_side = ReadSide(registry)
        try:
            generate(registry, couples)
            head = registry.marriage.recorder.max_notification_id() or 0
            audit_events, audit_rate = our_rate(read_side, "audit_trail")
            status_events, status_rate = our_rate(read_side, "marital_status")
            print("library ProjectionRunner on the audit trail (one transaction per event)...", flush=True)
            library = library_rate(settings, head)
        finally:
            read_side.close()
            registry.close()

    figures = {
        "benchmark": "projections",
        "store": "postgresql",
        "events": head,
        "audit_trail_rate": round(audit_rate),
        "marital_status_rate": round(status_rate),
        "library_audit_trail_rate": round(library),
        "ratio": round(audit_rate / library, 2),
    }
    print(f"events in the log                 : {head:,}")
    print(f"audit trail rebuild (ours)        : {audit_rate:10,.0f} events/s ({audit_events:,} events)")
    print(f"marital status rebuild (ours)     : {status_rate:10,.0f} events/s ({status_events:,} events)")
    print(f"audit trail, library's runner     : {library:10,.0f} events/s")
    print(f"ratio ours / library (audit trail): {figures['ratio']}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
