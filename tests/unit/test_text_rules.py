"""The text rule of the registry: which characters no text may hold, and the NFC form every text is kept in."""

from __future__ import annotations

from dataclasses import dataclass

import msgspec
import pytest

from api.schemas.deaths import TaskAction
from api.schemas.marriage import MarriageRefusalCommand
from api.schemas.places import PlaceNameStep
from registry.common.errors import InvalidInput
from registry.common.text import (
    MULTI_LINE_ALLOWED,
    REFUSED_RANGES,
    check_event_text,
    check_text,
    refused_character,
    refused_pattern,
)

REFUSED_EVERYWHERE = {
    "NUL": "\x00", "BEL": "\x07", "CR": "\r", "ESC": "\x1b", "DEL": "\x7f", "C1 NEL": "\x85", "C1 CSI": "\x9b",
    "line separator": "\u2028", "paragraph separator": "\u2029",
    "LRE": "\u202a", "RLO": "\u202e", "LRI": "\u2066", "PDI": "\u2069", "RLM": "\u200f", "ALM": "\u061c",
    "zero-width space": "\u200b", "ZWNJ": "\u200c", "ZWJ": "\u200d", "word joiner": "\u2060", "BOM": "\ufeff",
    "noncharacter FDD0": "\ufdd0", "noncharacter FFFE": "\ufffe", "noncharacter FFFF": "\uffff",
    "noncharacter 1FFFE": "\U0001fffe", "noncharacter 10FFFF": "\U0010ffff", "lone surrogate": "\ud800",
}  # fmt: skip
KEPT = {
    "rare CJK": "𠮷", "middle dot": "·", "Uyghur name": "阿依古丽·买买提", "accented": "José", "Korean": "김민준",
    "private use (rare characters before Unicode had them)": "\ue000", "ideographic space": "王\u3000伟",
}  # fmt: skip


@pytest.mark.parametrize("character", REFUSED_EVERYWHERE.values(), ids=REFUSED_EVERYWHERE.keys())
def test_control_and_invisible_characters_are_refused_in_any_text(character: str) -> None:
    assert refused_character(f"a{character}b") is not None
    assert refused_character(f"a{character}b", multi_line=True) is not None


@pytest.mark.parametrize("text", KEPT.values(), ids=KEPT.keys())
def test_names_of_every_script_rare_characters_and_the_middle_dot_are_kept_exactly(text: str) -> None:
    assert check_text(text, field="name") == text


@pytest.mark.parametrize("character", ["\n", "\t"], ids=["LF", "TAB"])
def test_newline_and_tab_are_allowed_only_in_multi_line_text(character: str) -> None:
    assert refused_character(f"a{character}b") is not None
    assert refused_character(f"a{character}b", multi_line=True) is None


def test_the_refused_character_is_named_by_its_code_point() -> None:
    with pytest.raises(InvalidInput) as refused:
        check_text("李\u202e娜", field="party_b.name")
    assert refused.value.failures[0].detail == "party_b.name contains U+202E, a bidirectional control"


def test_text_is_kept_in_nfc() -> None:
    assert check_text("Jose\u0301", field="name") == "Jos\u00e9"
    assert check_text("line\r\nnext", field="note", multi_line=True) == "line\nnext"


def test_a_body_normalises_every_text_and_lets_only_its_multi_line_fields_hold_newlines() -> None:
    step = msgspec.convert({"note": "first\r\nsecond\tthird", "no_link_reasons": {"e\u0301": "ok"}}, PlaceNameStep)
    assert (step.note, step.no_link_reasons) == ("first\nsecond\tthird", {"\u00e9": "ok"})
    assert msgspec.convert({"note": "a\nb"}, TaskAction).note == "a\nb"
    with pytest.raises(msgspec.ValidationError, match=r"`reason` contains U\+000A"):
        msgspec.convert({"reason": "a\nb"}, MarriageRefusalCommand)
    with pytest.raises(msgspec.ValidationError, match=r"`homophone_reason` contains U\+000A"):
        msgspec.convert({"homophone_reason": "a\nb"}, PlaceNameStep)


@dataclass(frozen=True)
class Party:
    name: str


class Recorded:
    """Stands for a domain event: check_event_text reads its attributes."""

    def __init__(self, **fields: object) -> None:
        self.__dict__.update(fields)


def test_no_event_is_stored_with_a_refused_character_anywhere_in_it() -> None:
    check_event_text([Recorded(reason="two\nlines", parties=[Party("𠮷")], notes={"a": "b"})])
    with pytest.raises(InvalidInput, match=r"Recorded\.parties contains U\+0000"):
        check_event_text([Recorded(reason="ok", parties=[Party("a\x00")])])
    with pytest.raises(InvalidInput, match=r"Recorded\.opinions contains U\+200B"):
        check_event_text([Recorded(opinions={"expert\u200b": "fine"})])


def test_exactly_the_code_points_of_the_refused_ranges_are_refused_in_every_mode() -> None:
    """Every code point of Unicode, checked against the table of refused ranges (newline and tab: multi-line only)."""
    every = "".join(map(chr, range(0x110000)))
    table = {point for first, last, _ in REFUSED_RANGES for point in range(first, last + 1)}
    for multi_line in (False, True):
        expected = table - {ord(c) for c in MULTI_LINE_ALLOWED} if multi_line else table
        refused = {match.start() for match in refused_pattern(multi_line).finditer(every)}
        assert refused == expected
    assert refused_character("a\tb\x00", multi_line=True) == "U+0000, a control character"
    assert refused_character("a\tb") == "U+0009, a control character"
    assert refused_character("\U0010ffff") == "U+10FFFF, a noncharacter"
