"""How a place name is written and compared.

A name is refused if it holds a character a reader cannot see or tell apart (control, format, zero-width, space,
combining, private-use, unassigned, the Hangul fillers) or anything but letters and digits: nothing is silently
removed. It is kept in its NFKC form (a compatibility look-alike such as U+F937 becomes the ordinary 路) and
compared in simplified characters (OpenCC's t2s conversion, so 萬達 meets 万达). Comparisons of duplicates and
homophones are on the specific part (专名): the name without its generic part (通名), the longest configured suffix
of its kind.
"""

from __future__ import annotations

import threading
import unicodedata
from dataclasses import dataclass

import opencc
from pypinyin import Style, lazy_pinyin

from registry.common.errors import Failure, InvalidInput

# Categories a reader cannot see or tell apart: controls, format characters (zero-width space, joiners, direction
# marks, BOM), separators (every space, U+3000 included), combining marks (variation selectors), surrogates,
# private use and unassigned code points.
INVISIBLE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp", "Mn", "Mc", "Me"})
# Letters that show nothing: the Hangul fillers, the only default-ignorable code points Unicode classes as letters
# (DerivedCoreProperties.txt, Default_Ignorable_Code_Point). Every other default-ignorable one is in a category above.
INVISIBLE_LETTERS = frozenset({"\u115f", "\u1160", "\u3164", "\uffa0"})

_converter = opencc.OpenCC("t2s.json")
_converter_lock = threading.Lock()  # one converter for the process; its thread safety is not documented


@dataclass(frozen=True)
class WrittenName:
    """A name as kept (NFKC) and as compared (simplified characters, case-folded)."""

    text: str
    compared: str


def simplified(text: str) -> str:
    """Traditional characters converted to simplified ones (OpenCC t2s)."""
    with _converter_lock:
        converted: str = _converter.convert(text)
    return converted


def is_invisible(char: str) -> bool:
    """A character a reader cannot see or tell apart from nothing."""
    return unicodedata.category(char) in INVISIBLE or char in INVISIBLE_LETTERS


def code_point(char: str) -> str:
    return f"U+{ord(char):04X}"


def written(text: str) -> WrittenName:
    """The name as kept and as compared; InvalidInput naming every character that is refused, and where."""
    failures: list[Failure] = []
    for position, char in enumerate(text, start=1):
        if is_invisible(char):
            failures.append(
                Failure(
                    "name-invisible-character",
                    f"character {position} is {code_point(char)} ({unicodedata.name(char, 'unnamed')}), "
                    "which cannot be seen in a name: remove it",
                )
            )
    normalised = unicodedata.normalize("NFKC", text)
    if not failures:
        for position, char in enumerate(normalised, start=1):
            if unicodedata.category(char)[0] not in "LN":
                failures.append(
                    Failure(
                        "name-character-not-allowed",
                        f"character {position} is {code_point(char)} {char!r}: a name has letters and digits only",
                    )
                )
    if not normalised and not failures:
        failures.append(Failure("name-empty", "the name has no characters"))
    if failures:
        raise InvalidInput(failures)
    return WrittenName(normalised, simplified(normalised).casefold())


def comparable(recorded: str) -> str:
    """A name recorded before names were checked, in the form names are compared in. Characters that cannot be seen
    are left out of the comparison only: the record keeps what was written."""
    normalised = unicodedata.normalize("NFKC", recorded)
    return simplified("".join(c for c in normalised if not is_invisible(c))).casefold()


def split(compared: str, generics: tuple[str, ...]) -> tuple[str, str]:
    """(specific, generic): the longest generic suffix that leaves a specific part; none found, the whole name."""
    for generic in sorted(generics, key=len, reverse=True):
        if compared.endswith(generic) and len(compared) > len(generic):
            return compared[: -len(generic)], generic
    return compared, ""


def sound_of(text: str) -> str:
    """Toneless pinyin: two names that sound the same have the same sound."""
    return " ".join(lazy_pinyin(text, style=Style.NORMAL, errors="default")).lower()
