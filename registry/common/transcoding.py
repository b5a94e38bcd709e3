"""How value objects inside events are stored: one JSON transcoding per type, registered per application."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

from eventsourcing.persistence import JSONTranscoder, Transcoding


class DateAsISO(Transcoding):
    """Calendar dates as ISO 8601 strings."""

    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class DataclassAsDict(Transcoding):
    """A frozen dataclass as a dict of its fields, under a stable name that outlives module renames."""

    def __init__(self, cls: type[Any], name: str) -> None:
        self.type = cls
        self.name = name
        self._fields = tuple(field.name for field in dataclasses.fields(cls))

    def encode(self, obj: Any) -> dict[str, Any]:
        return {name: getattr(obj, name) for name in self._fields}

    def decode(self, data: dict[str, Any]) -> Any:
        return self.type(**data)


def register_dataclasses(transcoder: JSONTranscoder, named: dict[str, type[Any]]) -> None:
    """Register a DataclassAsDict transcoding for each (stable name, class) pair."""
    for name, cls in named.items():
        transcoder.register(DataclassAsDict(cls, name))
