"""How value objects inside events are stored: one JSON transcoding per type, registered per application."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

import msgspec
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
    """A frozen dataclass as a dict of its fields, under a stable name that outlives module renames.

    A plain dataclass (`plain_fields`) whose stored dict holds exactly its fields is rebuilt without calling
    `__init__`: all that would do is set each field, one `object.__setattr__` at a time, and it was a fifth of decoding
    an event. Any other dict (a field added since it was stored, say) goes through `__init__`, which gives defaults and
    errors. (The rebuilt object keeps its fields in a dict rather than inline: about 200 bytes more each.)
    """

    def __init__(self, cls: type[Any], name: str) -> None:
        self.type = cls
        self.name = name
        self._fields = tuple(field.name for field in dataclasses.fields(cls))
        self._plain_fields = plain_fields(cls)

    def encode(self, obj: Any) -> dict[str, Any]:
        return {name: getattr(obj, name) for name in self._fields}

    def decode(self, data: dict[str, Any]) -> Any:
        if type(data) is dict and data.keys() == self._plain_fields:
            obj: Any = object.__new__(self.type)
            obj.__dict__.update(data)
            return obj
        return self.type(**data)


def plain_fields(cls: type[Any]) -> frozenset[str] | None:
    """The fields of a dataclass whose `__init__` only sets them: the one `dataclass` wrote (its code has no file),
    every field an argument of it (no InitVar, no `init=False`), no `__post_init__`, no slots, and no `__new__` or
    metaclass call of its own. None for any other class."""
    init_code = getattr(cls.__init__, "__code__", None)
    fields = dataclasses.fields(cls)
    plain = (
        init_code is not None
        and init_code.co_filename == "<string>"
        and len(fields) == len(cls.__dataclass_fields__)
        and all(field.init for field in fields)
        and not hasattr(cls, "__post_init__")
        and not hasattr(cls, "__slots__")
        and cls.__new__ is object.__new__  # type: ignore[comparison-overlap]
        and type(cls).__call__ is type.__call__
    )
    return frozenset(field.name for field in fields) if plain else None


def register_dataclasses(transcoder: JSONTranscoder, named: dict[str, type[Any]]) -> None:
    """Register a DataclassAsDict transcoding for each (stable name, class) pair."""
    for name, cls in named.items():
        transcoder.register(DataclassAsDict(cls, name))


class MsgspecJSONTranscoder(JSONTranscoder):
    """The library's JSON transcoder, parsing with msgspec: the same objects, decoded in about 3/4 of the time.

    The stored text is parsed into plain values first, then each `{"_type_": ..., "_data_": ...}` object is turned
    into its value inner first, as the library's object hook does. Text msgspec refuses and json accepts (NaN,
    Infinity, lone surrogates) and every error are left to the library's decoder, which gives its own answer.
    Encoding is the library's: what is stored does not change.
    """

    _parse = msgspec.json.Decoder()

    def decode(self, data: bytes) -> Any:
        try:
            return self._revive(self._parse.decode(data))
        except Exception:  # the library's decoder decides, and raises its own error
            return super().decode(data)

    def _revive(self, value: Any) -> Any:
        """Transcoded objects in `value` as their values, inner ones first (plain dicts and lists changed in place)."""
        if type(value) is dict:
            if len(value) == 2 and "_type_" in value and "_data_" in value:
                data = value["_data_"]
                if type(data) is dict or type(data) is list:
                    data = self._revive(data)
                return self.names[value["_type_"]].decode(data)
            for key, item in value.items():
                if type(item) is dict or type(item) is list:
                    value[key] = self._revive(item)
            return value
        for index, item in enumerate(value):
            if type(item) is dict or type(item) is list:
                value[index] = self._revive(item)
        return value
