"""What the marriage context asks other contexts, as small ports bound in registry/system.py."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Protocol


class MarriageOnRecordElsewhere(Protocol):
    """A marriage registered in another jurisdiction, as the exchange reports it."""

    @property
    def jurisdiction(self) -> str: ...

    @property
    def reference(self) -> str: ...

    @property
    def registered_on(self) -> date: ...


class MarriagesElsewhere(Protocol):
    """The exchange: marriages other provinces report, by document key."""

    def current_marriages_of(self, keys: Sequence[str]) -> Mapping[str, Sequence[MarriageOnRecordElsewhere]]:
        """Each person's marriages registered elsewhere and not reported ended; a person with none may be absent."""
        ...

    def shared_marriage(self, key_a: str, key_b: str) -> MarriageOnRecordElsewhere | None:
        """The marriage registered elsewhere between these two people, if one is reported running."""
        ...

    def person_hash(self, document_key: str) -> str:
        """The federation's name for a person, as reports from other provinces name them."""
        ...


class RegisteredDeaths(Protocol):
    """The deaths context: whether a person's death is registered, and when they died."""

    def dates_of_death(self, keys: Sequence[str]) -> Mapping[str, date]:
        """Of several people at once; a person whose death is not registered (in effect) is absent."""
        ...
