"""Malformed input to the registry command is a usage error (exit code 2, one `Error:` line), never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import TEST_KEYS


def registry_command(
    tmp_path: Path, *arguments: str, env: dict[str, str] | None = None, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    full_env = {**TEST_KEYS, "REGISTRY_DATA_DIR": str(tmp_path / "var"), "PATH": "/usr/bin:/bin", **(env or {})}
    command = [sys.executable, "-m", "api.cli", *arguments]
    return subprocess.run(command, env=full_env, capture_output=True, text=True, input=stdin, timeout=120)


def assert_usage_error(result: subprocess.CompletedProcess[str], says: str) -> None:
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 2, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and says in errors[0], result.stderr


@pytest.mark.parametrize(
    ("arguments", "env", "says"),
    [
        (["serve"], {"REGISTRY_PORT": "abc"}, "REGISTRY_PORT must be a whole number"),
        (["serve", "--port", "99999"], {}, "--port"),
        (["token", "--role", "auditor", "--subject", "a1"], {"REGISTRY_TOKEN_MAX_HOURS": "x"}, "REGISTRY_TOKEN_MAX"),
        (["projections", "status"], {"REGISTRY_CHECKPOINT_SECONDS": "soon"}, "REGISTRY_CHECKPOINT_SECONDS"),
        (["projections", "status"], {"REGISTRY_DV_RECORDS_FROM": "2020-13-01"}, "REGISTRY_DV_RECORDS_FROM"),
        (["projections", "status"], {"REGISTRY_PUBLIC_HOLIDAYS": "garbage"}, "REGISTRY_PUBLIC_HOLIDAYS"),
        (["projections", "status"], {"REGISTRY_DB_CONNECTIONS": "-1"}, "REGISTRY_DB_CONNECTIONS"),
        (["exchange", "follow", "--once"], {"REGISTRY_EXCHANGE_PEERS": "not json"}, "REGISTRY_EXCHANGE_PEERS"),
        (["exchange", "follow", "--once"], {"REGISTRY_EXCHANGE_PEERS": '[{"jurisdiction": "32"}]'}, "PEERS"),
        (["exchange", "follow", "--once", "--every", "-1"], {}, "--every"),
        (["token", "--role", "auditor", "--subject", "a1", "--hours", "-5"], {}, "--hours must be between"),
        (["token", "--role", "clerk", "--subject", "c1", "--office", "nowhere"], {}, "unknown office 'nowhere'"),
        (["token", "--role", "clerk", "--subject", "c1", "--office", "999999001"], {}, "unknown office"),
        (["token", "--role", "court", "--subject", "j1", "--office", "Court 1"], {}, "unknown office"),
        (["projections", "rebuild", "nosuch"], {}, "known: audit_trail, marital_status"),
        (["audit", "export", "nosuch", "out"], {}, "applications: marriage"),
    ],
)
def test_malformed_input_to_a_command_is_a_usage_error(
    tmp_path: Path, arguments: list[str], env: dict[str, str], says: str
) -> None:
    assert_usage_error(registry_command(tmp_path, *arguments, env=env), says)


def test_a_malformed_document_number_is_a_usage_error(tmp_path: Path) -> None:
    assert_usage_error(registry_command(tmp_path, "token", "--role", "citizen", stdin="12345\n"), "not a valid")


@pytest.fixture
def export(tmp_path: Path) -> Path:
    """An export of the (empty) marriage log: log.jsonl, checkpoint.json and public-key.txt."""
    assert registry_command(tmp_path, "db", "migrate").returncode == 0
    exported = registry_command(tmp_path, "audit", "export", "marriage", str(tmp_path / "export"))
    assert exported.returncode == 0, exported.stderr
    return tmp_path / "export"


def verify(tmp_path: Path, key: Path, checkpoint: Path, log: Path) -> subprocess.CompletedProcess[str]:
    return registry_command(
        tmp_path, "audit", "verify", "--public-key", str(key), "--checkpoint", str(checkpoint), "--log", str(log)
    )


def test_audit_verify_names_a_file_that_is_not_what_it_should_be(tmp_path: Path, export: Path) -> None:
    key, checkpoint, log = export / "public-key.txt", export / "checkpoint.json", export / "log.jsonl"
    garbage = tmp_path / "garbage.txt"
    garbage.write_text("not a key\n")
    assert verify(tmp_path, key, checkpoint, log).returncode == 0
    assert_usage_error(verify(tmp_path, garbage, checkpoint, log), "--public-key")
    assert_usage_error(verify(tmp_path, checkpoint, checkpoint, log), "--public-key")
    assert_usage_error(verify(tmp_path, key, log, log), "--checkpoint")  # a log passed as a checkpoint
    assert_usage_error(verify(tmp_path, key, garbage, log), "--checkpoint")
    assert_usage_error(verify(tmp_path, key, checkpoint, checkpoint), "line 1 is not an exported event")
