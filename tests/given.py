"""Given/when/then for aggregates: given the events of a history, when one command, then the new events or the
named error (the shape of the Marten specs, on this library's aggregates).

    given(application).when(lambda marriage: marriage.register(...)).then(Marriage.Registered)
    given(application).when(lambda marriage: marriage.register(...)).then(NotEligible, "under-legal-age")
    when(lambda: Death.register(...)).then(Death.Registered, Death.FuneralFeeWaived)

The history is the events a test's own commands recorded (`given(aggregate, *commands)` runs the commands and takes
the aggregate's pending events) or events given one by one. The command runs on an aggregate rebuilt from those
events alone, so a test also proves that the events carry the state; after it, rebuilding from the history and the
new events must give the same aggregate.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar, overload
from uuid import UUID

from eventsourcing.domain import BaseAggregate, CanMutateAggregate

from registry.common.application import mutate_in_turn
from registry.common.errors import DomainError

TAggregate = TypeVar("TAggregate", bound=BaseAggregate[UUID])
TError = TypeVar("TError", bound=DomainError)


def replay(events: Sequence[CanMutateAggregate[UUID]]) -> Any:
    """The aggregate these events make, checked to be one aggregate's whole history from its creation."""
    if not events:
        raise AssertionError("given no events: a history starts with the event that created the aggregate")
    originators = {event.originator_id for event in events}
    versions = [event.originator_version for event in events]
    if len(originators) != 1 or versions != list(range(1, len(events) + 1)):
        raise AssertionError(f"not one aggregate's history from its creation: versions {versions} of {originators}")
    return mutate_in_turn(None, events)


@dataclass
class Outcome(Generic[TAggregate]):
    """What one command did: the events it recorded, or the domain error it raised (and then no event)."""

    history: list[CanMutateAggregate[UUID]]
    aggregate: TAggregate | None
    events: list[Any] = field(default_factory=list)
    error: DomainError | None = None
    returned: Any = None

    @overload
    def then(self, error: type[TError], /, *codes: str) -> TError: ...

    @overload
    def then(self, *events: type[CanMutateAggregate[UUID]]) -> list[Any]: ...

    def then(self, *expected: Any) -> Any:
        """The new events, of these classes in this order; or the named error, with these failure codes in order
        (all its codes when none are given), having recorded nothing."""
        if expected and issubclass(expected[0], DomainError):
            return self._refused(expected[0], [str(code) for code in expected[1:]])
        if self.error is not None:
            refused = f"expected {_names(expected)}, the command was refused: {self.error!r}"
            raise AssertionError(refused) from self.error
        assert [type(event) for event in self.events] == list(expected), f"recorded {_names(self.events, of=True)}"
        self._check_rebuilt_from_events()
        return self.events

    @property
    def subject(self) -> TAggregate:
        """The aggregate after the command (for a state the events do not spell out)."""
        assert self.aggregate is not None, f"no aggregate: the command was refused ({self.error!r})"
        return self.aggregate

    def _refused(self, error_class: type[TError], codes: list[str]) -> TError:
        assert isinstance(self.error, error_class), f"expected {error_class.__name__}, got {self.error!r}"
        assert self.events == [], f"a refused command recorded {_names(self.events, of=True)}"
        if codes:
            assert [failure.code for failure in self.error.failures] == codes, self.error.failures
        return self.error

    def _check_rebuilt_from_events(self) -> None:
        if self.aggregate is None or not self.events:
            return
        rebuilt = replay([*self.history, *self.events])
        assert _state(rebuilt) == _state(self.aggregate), "the events do not rebuild the state the command left"


@dataclass(frozen=True)
class Given(Generic[TAggregate]):
    """A history of one aggregate, rebuilt afresh for each command."""

    history: list[CanMutateAggregate[UUID]]

    @property
    def aggregate(self) -> TAggregate:
        rebuilt: TAggregate = replay(self.history)
        return rebuilt

    def when(self, command: Callable[[TAggregate], object]) -> Outcome[TAggregate]:
        """Run one command on the aggregate the history makes."""
        aggregate = self.aggregate
        outcome: Outcome[TAggregate] = Outcome(list(self.history), aggregate)
        try:
            outcome.returned = command(aggregate)
        except DomainError as error:
            outcome.error = error
        outcome.events = list(aggregate.collect_events())
        return outcome


@overload
def given(created: TAggregate, /, *commands: Callable[[TAggregate], object]) -> Given[TAggregate]: ...


@overload
def given(*history: CanMutateAggregate[UUID]) -> Given[Any]: ...


def given(*history: Any) -> Given[Any]:
    """The history: an aggregate as its creation left it and the commands done on it since (their events), or the
    events themselves."""
    if history and isinstance(history[0], BaseAggregate):
        aggregate, *commands = history
        for command in commands:
            command(aggregate)
        events = list(aggregate.collect_events())
    else:
        events = list(history)
    replay(events)
    return Given(events)


def when(create: Callable[[], TAggregate]) -> Outcome[TAggregate]:
    """A command that creates an aggregate, with no history before it."""
    try:
        aggregate = create()
    except DomainError as error:
        return Outcome([], None, error=error)
    return Outcome([], aggregate, events=list(aggregate.collect_events()), returned=aggregate)


def _state(aggregate: BaseAggregate[UUID]) -> dict[str, Any]:
    return {name: value for name, value in vars(aggregate).items() if name != "_pending_events"}


def _names(items: Sequence[Any], *, of: bool = False) -> str:
    names = [type(item).__qualname__ if of else item.__qualname__ for item in items]
    return ", ".join(names) or "no event"
