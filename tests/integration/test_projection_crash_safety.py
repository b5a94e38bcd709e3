"""Exactly once across crashes, and never past an uncommitted event."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from datetime import date

import psycopg
import pytest

from projections.catalog import ReadSide
from registry.settings import Settings
from registry.system import Registry, open_registry
from tests.integration.test_projections import dump
from tests.support import BOTH_PRESENT, act, person

DAY = date(2026, 11, 22)
KILLS = 20


def write_history(registry: Registry, couples: int) -> None:
    for n in range(couples):
        man, woman = person(date(1980 + n % 20, 1, 1), "male"), person(date(1982 + n % 20, 2, 2), "female")
        marriage = registry.marriage.apply_for_marriage(act(DAY), party_a=man, party_b=woman).aggregate_id
        registry.marriage.register_marriage(act(DAY), marriage, attendance=BOTH_PRESENT)


def logged_positions(registry: Registry) -> list[int]:
    """Every notification id of the marriage log (ids can have gaps: a rolled-back insert uses one up)."""
    head = registry.marriage.recorder.max_notification_id() or 0
    return [n.id for n in registry.marriage.recorder.select_notifications(start=1, limit=head + 1)]


def projected_positions(read_side: ReadSide) -> list[int]:
    rows = read_side.store.query("SELECT position FROM audit_trail WHERE application = 'marriage' ORDER BY position")
    return [int(row[0]) for row in rows]


def test_killing_the_projection_process_at_random_loses_and_repeats_nothing(store_env: dict[str, str]) -> None:
    settings = Settings.from_env(store_env)
    from projections.catalog import migrate_all

    migrate_all(settings)
    registry = open_registry(settings)
    env = {**os.environ, **store_env, "REGISTRY_PROJECTION_BATCH": "3", "REGISTRY_LOG_FORMAT": "json"}
    read_side = ReadSide(registry)
    rng = random.Random(7)
    killed_midway = 0
    try:
        for _ in range(KILLS):
            write_history(registry, couples=30)
            head = registry.marriage.recorder.max_notification_id() or 0
            started_at = read_side.position("marriage")
            process = subprocess.Popen(
                [sys.executable, "-m", "api.cli", "project"],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            deadline = time.monotonic() + 20
            while read_side.position("marriage") == started_at and time.monotonic() < deadline:
                time.sleep(0.005)
            time.sleep(rng.uniform(0, 0.01))  # somewhere in the middle of the catch-up
            process.send_signal(signal.SIGKILL)
            process.wait()
            killed_midway += read_side.position("marriage") < head
        assert killed_midway >= KILLS // 2, f"only {killed_midway} kills landed during a catch-up"
        read_side.catch_up()
        recovered = dump(read_side)
        for name in ("audit_trail", "marital_status", "marriage_worklist"):
            read_side.rebuild(name)
        assert dump(read_side) == recovered
        positions = [
            row[0] for row in read_side.store.query("SELECT position FROM audit_trail WHERE application = 'marriage'")
        ]
        assert sorted(positions) == list(range(1, head + 1))
    finally:
        read_side.close()
        registry.close()


@pytest.mark.parametrize("store_env", ["postgres"], indirect=True)
def test_the_projection_never_moves_past_an_event_whose_transaction_is_still_open(store_env: dict[str, str]) -> None:
    settings = Settings.from_env(store_env)
    from projections.catalog import migrate_all

    migrate_all(settings)
    registry = open_registry(settings)
    read_side = ReadSide(registry)
    write_history(registry, couples=2)
    read_side.catch_up()
    before = read_side.position("marriage")
    conninfo, schema = settings.postgres_target()
    held = psycopg.connect(conninfo, options=f"-c search_path={schema}")
    try:
        # Hold a writer's transaction open the way the library's writers do (the table lock they all take).
        held.execute("LOCK TABLE marriage_events IN EXCLUSIVE MODE")
        others = [threading.Thread(target=write_history, args=(registry, 1)) for _ in range(3)]
        for thread in others:
            thread.start()
        time.sleep(0.5)
        assert read_side.catch_up() == 0
        assert read_side.position("marriage") == before
        held.commit()
        for thread in others:
            thread.join()
    finally:
        held.close()
    read_side.catch_up()
    assert projected_positions(read_side) == logged_positions(registry)
    read_side.close()
    registry.close()
