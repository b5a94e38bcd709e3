"""One event a read model cannot apply is quarantined for that read model alone; every other read model goes on."""

from __future__ import annotations

import copy
import subprocess
import sys
import time
from datetime import date
from typing import Any
from uuid import uuid4

import pytest
from eventsourcing.persistence import StoredEvent
from prometheus_client.parser import text_string_to_metric_families

from api.metrics import Metrics
from projections.audit.leaves import MerkleLeaves
from projections.audit_trail import AuditTrail
from projections.base import Batch
from projections.catalog import ReadSide
from projections.quarantine import NotQuarantined
from projections.runner import ProjectionService
from projections.store import Cursor
from registry.common.application import RegistryApplication
from registry.system import Registry
from tests.support import BOTH_PRESENT, act, person

DAY = date(2026, 11, 22)


def marry(registry: Registry, couples: int) -> None:
    for n in range(couples):
        man, woman = person(date(1980 + n, 1, 1), "male"), person(date(1982 + n, 2, 2), "female")
        marriage = registry.marriage.apply_for_marriage(act(DAY), party_a=man, party_b=woman).aggregate_id
        registry.marriage.register_marriage(act(DAY), marriage, attendance=BOTH_PRESENT)


def store_as_an_older_version_did(application: RegistryApplication, reason: Any) -> int:
    """Store, straight through the recorder, a copy of the log's first event (a new aggregate) carrying a `reason`
    today's audit trail cannot write (a structure, or text with a NUL that PostgreSQL refuses); returns its id."""
    first = application.recorder.select_notifications(start=1, limit=1)[0]
    event = copy.copy(application.mapper.to_domain_event(first))
    event.__dict__.update(originator_id=uuid4(), reason=reason)
    application.recorder.insert_events([application.mapper.to_stored_event(event)])
    return application.recorder.max_notification_id() or 0


def poisons(registry: Registry) -> list[Any]:
    """Reasons the audit trail cannot write on this store."""
    structured = {"code": "old-format", "text": "a reason recorded as a structure"}
    return [structured, "refused\x00 with a NUL"] if registry.settings.uses_postgres else [structured]


class FixedAuditTrail(AuditTrail):
    """The audit trail as a later release would write it: a reason of any form becomes printable text."""

    def apply(self, cursor: Cursor, application: str, batch: Batch) -> None:
        mended = []
        for position, event in batch:
            reason = getattr(event, "reason", None)
            if reason is not None:
                event = copy.copy(event)
                event.__dict__["reason"] = str(reason).replace("\x00", "")
            mended.append((position, event))
        super().apply(cursor, application, mended)


def heads(registry: Registry) -> dict[str, int]:
    return {name: app.recorder.max_notification_id() or 0 for name, app in registry.applications().items()}


def test_an_event_one_read_model_cannot_apply_is_quarantined_and_every_other_read_model_goes_on(
    registry: Registry, read_side: ReadSide
) -> None:
    marry(registry, 2)
    poisoned = [store_as_an_older_version_did(registry.marriage, reason) for reason in poisons(registry)]
    marry(registry, 2)

    read_side.catch_up()

    entries = read_side.quarantined()
    assert [(e.projection, e.notification_id) for e in entries] == [("audit_trail/marriage", n) for n in poisoned]
    assert all(entry.open and entry.error_type for entry in entries)
    positions, head = read_side.store.positions(), heads(registry)
    assert {f.tracking_name: positions.get(f.tracking_name, 0) for f in read_side.followers} == {
        f.tracking_name: head[f.application.name] for f in read_side.followers
    }
    trail = {row[0] for row in read_side.store.query("SELECT position FROM audit_trail WHERE application = 'marriage'")}
    assert not trail & set(poisoned)
    assert max(trail) == head["marriage"]  # the events after the poisoned ones are in the trail


def test_a_retry_applies_the_quarantined_event_once_the_code_is_fixed_and_releases_it(
    registry: Registry, read_side: ReadSide
) -> None:
    marry(registry, 1)
    poisoned = [store_as_an_older_version_did(registry.marriage, reason) for reason in poisons(registry)]
    read_side.catch_up()

    with pytest.raises(Exception):  # noqa: B017 - whatever today's code fails with
        read_side.retry_quarantined("audit_trail/marriage", poisoned[0])
    assert [e.notification_id for e in read_side.quarantined(only_open=True)] == poisoned

    follower = read_side.follower_named("audit_trail/marriage")
    follower.projection = FixedAuditTrail(read_side.keys)  # the release that fixes the audit trail
    for notification_id in poisoned:
        read_side.retry_quarantined("audit_trail/marriage", notification_id)

    assert read_side.quarantined() == []
    reasons = read_side.store.query(
        "SELECT reason FROM audit_trail WHERE application = 'marriage' AND position IN "
        f"({', '.join('?' for _ in poisoned)}) ORDER BY position",
        poisoned,
    )
    assert [row[0] for row in reasons] == [str(reason).replace("\x00", "") for reason in poisons(registry)]
    with pytest.raises(NotQuarantined):
        read_side.retry_quarantined("audit_trail/marriage", poisoned[0])


def test_a_skip_accepts_the_loss_with_its_reason_on_record(registry: Registry, read_side: ReadSide) -> None:
    marry(registry, 1)
    poisoned = store_as_an_older_version_did(registry.marriage, poisons(registry)[0])
    read_side.catch_up()

    read_side.skip_quarantined("audit_trail/marriage", poisoned, "the reason is in the paper file 2026/17")

    [entry] = read_side.quarantined()
    assert not entry.open and entry.skip_reason == "the reason is in the paper file 2026/17"
    assert read_side.quarantined(only_open=True) == []
    with pytest.raises(NotQuarantined):
        read_side.skip_quarantined("audit_trail/marriage", poisoned, "again")
    with pytest.raises(KeyError, match="known: audit_trail/marriage"):
        read_side.skip_quarantined("audit_trail/nowhere", poisoned, "no such read model")


def test_a_read_model_that_keeps_failing_holds_back_no_other(registry: Registry, read_side: ReadSide) -> None:
    marry(registry, 2)
    with read_side.store.transaction() as cursor:
        cursor.execute("DROP TABLE marital_status")  # a fault of the store, not of an event: never quarantined
    service = ProjectionService(read_side.store, read_side.followers, read_side.policies)

    service.run_round()

    positions, head = read_side.store.positions(), heads(registry)
    assert list(service.failing) == ["marital_status/marriage"]
    behind = [
        f.tracking_name for f in read_side.followers if positions.get(f.tracking_name, 0) < head[f.application.name]
    ]
    assert behind == ["marital_status/marriage"]
    assert read_side.quarantined() == []


class TreeThatCannotTakeALeaf(MerkleLeaves):
    """The Merkle tree, failing on one event as a code bug would."""

    def __init__(self, failing: int) -> None:
        super().__init__()
        self.failing = failing

    def apply(self, cursor: Cursor, application: str, batch: Batch) -> None:
        if any(position == self.failing for position, _ in batch):
            raise ValueError("a leaf this version cannot compute")
        super().apply(cursor, application, batch)


def test_a_read_model_that_must_hold_every_event_in_order_stops_rather_than_set_one_aside(
    registry: Registry, read_side: ReadSide
) -> None:
    """A tree missing a leaf would sign checkpoints over something that is not the log."""
    marry(registry, 2)
    failing = 3
    for follower in read_side.followers:
        if follower.tracking_name == "merkle_leaves/marriage":
            follower.projection = TreeThatCannotTakeALeaf(failing)
    service = ProjectionService(read_side.store, read_side.followers, read_side.policies)

    service.run_round()

    assert list(service.failing) == ["merkle_leaves/marriage"]
    assert read_side.store.position("merkle_leaves/marriage") == failing - 1
    assert read_side.quarantined() == []


def test_a_batch_that_fails_for_a_transient_reason_is_retried_not_quarantined(
    registry: Registry, read_side: ReadSide
) -> None:
    marry(registry, 1)
    follower = read_side.follower_named("audit_trail/marriage")
    failures = iter([RuntimeError("a passing fault"), RuntimeError("once more")])

    class Flaky(AuditTrail):
        def apply(self, cursor: Cursor, application: str, batch: Batch) -> None:
            failure = next(failures, None)
            if failure is not None:
                raise failure
            super().apply(cursor, application, batch)

    follower.projection = Flaky(read_side.keys)
    read_side.catch_up()

    assert read_side.quarantined() == []
    assert read_side.store.position("audit_trail/marriage") == heads(registry)["marriage"]


def registry_command(store_env: dict[str, str], *arguments: str) -> subprocess.CompletedProcess[str]:
    env = {**store_env, "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [sys.executable, "-m", "api.cli", *arguments], env=env, capture_output=True, text=True, timeout=60
    )


def test_the_projection_process_goes_on_past_a_poisoned_event_and_the_operator_resolves_it(
    store_env: dict[str, str], registry: Registry, read_side: ReadSide
) -> None:
    marry(registry, 1)
    poisoned = store_as_an_older_version_did(registry.marriage, poisons(registry)[0])
    marry(registry, 1)
    process = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "project"],
        env={**store_env, "PATH": "/usr/bin:/bin"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while read_side.position("marriage") < heads(registry)["marriage"] and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        process.terminate()
        process.wait(timeout=20)
    assert read_side.position("marriage") == heads(registry)["marriage"]

    listed = registry_command(store_env, "projections", "quarantine")
    assert listed.returncode == 0 and f"audit_trail/marriage {poisoned} [open]" in listed.stdout
    retried = registry_command(store_env, "projections", "retry", "audit_trail/marriage", str(poisoned))
    assert retried.returncode == 1 and "failed again" in retried.stderr and "Traceback" not in retried.stderr
    unknown = registry_command(store_env, "projections", "skip", "audit_trail/marriage", "999999", "--reason", "x")
    assert unknown.returncode == 2 and "not in quarantine" in unknown.stderr
    skipped = registry_command(
        store_env, "projections", "skip", "audit_trail/marriage", str(poisoned), "--reason", "paper file 2026/17"
    )
    assert skipped.returncode == 0
    listed = registry_command(store_env, "projections", "quarantine")
    assert f"audit_trail/marriage {poisoned} [skipped" in listed.stdout and "paper file 2026/17" in listed.stdout


def test_metrics_count_the_open_quarantined_events_of_each_read_model(registry: Registry, read_side: ReadSide) -> None:
    marry(registry, 1)
    poisoned = [store_as_an_older_version_did(registry.marriage, reason) for reason in poisons(registry)]
    read_side.catch_up()
    metrics = Metrics()

    metrics.observe_read_side(registry, read_side)
    before = gauge(metrics, "registry_projection_quarantined_events")
    read_side.skip_quarantined("audit_trail/marriage", poisoned[0], "accepted after review")
    metrics.observe_read_side(registry, read_side)
    after = gauge(metrics, "registry_projection_quarantined_events")

    assert before["audit_trail/marriage"] == len(poisoned)
    assert after["audit_trail/marriage"] == len(poisoned) - 1  # a skipped event is resolved
    assert before["marital_status/marriage"] == 0  # every read model is named, with none quarantined


def test_metrics_show_the_connection_pool_in_use_within_its_budget(registry: Registry, read_side: ReadSide) -> None:
    metrics = Metrics()

    metrics.observe_read_side(registry, read_side)
    pool = gauge(metrics, "registry_db_pool_connections", label="state")

    if registry.pool is None:
        assert pool == {}  # SQLite: no pool
        return
    assert pool["max"] == registry.pool.max_size
    assert 0 <= pool["in_use"] <= pool["max"]
    assert pool["idle"] >= 0 and pool["waiting"] >= 0


def failed_once_on_marital_status(registry: Registry, read_side: ReadSide) -> ProjectionService:
    """A service whose last round failed on the marital status index (its table was away), now back."""
    marry(registry, 2)
    with read_side.store.transaction() as cursor:
        cursor.execute("ALTER TABLE marital_status RENAME TO marital_status_away")
    service = ProjectionService(read_side.store, read_side.followers, read_side.policies)
    service.run_round()
    assert list(service.failing) == ["marital_status/marriage"]
    with read_side.store.transaction() as cursor:
        cursor.execute("ALTER TABLE marital_status_away RENAME TO marital_status")
    return service


def test_a_read_model_that_failed_is_no_longer_failing_once_another_runner_caught_it_up(
    registry: Registry, read_side: ReadSide
) -> None:
    service = failed_once_on_marital_status(registry, read_side)
    read_side.follower_named("marital_status/marriage").catch_up(read_side.store)  # as `registry project` would

    service.run_round()  # it has nothing left to do, so it is not run: it is not failing either

    assert service.failing == {}


def test_a_round_that_cannot_read_the_positions_runs_every_read_model_and_raises_nothing(
    registry: Registry, read_side: ReadSide
) -> None:
    marry(registry, 1)
    service = ProjectionService(read_side.store, read_side.followers, read_side.policies)
    service.run_round()
    with read_side.store.transaction() as cursor:
        cursor.execute("ALTER TABLE projection_tracking RENAME TO projection_tracking_away")

    assert service.run_round() == 0

    assert set(service.failing) == {follower.tracking_name for follower in read_side.followers}
    with read_side.store.transaction() as cursor:
        cursor.execute("ALTER TABLE projection_tracking_away RENAME TO projection_tracking")


def gauge(metrics: Metrics, name: str, *, label: str = "projection") -> dict[str, float]:
    return {
        sample.labels[label]: sample.value
        for family in text_string_to_metric_families(metrics.exposition().decode())
        for sample in family.samples
        if sample.name == name
    }


def test_a_rebuild_sets_aside_an_event_it_cannot_decode_as_the_live_runner_does_and_goes_on(
    registry: Registry, read_side: ReadSide, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("projections.rebuild.REPLAY_BATCH", 3)  # the event falls in a later replay batch
    marry(registry, 3)
    unreadable = StoredEvent(uuid4(), 1, "marriage:Marriage.Applied", b"stored by no cipher of ours")
    registry.marriage.recorder.insert_events([unreadable])
    poisoned = registry.marriage.recorder.max_notification_id()
    marry(registry, 3)
    read_side.follower_named("audit_trail/marriage").catch_up(read_side.store)
    live = read_side.store.query("SELECT * FROM audit_trail ORDER BY application, position")
    assert [e.notification_id for e in read_side.quarantined() if e.projection == "audit_trail/marriage"] == [poisoned]

    read_side.rebuild("audit_trail")

    assert read_side.store.query("SELECT * FROM audit_trail ORDER BY application, position") == live
    assert [e.notification_id for e in read_side.quarantined() if e.projection == "audit_trail/marriage"] == [poisoned]
    assert read_side.store.position("audit_trail/marriage") == registry.marriage.recorder.max_notification_id()


def test_a_read_model_neither_decodes_nor_holds_back_on_events_of_aggregates_it_does_not_read(
    registry: Registry, read_side: ReadSide
) -> None:
    marry(registry, 1)
    unreadable = StoredEvent(uuid4(), 1, "marriage:CertificateBook.Opened", b"stored by no cipher of ours")
    registry.marriage.recorder.insert_events([unreadable])
    poisoned = registry.marriage.recorder.max_notification_id()
    marry(registry, 1)
    for name in ("audit_trail/marriage", "marital_status/marriage"):
        read_side.follower_named(name).catch_up(read_side.store)

    # The audit trail reads every event: it cannot decode this one. The marital status index reads none of the
    # certificate books': it never decodes the event, and is at the head of the log with nothing set aside.
    assert [(e.projection, e.notification_id) for e in read_side.quarantined()] == [("audit_trail/marriage", poisoned)]
    assert read_side.store.position("marital_status/marriage") == registry.marriage.recorder.max_notification_id()
    assert len(read_side.store.query("SELECT * FROM marital_status")) == 4


def test_a_read_model_that_failed_is_tried_again_in_a_round_told_only_of_other_logs(
    registry: Registry, read_side: ReadSide
) -> None:
    service = failed_once_on_marital_status(registry, read_side)

    service.run_round(moved={"deaths"})

    assert service.failing == {}
    assert read_side.store.position("marital_status/marriage") == heads(registry)["marriage"]
