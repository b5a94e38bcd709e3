"""The registry command as the README documents it."""

import subprocess
import sys
from pathlib import Path

import jwt

from api.auth import AUDIENCE
from registry.keys import Purpose
from registry.settings import Settings
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
