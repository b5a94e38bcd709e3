"""The PostgreSQL URLs' schema is a plain name: it is written into SQL, among other places in the body of the
functions `registry db migrate` creates, where a name with $ in it could end the body's quoting."""

from __future__ import annotations

from pathlib import Path

import pytest

from registry.keys import SettingsError
from registry.settings import Settings
from tests.conftest import TEST_KEYS

URL = "postgresql://postgres@127.0.0.1:5432/registry"


@pytest.mark.parametrize("setting", ["REGISTRY_DATABASE_URL", "REGISTRY_REPLICA_URL", "REGISTRY_DV_KEYS_URL"])
@pytest.mark.parametrize("schema", ["x$body$y", "a-b", "1st", "a" * 64, "a;drop"])
def test_a_schema_that_is_not_a_plain_name_is_refused_naming_the_setting(
    tmp_path: Path, setting: str, schema: str
) -> None:
    env = {**TEST_KEYS, "REGISTRY_DATA_DIR": str(tmp_path), "REGISTRY_DATABASE_URL": URL}
    with pytest.raises(SettingsError, match=setting):
        Settings.from_env({**env, setting: f"{URL}?schema={schema}"})


def test_a_plain_schema_name_is_accepted(tmp_path: Path) -> None:
    env = {**TEST_KEYS, "REGISTRY_DATA_DIR": str(tmp_path), "REGISTRY_DATABASE_URL": f"{URL}?schema=s_0a1B"}
    assert Settings.from_env(env).postgres_target()[1] == "s_0a1B"
