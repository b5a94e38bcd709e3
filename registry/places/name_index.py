"""The name indexes: who holds which name in a scope, saved in the same transaction as the names they guard."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import AggregateCreated

from registry.common.actors import Act
from registry.common.errors import Failure, NotEligible
from registry.common.events import RegistryAggregate, RegistryEvent
from registry.common.ids import natural_id


class SpecificNameIndex(RegistryAggregate):
    """Every name of one kind in one scope whose specific part (专名) sounds the same (toneless pinyin).

    The same specific part is a duplicate, refused naming the holder; a different one that sounds the same is a
    homophone, which the authority may approve with its recorded reason. Racing proposals meet here: the second
    one's save conflicts, and it is re-decided on what the first one left.
    """

    TOPIC = "places:SpecificNameIndex"

    class Event(RegistryEvent):
        pass

    class Opened(Event, AggregateCreated):
        TOPIC = "places:SpecificNameIndex.Opened"
        key: str

    class Held(Event):
        TOPIC = "places:SpecificNameIndex.Held"
        place_id: UUID
        name: str
        specific: str

        def apply(self, index: SpecificNameIndex) -> None:
            index.holders[self.place_id] = (self.name, self.specific)

    class Released(Event):
        TOPIC = "places:SpecificNameIndex.Released"
        place_id: UUID

        def apply(self, index: SpecificNameIndex) -> None:
            index.holders.pop(self.place_id, None)

    def __init__(self, key: str) -> None:
        self.key = key
        self.holders: dict[UUID, tuple[str, str]] = {}

    @staticmethod
    def id_for(key: str) -> UUID:
        return natural_id("place-specific-name", key)

    @classmethod
    def open(cls, act: Act, key: str) -> SpecificNameIndex:
        index: SpecificNameIndex = cls._create_from(cls.Opened, act, id=cls.id_for(key), key=key)
        return index

    def others(self, place_id: UUID) -> dict[UUID, tuple[str, str]]:
        return {holder: held for holder, held in self.holders.items() if holder != place_id}

    def duplicates(self, place_id: UUID, specific: str) -> list[Failure]:
        return [
            Failure("name-duplicate", f"{name!r} ({holder}) has the same specific part {specific!r} in this scope")
            for holder, (name, held) in self.others(place_id).items()
            if held == specific
        ]

    def homophones(self, place_id: UUID, specific: str) -> list[str]:
        """The names in this scope and kind whose specific part sounds like this one but is written otherwise."""
        return sorted(name for name, held in self.others(place_id).values() if held != specific)

    def hold(self, act: Act, place_id: UUID, name: str, specific: str, *, recorded_earlier: bool = False) -> None:
        """Hold a name; a duplicate is refused, unless both were recorded before this index (kept as they are)."""
        failures = self.duplicates(place_id, specific)
        if failures and not recorded_earlier:
            raise NotEligible(failures)
        if self.holders.get(place_id) != (name, specific):
            self._record(self.Held, act, place_id=place_id, name=name, specific=specific)

    def release(self, act: Act, place_id: UUID) -> None:
        if place_id in self.holders:
            self._record(self.Released, act, place_id=place_id)


class NameIndex(RegistryAggregate):
    """The index of version 1 (one whole name per scope and sound): kept so that its events stay readable.

    Names it held entered the SpecificNameIndex when the registry migrated (PlaceNames.index_earlier_names).
    """

    TOPIC = "places:NameIndex"

    class Event(RegistryEvent):
        pass

    class Opened(Event, AggregateCreated):
        TOPIC = "places:NameIndex.Opened"
        scope: str
        sound: str

    class Held(Event):
        TOPIC = "places:NameIndex.Held"
        place_id: UUID
        name: str

        def apply(self, index: NameIndex) -> None:
            index.holder, index.holder_name = self.place_id, self.name

    class Released(Event):
        TOPIC = "places:NameIndex.Released"

        def apply(self, index: NameIndex) -> None:
            index.holder, index.holder_name = None, None

    def __init__(self, scope: str, sound: str) -> None:
        self.scope = scope
        self.sound = sound
        self.holder: UUID | None = None
        self.holder_name: str | None = None

    @staticmethod
    def id_for(scope: str, sound: str) -> UUID:
        return natural_id("place-name", scope, sound)
