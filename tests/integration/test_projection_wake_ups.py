"""How the projection thread learns which logs moved: PostgreSQL's notifications name them; SQLite cannot tell."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import date

import pytest

from projections.catalog import ReadSide
from projections.wake_ups import POLL_SECONDS, WakeUps
from registry.system import Registry
from tests.support import act, person


@pytest.fixture
def wake_ups(registry: Registry) -> Iterator[WakeUps]:
    read_side = ReadSide(registry)
    opened = WakeUps(read_side.store, [registry.marriage, registry.deaths], threading.Event())
    yield opened
    opened.close()


def apply_for_marriage(registry: Registry) -> None:
    registry.marriage.apply_for_marriage(
        act(date(2026, 3, 2)), party_a=person(date(1985, 5, 5), "male"), party_b=person(date(1986, 6, 6), "female")
    )


def test_a_wake_up_names_the_logs_that_moved_since_the_last_one(registry: Registry, wake_ups: WakeUps) -> None:
    first = wake_ups.wait(idle=False)
    apply_for_marriage(registry)
    moved = wake_ups.wait(idle=True)
    after = wake_ups.wait(idle=False)

    if not registry.settings.uses_postgres:  # SQLite polls: every wake-up may follow a move of any log
        assert first is None and moved is None and after is None
        return
    assert first is None  # it has only now begun to listen: what moved before is not known
    assert moved == {"marriage"}
    assert after == set()


def test_an_idle_wake_up_with_no_notification_cannot_tell_what_moved(registry: Registry, wake_ups: WakeUps) -> None:
    wake_ups.wait(idle=False)

    assert wake_ups.wait(idle=True) is None  # the wait ended without a word: every log is checked


def test_an_idle_wake_up_that_cannot_listen_pauses_before_the_next_round(
    registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Connections refused (PostgreSQL at its limit) must not turn the projection thread into a busy loop."""
    read_side = ReadSide(registry)

    def refused() -> None:
        raise OSError("connection refused")

    monkeypatch.setattr(read_side.store, "listen_connection", refused)
    wake_ups = WakeUps(read_side.store, [registry.marriage], threading.Event())
    started = time.monotonic()

    assert wake_ups.wait(idle=True) is None
    assert time.monotonic() - started >= POLL_SECONDS


def test_a_peek_between_steps_names_the_logs_that_moved_and_the_next_wake_up_still_does(
    registry: Registry, wake_ups: WakeUps
) -> None:
    """A round peeks for the exchange feed's log between its steps; what it heard is not lost to the next round."""
    wake_ups.wait(idle=False)
    apply_for_marriage(registry)
    deadline = time.monotonic() + 5
    peeked = wake_ups.peek()
    while registry.settings.uses_postgres and not peeked and time.monotonic() < deadline:
        peeked = wake_ups.peek()

    if not registry.settings.uses_postgres:  # SQLite cannot tell: a peek hears nothing, the wake-ups poll
        assert peeked == set()
        return
    assert peeked == {"marriage"}
    started = time.monotonic()
    assert wake_ups.wait(idle=True) == {"marriage"}
    assert time.monotonic() - started < POLL_SECONDS  # it did not wait: a log is known to have moved
