"""After a small projection round, events gather before the next (projections/runner.py, GATHER_SECONDS)."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from datetime import date

import pytest

from projections import runner
from projections.catalog import ReadSide
from projections.runner import ProjectionService
from registry.system import Registry
from tests.support import act, person


def scripted_rounds(
    service: ProjectionService,
    applied: list[int],
    monkeypatch: pytest.MonkeyPatch,
    *,
    on_round: Callable[[int], None],
    hear_at_once: bool = True,
) -> list[float]:
    """Make `service`'s rounds apply `applied` in turn, calling `on_round` with each one's number as it begins; with
    hear_at_once, every wait hears a log move at once. Returns when each round began."""
    began: list[float] = []

    def round_of(moved: object = None) -> int:
        began.append(time.monotonic())
        on_round(len(began))
        return applied[len(began) - 1]

    monkeypatch.setattr(service, "run_round", round_of)
    if hear_at_once:
        monkeypatch.setattr(service.wake_ups, "wait", lambda idle: {"marriage"})
    return began


def test_after_a_small_round_the_next_waits_to_gather_events_and_after_an_idle_or_large_round_it_goes_at_once(
    read_side: ReadSide, monkeypatch: pytest.MonkeyPatch
) -> None:
    gather = 0.2  # longer than the test's own steps take, even on a loaded machine
    monkeypatch.setattr(runner, "GATHER_SECONDS", gather)
    stop = threading.Event()
    service = ProjectionService(read_side.store, read_side.followers, read_side.policies, stop=stop)
    applied = [3, runner.GATHER_BELOW - 1, 0, runner.GATHER_BELOW, 3, 0]

    def on_round(n: int) -> None:
        if n == len(applied):
            stop.set()

    began = scripted_rounds(service, applied, monkeypatch, on_round=on_round)
    service.run_forever()

    gaps = [later - earlier for earlier, later in itertools.pairwise(began)]
    after_small, after_idle, after_large = (gaps[0], gaps[1], gaps[4]), gaps[2], gaps[3]
    assert all(gap >= gather - 0.01 for gap in after_small)  # the wait counts from just before the round's start
    assert after_idle < gather and after_large < gather


def test_a_marriage_saved_while_events_gather_ends_the_wait_for_the_exchange_feed(
    read_side: ReadSide, monkeypatch: pytest.MonkeyPatch
) -> None:
    gather = 2.0
    monkeypatch.setattr(runner, "GATHER_SECONDS", gather)
    stop, saved_here = threading.Event(), threading.Event()
    feed = read_side.in_round_order()[0]
    service = ProjectionService(read_side.store, read_side.followers, [], stop=stop, urgent=[(feed, saved_here)])

    def on_round(n: int) -> None:
        if n == 1:  # a small round: a marriage is saved while its events gather
            threading.Timer(0.05, saved_here.set).start()
        else:
            stop.set()

    began = scripted_rounds(service, [3, 0], monkeypatch, on_round=on_round)
    service.run_forever()

    assert began[1] - began[0] < gather / 2


def test_a_marriage_notified_by_another_process_while_events_gather_ends_the_wait_for_the_exchange_feed(
    registry: Registry, read_side: ReadSide, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As in `registry serve`'s child, where nothing is saved: the store's notification ends the wait."""
    if not registry.settings.uses_postgres:
        pytest.skip("SQLite gives no notifications: its registry keeps the read models in the saving process")
    gather = 2.0
    monkeypatch.setattr(runner, "GATHER_SECONDS", gather)
    stop, never_saved_here = threading.Event(), threading.Event()
    feed = read_side.in_round_order()[0]
    service = ProjectionService(read_side.store, read_side.followers, [], stop=stop, urgent=[(feed, never_saved_here)])
    service.wake_ups.wait(idle=False)  # listening, as run_forever is

    def apply() -> None:
        registry.marriage.apply_for_marriage(
            act(date(2026, 11, 22)),
            party_a=person(date(1985, 5, 5), "male"),
            party_b=person(date(1986, 6, 6), "female"),
        )

    def on_round(n: int) -> None:
        if n == 1:  # a small round: another process saves a marriage while its events gather
            threading.Timer(0.05, apply).start()
        else:
            stop.set()

    began = scripted_rounds(service, [3, 0], monkeypatch, on_round=on_round, hear_at_once=False)
    service.run_forever()

    assert began[1] - began[0] < gather / 2


def test_a_stopped_service_ends_its_gathering_at_once(read_side: ReadSide, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runner, "GATHER_SECONDS", 30.0)
    stop = threading.Event()
    service = ProjectionService(read_side.store, read_side.followers, read_side.policies, stop=stop)
    scripted_rounds(service, [3], monkeypatch, on_round=lambda _: threading.Timer(0.05, stop.set).start())
    started = time.monotonic()

    service.run_forever()

    assert time.monotonic() - started < 5.0
