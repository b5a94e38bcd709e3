"""How place names are written and compared: nothing hidden, NFKC, traditional as simplified, 专名 without 通名."""

from __future__ import annotations

import pytest

from registry.common.errors import InvalidInput
from registry.places.policy import DEFAULT_GENERICS, NamingPolicy
from registry.places.spelling import sound_of, split, written


def test_names_that_sound_the_same_without_tones_have_the_same_sound() -> None:
    assert sound_of("稠州路") == sound_of("仇州路") == "chou zhou lu"


@pytest.mark.parametrize(
    ("name", "code", "where"),
    [
        ("解放\u200b路", "name-invisible-character", "U+200B"),  # zero-width space
        ("解放\u3000路", "name-invisible-character", "U+3000"),  # full-width (ideographic) space
        ("解放路\ufe0f", "name-invisible-character", "U+FE0F"),  # variation selector
        (" 解放路", "name-invisible-character", "U+0020"),  # nothing is trimmed either
        ("解放\u202e路", "name-invisible-character", "U+202E"),  # right-to-left override
        ("解放路\uff01", "name-character-not-allowed", "U+0021"),  # a full-width "!" is "!" after NFKC: refused
        ("解放\u3164路", "name-invisible-character", "U+3164"),  # Hangul filler: a letter that shows nothing
        ("解放\uffa0路", "name-invisible-character", "U+FFA0"),  # half-width Hangul filler
        ("解放\u115f路", "name-invisible-character", "U+115F"),  # Hangul choseong filler
        ("解放\u1160路", "name-invisible-character", "U+1160"),  # Hangul jungseong filler
    ],
)
def test_a_name_hiding_a_character_is_refused_naming_it_rather_than_cleaned(name: str, code: str, where: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        written(name)
    assert [f.code for f in caught.value.failures] == [code] and where in caught.value.detail


def test_a_compatibility_look_alike_is_kept_and_compared_as_the_ordinary_character() -> None:
    spelled = written("解放\uf937")  # U+F937, a CJK compatibility ideograph that looks like 路
    assert (spelled.text, spelled.compared) == ("解放路", "解放路")


def test_traditional_characters_are_compared_as_simplified_ones_by_opencc() -> None:
    assert written("萬達路").compared == "万达路"
    assert written("興華街").compared == "兴华街"


def test_the_specific_part_is_the_name_without_its_longest_generic_part() -> None:
    roads = DEFAULT_GENERICS["road"]
    assert split("解放大道", roads) == ("解放", "大道")
    assert split("解放路", roads) == ("解放", "路")
    assert split("大道", roads) == ("大道", "")  # a generic alone is the whole specific part
    assert split("解放", roads) == ("解放", "")


def test_a_banned_entry_is_found_in_its_traditional_form() -> None:
    policy = NamingPolicy.configured()
    assert policy.banned_in(written("萬達路").compared) == {"万达": "company-or-trademark-name"}
    assert policy.banned_in(written("毛澤東路").compared) == {"毛泽东": "leader-name"}


@pytest.mark.parametrize(
    "settings",
    [
        {"banned": "万达=brand"},  # not a rule
        {"banned": "万达"},  # no rule at all
        {"authorities": "road=the mayor"},  # not an office code
        {"authorities": "castle=330782-government"},  # not a kind
        {"banned": "万\u200b达=company-or-trademark-name"},  # an entry hiding a character
    ],
)
def test_a_malformed_naming_setting_stops_start_up(settings: dict[str, str]) -> None:
    with pytest.raises((ValueError, InvalidInput)):
        NamingPolicy.configured(**settings)  # type: ignore[arg-type]
