"""Controllers decode, authorise, call one function and encode: the SQL lives in the read models' queries.py, and
what controllers share lives outside api/controllers."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

CONTROLLERS = Path(__file__).resolve().parents[2] / "api" / "controllers"
# SQL as this codebase writes it: keywords in capitals (prose such as "select a page" is not SQL).
SQL = re.compile(r"\bSELECT\b.*\bFROM\b|\bINSERT\s+INTO\b|\bUPDATE\s+\w+\s+SET\b|\bDELETE\s+FROM\b", re.DOTALL)
# Helpers that take SQL or SQL fragments (a table, columns, WHERE conditions) are SQL by another name.
SQL_HELPERS = {"keyset_page", "query", "transaction"}


def controller_modules() -> list[Path]:
    return sorted(path for path in CONTROLLERS.glob("*.py") if path.name != "__init__.py")


def sql_in(source: str) -> list[str]:
    """The string literals that read as SQL, and the calls of helpers that take SQL, in a module's source."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL.search(node.value):
            found.append(f"line {node.lineno}: {node.value[:60]!r}")
        elif isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name in SQL_HELPERS:
                found.append(f"line {node.lineno}: a call of {name}()")
    return found


def controllers_imported(source: str) -> list[str]:
    """The controller modules a module imports."""
    imported = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        imported += [name for name in names if name.startswith("api.controllers.")]
    return imported


@pytest.mark.parametrize("module", controller_modules(), ids=lambda path: path.name)
def test_a_controller_holds_no_sql(module: Path) -> None:
    assert sql_in(module.read_text()) == []


@pytest.mark.parametrize("module", controller_modules(), ids=lambda path: path.name)
def test_a_controller_imports_no_other_controller(module: Path) -> None:
    assert controllers_imported(module.read_text()) == []


def test_the_checks_find_sql_and_controller_imports() -> None:
    source = (
        "from api.controllers.marriages import READERS\n"
        "rows = store.query('SELECT status, COUNT(*) FROM marital_status GROUP BY status')\n"
        "page = keyset_page(store, table='plate_signs')\n"
    )
    assert len(sql_in(source)) == 3
    assert controllers_imported(source) == ["api.controllers.marriages", "api.controllers.marriages.READERS"]
    assert sql_in("'''Select a page of events; delete nothing.'''\nMETHODS = {'POST', 'DELETE'}") == []
