"""A test run never passes quietly with the PostgreSQL tests skipped: one line says how many and why; CI fails."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TARGET = "tests/integration/test_working_day_deadlines.py"  # each test on SQLite and on PostgreSQL
UNREACHABLE = "postgresql://postgres@127.0.0.1:1/postgres"


def run_tests(*, ci: bool) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != "CI"}
    env["REGISTRY_TEST_DATABASE_URL"] = UNREACHABLE
    if ci:
        env["CI"] = "true"
    return subprocess.run(
        [sys.executable, "-m", "pytest", TARGET, "-p", "no:cacheprovider", "-o", "console_output_style=classic"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_outside_ci_the_skipped_postgres_tests_are_one_summary_line() -> None:
    result = run_tests(ci=False)
    assert result.returncode == 0, result.stdout[-2000:]
    summary = [line for line in result.stdout.splitlines() if " skipped: PostgreSQL" in line]
    assert len(summary) == 1, result.stdout[-2000:]
    skipped = re.search(r"(\d+) skipped", result.stdout.splitlines()[-1])
    assert skipped is not None and int(skipped.group(1)) > 1
    assert summary[0].startswith(f"{skipped.group(1)} tests skipped: PostgreSQL at {UNREACHABLE} is unreachable")
    assert "SKIPPED [" not in result.stdout  # not one line per skipped test


def test_in_ci_skipping_the_postgres_tests_fails_the_run() -> None:
    result = run_tests(ci=True)
    assert result.returncode != 0
    assert "CI=true: PostgreSQL tests must run" in result.stdout
