"""Every aggregate and event class of every context has a stable topic, found by walking registry.* (no hand list).

A stored event names its class by topic. A topic spelled from the module path (the library's default) breaks stored
history when a module is moved or renamed; a declared one (`TOPIC = "marriage:Marriage.Registered"`) does not. The
prefix names a context, not a package, and is not required to match the package a class lives in today: a class that
moves keeps its topic, or the events stored under the old one no longer load.
"""

from __future__ import annotations

from collections import Counter

from eventsourcing.domain import AggregateCreated, CanMutateAggregate
from eventsourcing.utils import get_topic, resolve_topic

from registry.common.events import RegistryAggregate, RegistryEvent
from registry.marriage.marriage import Marriage
from tests.introspection import aggregate_classes, event_classes


def topic_problems(cls: type) -> list[str]:
    """What makes a class's topic unstable: none declared on the class itself, one spelled from its module, one
    the library does not resolve to this class, or an event's topic outside its aggregate's."""
    topic = cls.__dict__.get("TOPIC")
    if not isinstance(topic, str):
        return [f"{cls.__module__}:{cls.__qualname__} declares no TOPIC of its own"]
    problems = []
    context, _, name = topic.partition(":")
    if not context or not name or "." in context or topic == f"{cls.__module__}:{cls.__qualname__}":
        problems.append(f"{topic!r} is not of the form context:Name (a module path breaks when the module moves)")
    if resolve_topic(topic) is not cls or get_topic(cls) != topic:
        problems.append(f"{topic!r} does not resolve to {cls.__qualname__}: it is not registered for it")
    return problems + nesting_problems(cls, topic)


def nesting_problems(cls: type, topic: str) -> list[str]:
    """An aggregate's events are named `<aggregate topic>.<EventName>`: projections read the event's name and its
    aggregate type from the topic (projections/base.py::event_type)."""
    problems = []
    for name, event in vars(cls).items():
        if isinstance(event, type) and issubclass(event, CanMutateAggregate) and name != "Event":
            event_topic = event.__dict__.get("TOPIC", "")
            aggregate_topic, _, event_name = str(event_topic).rpartition(".")
            if aggregate_topic != topic or not event_name:
                problems.append(f"{event.__qualname__}: {event_topic!r} is not {topic!r} + '.' + an event name")
    return problems


def test_the_walk_finds_the_aggregates_and_events_of_every_context() -> None:
    contexts = {cls.__module__.split(".")[1] for cls in aggregate_classes()}
    assert {"marriage", "deaths", "burial", "places", "dv_records", "exchange", "oversight", "common"} <= contexts
    assert len(aggregate_classes()) >= 22 and len(event_classes()) >= 90


def test_every_aggregate_class_of_every_context_has_a_stable_topic() -> None:
    problems = [problem for cls in aggregate_classes() for problem in topic_problems(cls)]
    assert problems == []


def test_every_event_class_of_every_context_has_a_stable_topic() -> None:
    problems = [problem for cls in event_classes() for problem in topic_problems(cls)]
    assert problems == []


def test_no_two_classes_share_a_topic() -> None:
    topics = Counter(cls.__dict__.get("TOPIC") for cls in [*aggregate_classes(), *event_classes()])
    assert [topic for topic, count in topics.items() if count > 1] == []


def test_a_class_without_a_declared_topic_is_caught() -> None:
    class Unstable(RegistryAggregate):
        class Event(RegistryEvent):
            pass

        class Opened(Event, AggregateCreated):
            pass

    class Inherited(Marriage.Registered):
        """Inherits its parent's TOPIC attribute, so it declares none of its own."""

    assert topic_problems(Unstable) == [f"{__name__}:{Unstable.__qualname__} declares no TOPIC of its own"]
    assert topic_problems(Unstable.Opened) and topic_problems(Inherited)
