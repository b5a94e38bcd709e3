"""The given/when/then helpers fail when the aggregate does not do what the test says (a helper that cannot fail
would make every test written with it unable to fail)."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest
from eventsourcing.domain import AggregateCreated

from registry.common.actors import Act
from registry.common.errors import Failure, NotEligible, WrongState
from registry.common.events import RegistryAggregate, RegistryEvent
from tests.given import given, when
from tests.support import act

DAY = date(2026, 11, 22)


class Tally(RegistryAggregate):
    """An aggregate made for these tests only, with one command that breaks the rules of event sourcing on purpose."""

    class Event(RegistryEvent):
        pass

    class Started(Event, AggregateCreated):
        pass

    class Counted(Event):
        def apply(self, tally: Tally) -> None:
            tally.count += 1

    def __init__(self) -> None:
        self.count = 0
        self.note = ""

    @classmethod
    def start(cls, act: Act) -> Tally:
        tally: Tally = cls._create_from(cls.Started, act, id=uuid4())
        return tally

    def count_up(self, act: Act, *, limit: int = 2) -> None:
        if self.count >= limit:
            raise WrongState([Failure("tally-full", "counted enough")])
        self._record(self.Counted, act)

    def count_up_then_refuse(self, act: Act) -> None:
        self._record(self.Counted, act)
        raise NotEligible([Failure("too-late", "refused after recording")])

    def count_up_and_note(self, act: Act) -> None:
        self._record(self.Counted, act)
        self.note = "changed outside any event"


def test_then_names_the_events_a_command_records_and_rebuilds_the_state_from_them() -> None:
    outcome = given(Tally.start(act(DAY)), lambda c: c.count_up(act(DAY))).when(lambda c: c.count_up(act(DAY)))
    [counted] = outcome.then(Tally.Counted)
    assert counted.originator_version == 3 and outcome.subject.count == 2


def test_then_fails_for_other_events_or_a_refusal() -> None:
    with pytest.raises(AssertionError, match=r"recorded Tally\.Counted"):
        given(Tally.start(act(DAY))).when(lambda c: c.count_up(act(DAY))).then(Tally.Counted, Tally.Counted)
    with pytest.raises(AssertionError, match="refused"):
        given(Tally.start(act(DAY))).when(lambda c: c.count_up(act(DAY), limit=0)).then(Tally.Counted)


def test_then_an_error_fails_for_another_error_other_codes_or_a_command_that_succeeded() -> None:
    full = given(Tally.start(act(DAY))).when(lambda c: c.count_up(act(DAY), limit=0))
    assert full.then(WrongState, "tally-full").failures[0].code == "tally-full"
    with pytest.raises(AssertionError):
        full.then(NotEligible)
    with pytest.raises(AssertionError):
        full.then(WrongState, "another-code")
    with pytest.raises(AssertionError):
        given(Tally.start(act(DAY))).when(lambda c: c.count_up(act(DAY))).then(WrongState)


def test_a_refused_command_that_recorded_an_event_fails_the_test() -> None:
    with pytest.raises(AssertionError, match=r"a refused command recorded Tally\.Counted"):
        given(Tally.start(act(DAY))).when(lambda c: c.count_up_then_refuse(act(DAY))).then(NotEligible)


def test_a_command_that_changes_state_outside_its_events_fails_the_test() -> None:
    with pytest.raises(AssertionError, match="do not rebuild"):
        given(Tally.start(act(DAY))).when(lambda c: c.count_up_and_note(act(DAY))).then(Tally.Counted)


def test_a_history_must_start_with_the_creation_of_one_aggregate() -> None:
    tally = Tally.start(act(DAY))
    tally.count_up(act(DAY))
    [_, counted] = tally.collect_events()
    with pytest.raises(AssertionError, match="not one aggregate's history"):
        given(counted)
    with pytest.raises(AssertionError, match="not one aggregate's history"):
        given(*Tally.start(act(DAY)).collect_events(), *Tally.start(act(DAY)).collect_events())
    assert when(lambda: Tally.start(act(DAY))).then(Tally.Started)[0].originator_version == 1
