"""The registry command as the README documents it."""

import json
import subprocess
import sys
import uuid
from pathlib import Path

import jwt

from api.auth import AUDIENCE
from projections.catalog import migrate_all
from projections.failing import publish_failing
from projections.store import ViewStore
from registry.common.identity import resident_id_check_character
from registry.keys import Purpose
from registry.settings import Settings
from registry.system import open_registry
from tests.conftest import TEST_KEYS
from tests.support import resident_id


def run_registry(tmp_path: Path, *arguments: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**TEST_KEYS, "REGISTRY_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    command = [sys.executable, "-m", "api.cli", *arguments]
    return subprocess.run(command, env=env, capture_output=True, text=True, input=stdin, timeout=60)


def token_key(tmp_path: Path) -> bytes:
    return Settings.from_env({**TEST_KEYS, "REGISTRY_DATA_DIR": str(tmp_path)}).keys[Purpose.TOKEN]


def test_registry_token_mints_a_token_signed_with_the_configured_key(tmp_path: Path) -> None:
    minted = run_registry(tmp_path, "token", "--role", "clerk", "--office", "330782001", "--subject", "c1")
    claims = jwt.decode(
        minted.stdout.strip(), token_key(tmp_path), algorithms=["HS256"], issuer="civil-registry", audience=AUDIENCE
    )
    assert (claims["sub"], claims["role"], claims["office"]) == ("c1", "clerk", "330782001")
    assert claims["exp"] - claims["iat"] == 8 * 3600


def test_registry_token_refuses_a_lifetime_beyond_the_maximum_or_below_an_hour(tmp_path: Path) -> None:
    for hours in ("13", "0", "-5"):
        refused = run_registry(tmp_path, "token", "--role", "auditor", "--subject", "a1", "--hours", hours)
        assert refused.returncode == 2 and "--hours must be between 1 and 12" in refused.stderr


def test_a_citizen_token_reads_the_identity_number_from_standard_input_never_from_argv(tmp_path: Path) -> None:
    number = resident_id(__import__("datetime").date(1990, 5, 5), "female")
    minted = run_registry(tmp_path, "token", "--role", "citizen", stdin=number + "\n")
    claims = jwt.decode(minted.stdout.strip(), token_key(tmp_path), algorithms=["HS256"], audience=AUDIENCE)
    assert number not in claims["sub"] and len(claims["sub"]) == 64
    assert run_registry(tmp_path, "token", "--role", "citizen", "--document-number", number).returncode == 2
    wrong = run_registry(tmp_path, "token", "--role", "citizen", stdin="330782199005050000\n")
    assert wrong.returncode == 2 and "330782199005050000" not in wrong.stderr


def test_unusable_settings_are_a_one_line_usage_error(tmp_path: Path) -> None:
    env = {"REGISTRY_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin", "REGISTRY_MASTER_KEY": "c2hvcnQ="}
    command = [sys.executable, "-m", "api.cli", "token", "--role", "auditor", "--subject", "a1"]
    refused = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert "REGISTRY_MASTER_KEY must be base64 of at least 32 bytes" in refused.stderr


def citizen_token(tmp_path: Path, document_number: str) -> subprocess.CompletedProcess[str]:
    env = {**TEST_KEYS, "REGISTRY_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin", "PYTHONIOENCODING": "utf-8"}
    command = [sys.executable, "-m", "api.cli", "token", "--role", "citizen"]
    return subprocess.run(
        command, env=env, capture_output=True, text=True, encoding="utf-8", input=document_number + "\n", timeout=60
    )


def test_a_citizen_token_for_a_number_in_full_width_digits_names_the_same_person_as_in_ascii(tmp_path: Path) -> None:
    number = "11010519491231002X"
    full_width = number[:17].translate({c: c + 0xFEE0 for c in range(0x30, 0x3A)}) + "\uff38"
    subjects = []
    for typed in (number, full_width):
        minted = citizen_token(tmp_path, typed)
        assert minted.returncode == 0, minted.stderr
        claims = jwt.decode(minted.stdout.strip(), token_key(tmp_path), algorithms=["HS256"], audience=AUDIENCE)
        subjects.append(claims["sub"])
    assert subjects[0] == subjects[1]


def test_a_citizen_token_for_a_number_in_another_scripts_digits_is_refused_without_echoing_it(tmp_path: Path) -> None:
    typed = "11010519491231002X".translate({c: c - 0x30 + 0x0660 for c in range(0x30, 0x3A)})
    refused = citizen_token(tmp_path, typed)
    assert refused.returncode == 2 and refused.stdout == ""
    assert "document-number-not-ascii" in refused.stderr and typed not in refused.stderr


def test_a_citizen_token_for_a_number_with_an_unknown_division_is_refused(tmp_path: Path) -> None:
    body = "33079919900101001"
    refused = citizen_token(tmp_path, body + resident_id_check_character(body))
    assert refused.returncode == 2 and "identity-number-division-unknown" in refused.stderr


def test_registry_dv_rotate_moves_every_key_to_a_new_epoch_and_destroys_the_old(tmp_path: Path) -> None:
    assert run_registry(tmp_path, "db", "migrate").returncode == 0
    rotated = run_registry(tmp_path, "dv", "rotate")
    assert rotated.returncode == 0 and "epoch 2" in rotated.stdout
    listed = run_registry(tmp_path, "dv", "keys").stdout.split("\n")
    assert [line.split()[1:3] for line in listed if line] == [["1", "destroyed"], ["2", "current"]]
    assert sorted(p.name for p in (tmp_path / "dv-keyring").iterdir()) == ["epoch-00000002.key"]


def test_registry_keys_generate_prints_a_fresh_256_bit_secret_that_the_settings_accept(tmp_path: Path) -> None:
    first, second = (run_registry(tmp_path, "keys", "generate") for _ in range(2))
    assert first.returncode == 0 and first.stdout != second.stdout
    secret = first.stdout.strip()
    env = {"REGISTRY_DATABASE_URL": "postgresql://registry@db.invalid/registry", "REGISTRY_DATA_DIR": str(tmp_path)}
    settings = Settings.from_env({**env, "REGISTRY_MASTER_KEY": secret, "REGISTRY_FEDERATION_KEY": secret})
    assert not settings.keys.development and len(settings.keys[Purpose.TOKEN]) == 32


def test_registry_demo_run_twice_loads_its_data_once_and_prints_fresh_tokens(tmp_path: Path) -> None:
    assert run_registry(tmp_path, "db", "migrate").returncode == 0
    first = run_registry(tmp_path, "demo")
    assert first.returncode == 0, first.stderr
    registry = open_registry(Settings.from_env({**TEST_KEYS, "REGISTRY_DATA_DIR": str(tmp_path)}))
    try:
        heads = {name: app.recorder.max_notification_id() for name, app in registry.applications().items()}
    finally:
        registry.close()
    again = run_registry(tmp_path, "demo")
    assert again.returncode == 0 and "already in this store" in again.stdout and "CLERK=" in again.stdout
    registry = open_registry(Settings.from_env({**TEST_KEYS, "REGISTRY_DATA_DIR": str(tmp_path)}))
    try:
        assert {name: app.recorder.max_notification_id() for name, app in registry.applications().items()} == heads
    finally:
        registry.close()


def test_registry_demo_loads_anew_into_a_store_that_lacks_what_an_earlier_run_recorded(tmp_path: Path) -> None:
    assert run_registry(tmp_path, "db", "migrate").returncode == 0
    stale = {"witness": str(uuid.uuid4()), "citizen_ref": "x", "summary": [], "examples": [], "front_desk": []}
    (tmp_path / "demo.json").write_text(json.dumps(stale))
    loaded = run_registry(tmp_path, "demo")
    assert loaded.returncode == 0, loaded.stderr
    assert "Loaded:" in loaded.stdout and "already in this store" not in loaded.stdout


def test_registry_demo_run_from_another_machine_on_the_same_store_adds_nothing(tmp_path: Path) -> None:
    assert run_registry(tmp_path, "db", "migrate").returncode == 0
    assert run_registry(tmp_path, "demo").returncode == 0
    heads = log_heads(tmp_path)
    (tmp_path / "demo.json").unlink()  # the other machine's data directory holds no record of the first run

    again = run_registry(tmp_path, "demo")

    assert again.returncode == 0, again.stderr
    assert "already in this store" in again.stdout and "CITIZEN=" in again.stdout
    assert log_heads(tmp_path) == heads


def log_heads(tmp_path: Path) -> dict[str, int | None]:
    registry = open_registry(Settings.from_env({**TEST_KEYS, "REGISTRY_DATA_DIR": str(tmp_path)}))
    try:
        return {name: app.recorder.max_notification_id() for name, app in registry.applications().items()}
    finally:
        registry.close()


def test_registry_projections_status_names_what_the_read_models_processes_say_fails(tmp_path: Path) -> None:
    settings = Settings.from_env({**TEST_KEYS, "REGISTRY_DATA_DIR": str(tmp_path)})
    migrate_all(settings)
    store = ViewStore(settings)
    try:
        publish_failing(store, {"marital_status/marriage": "OperationalError", "WidowhoodPolicy": "TimeoutError"}, [])
    finally:
        store.close()
    listed = run_registry(tmp_path, "projections", "status")
    assert listed.returncode == 0, listed.stderr
    rows = {line.split()[0]: line.split()[1:] for line in listed.stdout.splitlines()[1:]}
    assert rows["marital_status/marriage"][-1] == "OperationalError"
    assert rows["WidowhoodPolicy"] == ["TimeoutError"]
    assert rows["audit_trail/marriage"] == ["0", "0", "0"]  # at the head of an empty log, failing nothing
