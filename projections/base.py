"""What a read model is: tables it owns, the applications it follows, and how a batch of events changes it."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any, ClassVar

from projections.store import Cursor

REBUILD_SUFFIX = "__rebuild"

# (log position, domain event), in log order.
Batch = Sequence[tuple[int, Any]]


class Projection(ABC):
    """A read model derived from events. Each instance writes to its own tables (suffix for a rebuild)."""

    name: ClassVar[str]
    follows: ClassVar[tuple[str, ...]]
    tables: ClassVar[tuple[str, ...]]
    raw: ClassVar[bool] = False  # True: the batch holds the stored notifications themselves, not decoded events
    # The aggregates (topics, e.g. "marriage:Marriage") whose events apply() uses; None: every event. The events of
    # other aggregates are neither decrypted nor decoded nor given to apply(): the position moves past them.
    reads: ClassVar[tuple[str, ...] | None] = None
    # False where the view must hold every event in log order (a Merkle tree over the log, a chain of facts): an event
    # it cannot apply stops it (failing, named by /ready) rather than being set aside and applied out of order later.
    quarantinable: ClassVar[bool] = True

    def __init__(self, suffix: str = "") -> None:
        self.suffix = suffix

    def table(self, name: str) -> str:
        """The physical name of one of this projection's tables."""
        return name + self.suffix

    def tracking_name(self, application: str) -> str:
        return f"{self.name}/{application}{self.suffix}"

    @abstractmethod
    def schema(self) -> list[str]:
        """CREATE TABLE IF NOT EXISTS statements, using self.table(...) names."""

    def indexes_for_reads(self) -> tuple[str, ...]:
        """Names of indexes in schema() that apply() never uses: a rebuild builds them once, after loading its rows."""
        return ()

    @abstractmethod
    def apply(self, cursor: Cursor, application: str, batch: Batch) -> None:
        """Change the view for a batch of events, in log order, inside the batch's transaction.

        Projections gather their writes and send them together: one round trip per table, not per event.
        """


def of_aggregates(topics: tuple[str, ...] | None, topic: str) -> bool:
    """Whether an event's topic (e.g. "marriage:Marriage.Registered") is of one of the aggregates (None: any)."""
    return topics is None or topic.rpartition(".")[0] in topics


def event_type(event: Any) -> tuple[str, str]:
    """(aggregate type, event name) from an event's stable topic, e.g. ("marriage:Marriage", "Registered")."""
    topic: str = type(event).TOPIC
    aggregate, _, name = topic.rpartition(".")
    return aggregate, name
