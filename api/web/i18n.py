"""The pages' words: Simplified Chinese first, English on request (a cookie).

The catalogue is one TOML file per language in api/web/messages/ (the same keys in each); this module reads them
once and looks words up.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"
HTML_LANG = {"zh": "zh-CN", "en": "en"}
MESSAGES = Path(__file__).with_name("messages")


def load_catalogue(directory: Path = MESSAGES) -> dict[str, tuple[str, str]]:
    """Every key with its (zh-CN, en) text; ValueError naming the keys one language has and the other lacks."""
    zh, en = (tomllib.loads((directory / f"{lang}.toml").read_text(encoding="utf-8")) for lang in LANGUAGES)
    unpaired = sorted(zh.keys() ^ en.keys())
    if unpaired:
        raise ValueError(f"keys in one language's catalogue only: {', '.join(unpaired)}")
    return {key: (text, en[key]) for key, text in zh.items()}


TEXT = load_catalogue()


def translate(key: str, lang: str, **values: object) -> str:
    """The text of a key in a language; a missing key shows itself (a test keeps the catalogue complete)."""
    pair = TEXT.get(key)
    text = key if pair is None else pair[0] if lang == "zh" else pair[1]
    return text.format(**values) if values else text


def translator(lang: str) -> Callable[..., str]:
    def gettext(key: str, **values: object) -> str:
        return translate(key, lang, **values)

    return gettext


def label(prefix: str, value: str | None, lang: str) -> str:
    """A value's label (a state, a kind, a role), or the value itself when the catalogue has none."""
    if value is None:
        return ""
    return translate(f"{prefix}.{value}", lang) if f"{prefix}.{value}" in TEXT else value
