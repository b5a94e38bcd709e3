"""The registry decodes stored events with msgspec: for every event class, exactly what the library's decoder gives.

Every event class (found by walking registry.*, no hand list) is filled with generated field values, encoded by the
library's JSON transcoder with every application's transcodings, and decoded by both; the results must be the same
objects, down to their repr (so that NaN, -0.0 and int/float are told apart as well).
"""

from __future__ import annotations

import dataclasses
import typing
from typing import Any

import pytest
from eventsourcing.persistence import JSONTranscoder, TranscodingNotRegisteredError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registry.common.transcoding import DataclassAsDict, MsgspecJSONTranscoder, plain_fields
from registry.system import APPLICATION_CLASSES
from tests.introspection import event_classes

NOT_STATE = {"originator_id", "originator_version", "class_version"}  # the mapper's, never in the stored state
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


def with_every_transcoding(transcoder: JSONTranscoder) -> JSONTranscoder:
    """The transcoder with the transcodings of every application of the registry."""
    for application_class in APPLICATION_CLASSES:
        application_class.register_transcodings(object.__new__(application_class), transcoder)
    return transcoder


LIBRARY = with_every_transcoding(JSONTranscoder())
FAST = with_every_transcoding(MsgspecJSONTranscoder())


def field_values(event_class: type) -> st.SearchStrategy[dict[str, Any]]:
    """Generated values of an event class's stored fields, by their annotated types (Any: any JSON value)."""
    hints = typing.get_type_hints(event_class)
    fields = {
        name: hint
        for name, hint in hints.items()
        if name not in NOT_STATE and not name.isupper() and typing.get_origin(hint) is not typing.ClassVar
    }
    return st.fixed_dictionaries({name: strategy_for(hint) for name, hint in fields.items()})


def strategy_for(hint: Any) -> st.SearchStrategy[Any]:
    if hint is Any or Any in typing.get_args(hint):
        return JSON_VALUES if hint is Any else st.dictionaries(st.text(max_size=8), JSON_VALUES, max_size=4)
    return st.from_type(hint)


@pytest.mark.parametrize("event_class", event_classes(), ids=lambda cls: cls.__dict__.get("TOPIC", cls.__name__))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_every_event_class_decodes_with_msgspec_as_with_the_library(event_class: type, data: st.DataObject) -> None:
    state = data.draw(field_values(event_class))
    stored = LIBRARY.encode(state)
    assert repr(FAST.decode(stored)) == repr(LIBRARY.decode(stored))


@given(value=JSON_VALUES)
def test_any_json_value_decodes_with_msgspec_as_with_the_library(value: Any) -> None:
    stored = LIBRARY.encode({"value": value, "nested": [value, {"_type_": "not a transcoding", "x": value}]})
    assert repr(FAST.decode(stored)) == repr(LIBRARY.decode(stored))


@pytest.mark.parametrize("stored", [b'{"a":NaN,"b":-Infinity}', b'{"a":"\\ud800"}', b'{"a":1e400}'])
def test_text_msgspec_refuses_and_json_accepts_decodes_as_with_the_library(stored: bytes) -> None:
    assert repr(FAST.decode(stored)) == repr(LIBRARY.decode(stored))


def test_an_unknown_transcoding_name_raises_the_library_error() -> None:
    with pytest.raises(TranscodingNotRegisteredError):
        FAST.decode(b'{"a":{"_type_":"no such type","_data_":1}}')


def test_stored_text_that_is_not_json_raises_as_with_the_library() -> None:
    for stored in (b'{"a":', b"\xff\xfe"):
        with pytest.raises(ValueError):
            LIBRARY.decode(stored)
        with pytest.raises(ValueError):
            FAST.decode(stored)


VALUE_TYPES = {name: cls for app in APPLICATION_CLASSES for name, cls in app.value_types.items()}


@pytest.mark.parametrize("name", sorted(VALUE_TYPES))
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_every_value_type_decodes_to_what_its_init_builds(name: str, data: st.DataObject) -> None:
    cls = VALUE_TYPES[name]
    stored = DataclassAsDict(cls, name).encode(data.draw(st.from_type(cls)))
    decoded, built = DataclassAsDict(cls, name).decode(dict(stored)), cls(**stored)
    assert (type(decoded), repr(decoded), vars(decoded)) == (type(built), repr(built), vars(built))
    assert decoded == built


@dataclasses.dataclass(frozen=True)
class Grown:
    kept: str
    added_later: str = "its default"


def test_a_value_stored_before_a_field_was_added_gets_the_field_default() -> None:
    assert DataclassAsDict(Grown, "grown").decode({"kept": "x"}) == Grown("x", "its default")


@dataclasses.dataclass(frozen=True)
class Checked:
    value: int

    def __post_init__(self) -> None:
        if self.value < 0:
            raise ValueError("negative")


@dataclasses.dataclass(frozen=True)
class CheckedByItsBase(Checked):
    other: int = 0


@dataclasses.dataclass(frozen=True, slots=True)
class Slotted:
    value: int


@dataclasses.dataclass(frozen=True)
class Derived:
    value: int
    doubled: int = dataclasses.field(init=False, default=0)


@dataclasses.dataclass(frozen=True)
class WithInitVar:
    value: int
    scale: dataclasses.InitVar[int] = 1


@dataclasses.dataclass(frozen=True, init=False)
class Normalised:
    value: str

    def __init__(self, value: str) -> None:
        object.__setattr__(self, "value", value.strip())


@dataclasses.dataclass(frozen=True)
class Interned:
    value: int

    def __new__(cls, *args: Any, **kwargs: Any) -> Interned:
        made = super().__new__(cls)
        object.__setattr__(made, "interned", True)
        return made


class Counting(type):
    made = 0

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        Counting.made += 1
        return super().__call__(*args, **kwargs)


@dataclasses.dataclass(frozen=True)
class Counted(metaclass=Counting):
    value: int


@pytest.mark.parametrize(
    "cls", [Checked, CheckedByItsBase, Slotted, Derived, WithInitVar, Normalised, Interned, Counted]
)
def test_a_value_type_whose_init_does_more_than_set_its_fields_is_decoded_through_it(cls: type) -> None:
    assert plain_fields(cls) is None
    stored = {field.name: " 1 " if cls is Normalised else 1 for field in dataclasses.fields(cls) if field.init}
    assert repr(DataclassAsDict(cls, "value").decode(dict(stored))) == repr(cls(**stored))


def test_a_value_type_that_checks_itself_is_decoded_through_its_init() -> None:
    with pytest.raises(ValueError, match="negative"):
        DataclassAsDict(Checked, "checked").decode({"value": -1})
