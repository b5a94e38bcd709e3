"""Text the registry accepts: no control or invisible characters, normalised to NFC.

A name or reason is printed on certificates, searched, compared and stored in events for ever. A character that
cannot be seen (a zero-width space, a bidi override that reverses what is shown) makes two different names look
alike or one name look like another; a control character (NUL above all, which PostgreSQL cannot store in text)
breaks the stores and exports that read the events later. So every text refuses them, and is kept in NFC, the
composed form, so that "é" typed as e + combining accent is the same name as "é" typed at once. Rare CJK characters
(𠮷 U+20BB7) and the middle dot of transliterated names (· U+00B7) are ordinary characters and are kept exactly.

Most text is one line (names, reasons, numbers); a text the API declares multi-line (a note) also allows newline
and tab, and has CRLF read as a newline.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from typing import Any

from registry.common.errors import Failure, InvalidInput

MULTI_LINE_ALLOWED = frozenset("\n\t")

# Inclusive ranges of code points no text may hold, with what they are.
REFUSED_RANGES: tuple[tuple[int, int, str], ...] = (
    (0x0000, 0x001F, "a control character"),  # C0, NUL included; newline and tab only in multi-line text
    (0x007F, 0x009F, "a control character"),  # DEL and C1
    (0x061C, 0x061C, "a bidirectional control"),  # Arabic letter mark
    (0x200B, 0x200D, "a zero-width character"),  # zero-width space, non-joiner, joiner
    (0x200E, 0x200F, "a bidirectional control"),  # left-to-right and right-to-left marks
    (0x2028, 0x2029, "a line or paragraph separator"),
    (0x202A, 0x202E, "a bidirectional control"),  # embeddings and overrides
    (0x2060, 0x2064, "a zero-width character"),  # word joiner and invisible operators
    (0x2066, 0x2069, "a bidirectional control"),  # isolates
    (0xD800, 0xDFFF, "a surrogate"),  # only ever half of a UTF-16 pair, never a character
    (0xFDD0, 0xFDEF, "a noncharacter"),
    (0xFEFF, 0xFEFF, "a byte order mark"),
    *((plane + 0xFFFE, plane + 0xFFFF, "a noncharacter") for plane in range(0, 0x110000, 0x10000)),
)


def refused_pattern(multi_line: bool) -> re.Pattern[str]:
    """One character class of every refused range (newline and tab left out for multi-line text)."""
    return _PATTERNS[multi_line]


def _character_class(allowed: frozenset[str]) -> re.Pattern[str]:
    refused = {point for first, last, _ in REFUSED_RANGES for point in range(first, last + 1)}
    refused -= {ord(character) for character in allowed}
    return re.compile(f"[{''.join(re.escape(chr(point)) for point in sorted(refused))}]")


_PATTERNS = {False: _character_class(frozenset()), True: _character_class(MULTI_LINE_ALLOWED)}


def refused_character(text: str, *, multi_line: bool = False) -> str | None:
    """What is wrong with the first refused character of a text ("U+0000, a control character"), or None."""
    found = _PATTERNS[multi_line].search(text)
    if found is None:
        return None
    point = ord(found.group())
    what = next(what for first, last, what in REFUSED_RANGES if first <= point <= last)
    return f"U+{point:04X}, {what}"


def normalised(text: str, *, multi_line: bool = False) -> str:
    """The text in NFC (a multi-line text with CRLF read as a newline); the text's check comes after this."""
    if multi_line:
        text = text.replace("\r\n", "\n")
    return unicodedata.normalize("NFC", text)


def check_text(text: str, *, field: str, multi_line: bool = False) -> str:
    """The text normalised, or InvalidInput naming the field and the refused character."""
    text = normalised(text, multi_line=multi_line)
    problem = refused_character(text, multi_line=multi_line)
    if problem is not None:
        raise InvalidInput([Failure("text-character-refused", f"{field} contains {problem}")])
    return text


def check_event_text(events: Any) -> None:
    """No event is stored with a refused character in any text it holds (InvalidInput naming the event's field).

    The last guard before the store, for every way in (the API, the console, the CLI, facts from other provinces):
    the multi-line rule, the most lenient any text has.
    """
    for event in events:
        for name, value in vars(event).items():
            for text in texts_in(value):
                problem = refused_character(text, multi_line=True)
                if problem is not None:
                    where = f"{type(event).__qualname__}.{name}"
                    raise InvalidInput([Failure("text-character-refused", f"{where} contains {problem}")])


def texts_in(value: Any) -> list[str]:
    """Every text inside a value: itself, the keys and values of a mapping, the items of a collection, the fields
    of a dataclass."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for key, item in value.items() for text in texts_in(key) + texts_in(item)]
    if isinstance(value, list | tuple | set | frozenset):
        return [text for item in value for text in texts_in(item)]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [text for field in dataclasses.fields(value) for text in texts_in(getattr(value, field.name))]
    return []
