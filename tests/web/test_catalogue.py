"""The pages' catalogue: one file per language, the same keys in each."""

from pathlib import Path

import pytest

from api.web.i18n import LANGUAGES, MESSAGES, load_catalogue


def test_a_key_missing_from_one_language_is_refused_by_name(tmp_path: Path) -> None:
    for lang in LANGUAGES:
        (tmp_path / f"{lang}.toml").write_text((MESSAGES / f"{lang}.toml").read_text(encoding="utf-8"), "utf-8")
    with (tmp_path / "en.toml").open("a", encoding="utf-8") as english:
        english.write('"site.only_in_english" = "Only in English"\n')
    with pytest.raises(ValueError, match=r"site\.only_in_english"):
        load_catalogue(tmp_path)
