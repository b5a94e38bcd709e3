"""Secrets: one key per purpose, at least 256 bits, never a development key outside the embedded default."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from registry.keys import SIGNING_PURPOSES, Purpose, SettingsError, new_development_master
from registry.settings import Settings

MASTER = base64.b64encode(b"m" * 32).decode()
POSTGRES = "postgresql://postgres@127.0.0.1:5432/registry"


def settings(tmp_path: Path, **env: str) -> Settings:
    return Settings.from_env({"REGISTRY_DATA_DIR": str(tmp_path), **env})


def test_every_purpose_gets_its_own_key_derived_from_the_master(tmp_path: Path) -> None:
    keys = settings(tmp_path, REGISTRY_MASTER_KEY=MASTER).keys
    derived = [keys[purpose] for purpose in Purpose]
    assert len(set(derived)) == len(derived) and all(len(key) == 32 for key in derived)
    publics = {keys.signer(p).public_key().public_bytes_raw() for p in SIGNING_PURPOSES}
    assert len(publics) == 3


def test_a_purpose_key_given_on_its_own_replaces_only_that_purpose(tmp_path: Path) -> None:
    own = base64.b64encode(b"t" * 40).decode()
    keys = settings(tmp_path, REGISTRY_MASTER_KEY=MASTER, REGISTRY_JWT_SECRET=own).keys
    plain = settings(tmp_path, REGISTRY_MASTER_KEY=MASTER).keys
    assert keys[Purpose.TOKEN] == b"t" * 40
    assert all(keys[p] == plain[p] for p in Purpose if p != Purpose.TOKEN)


def test_outside_the_embedded_default_a_missing_master_key_refuses_to_start(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="REGISTRY_MASTER_KEY is required"):
        settings(tmp_path, REGISTRY_DATABASE_URL=POSTGRES)


def test_outside_the_embedded_default_a_development_master_key_refuses_to_start(tmp_path: Path) -> None:
    development = base64.b64encode(new_development_master()).decode()
    with pytest.raises(SettingsError, match="development key"):
        settings(tmp_path, REGISTRY_DATABASE_URL=POSTGRES, REGISTRY_MASTER_KEY=development)


@pytest.mark.parametrize("name", ["REGISTRY_MASTER_KEY", "REGISTRY_JWT_SECRET", "REGISTRY_FEDERATION_KEY"])
def test_a_secret_shorter_than_256_bits_is_refused_naming_the_setting(tmp_path: Path, name: str) -> None:
    short = base64.b64encode(b"s" * 31).decode()
    with pytest.raises(SettingsError, match=f"{name} must be base64 of at least 32 bytes"):
        settings(tmp_path, **{"REGISTRY_MASTER_KEY": MASTER, name: short})


def test_a_secret_that_is_not_base64_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="REGISTRY_MASTER_KEY must be base64"):
        settings(tmp_path, REGISTRY_MASTER_KEY="not base64 at all!")


def test_the_event_cipher_key_must_be_exactly_32_bytes(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="exactly 32 bytes"):
        settings(tmp_path, REGISTRY_MASTER_KEY=MASTER, REGISTRY_EVENT_CIPHER_KEY=base64.b64encode(b"c" * 48).decode())


def test_the_embedded_default_keeps_one_development_master_under_its_data_dir(tmp_path: Path) -> None:
    first, second = settings(tmp_path).keys, settings(tmp_path).keys
    assert first.development and first[Purpose.TOKEN] == second[Purpose.TOKEN]
    assert (tmp_path / "dev-master.key").stat().st_mode & 0o777 == 0o600
