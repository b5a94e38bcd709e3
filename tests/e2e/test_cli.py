"""The registry command as the README documents it."""

import subprocess
import sys
from pathlib import Path

import jwt

from registry.common.identity import resident_id_check_character
from tests.conftest import TEST_KEYS


def test_registry_token_mints_a_token_signed_with_the_configured_key(tmp_path: Path) -> None:
    env = {**TEST_KEYS, "REGISTRY_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    command = [sys.executable, "-m", "api.cli", "token", "--role", "clerk", "--office", "330782001", "--subject", "c1"]
    minted = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout.strip()
    claims = jwt.decode(minted, TEST_KEYS["REGISTRY_JWT_SECRET"], algorithms=["HS256"], issuer="civil-registry")
    assert (claims["sub"], claims["role"], claims["office"]) == ("c1", "clerk", "330782001")


def citizen_token(tmp_path: Path, document_number: str) -> subprocess.CompletedProcess[str]:
    env = {**TEST_KEYS, "REGISTRY_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin", "PYTHONIOENCODING": "utf-8"}
    command = [sys.executable, "-m", "api.cli", "token", "--role", "citizen", "--document-number", document_number]
    return subprocess.run(command, env=env, capture_output=True, text=True, encoding="utf-8")


def test_a_citizen_token_for_a_number_in_full_width_digits_names_the_same_person_as_in_ascii(tmp_path: Path) -> None:
    number = "11010519491231002X"
    full_width = number[:17].translate({c: c + 0xFEE0 for c in range(0x30, 0x3A)}) + "\uff38"
    subjects = []
    for typed in (number, full_width):
        minted = citizen_token(tmp_path, typed)
        assert minted.returncode == 0, minted.stderr
        claims = jwt.decode(minted.stdout.strip(), TEST_KEYS["REGISTRY_JWT_SECRET"], algorithms=["HS256"],
                            issuer="civil-registry")  # fmt: skip
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
