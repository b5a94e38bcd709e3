"""The rule index (tests/RULES.md) names, for every rule of docs/domain.md, tests that exist.

Checked by reading the files (the test modules with `ast`), without running pytest: a renamed or deleted test, a rule
added to docs/domain.md and not indexed, or a gap marked as proven each fail here.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
INDEX = ROOT / "tests" / "RULES.md"
DOMAIN = ROOT / "docs" / "domain.md"
RULE = re.compile(r"^\*\*([A-Z]\d+)\. ", re.MULTILINE)
REFERENCE = re.compile(r"`(tests/[^`:]+\.py)::(test_\w+)`")
XFAIL_MARK = "(strict xfail)"


def rule_blocks(text: str) -> dict[str, str]:
    """Each rule's id and its text up to the next rule or section."""
    starts = [(match.group(1), match.start()) for match in RULE.finditer(text)]
    ends = [start for _, start in starts[1:]] + [len(text)]
    return {rule: text[start:end].split("\n## ")[0] for (rule, start), end in zip(starts, ends, strict=True)}


def indexed() -> dict[str, list[tuple[str, bool]]]:
    """Each rule of the index with its tests (`path::name`) and whether each is marked as a strict xfail."""
    return {
        rule: [(f"{m.group(1)}::{m.group(2)}", XFAIL_MARK in line) for line in block.splitlines()
               for m in REFERENCE.finditer(line)]
        for rule, block in rule_blocks(INDEX.read_text()).items()
    }  # fmt: skip


def named_by_docs(block: str) -> list[str]:
    """The tests a rule of docs/domain.md names on its Test line (`::name` is a test of the file named before it)."""
    test_line = re.search(r"\n- (?:[^\n]*?)Test: (.*?)(?=\n- |\n\n|\Z)", block, re.DOTALL)
    if test_line is None:
        return []
    references, path = [], ""
    for written in re.findall(r"`([^`]+)`", test_line.group(1)):
        if written.startswith("tests/"):
            path, _, name = written.partition("::")
            references += [f"{path}::{name}"] if name else [f"{path}::{name}" for name in defined_tests(path)]
        elif written.startswith("::"):
            references.append(f"{path}{written}")
    return references


@cache
def defined_tests(path: str) -> dict[str, bool]:
    """The test functions a module defines, each with whether it is marked as a strict xfail."""
    file = ROOT / path
    if not file.is_file():
        return {}
    tree = ast.parse(file.read_text())
    strict_marks = {
        target.id
        for node in tree.body if isinstance(node, ast.Assign) and is_strict_xfail(node.value)
        for target in node.targets if isinstance(target, ast.Name)
    }  # fmt: skip
    return {
        node.name: any(is_strict_xfail(d) or (isinstance(d, ast.Name) and d.id in strict_marks)
                       for d in node.decorator_list)
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test_")
    }  # fmt: skip


def is_strict_xfail(expression: ast.expr) -> bool:
    written = ast.unparse(expression)
    return "xfail" in written and "strict=True" in written


def missing(references: list[str]) -> list[str]:
    return [ref for ref in references if ref.partition("::")[2] not in defined_tests(ref.partition("::")[0])]


def test_every_rule_of_docs_domain_md_is_in_the_index_and_no_other() -> None:
    rules = list(rule_blocks(DOMAIN.read_text()))
    assert len(rules) == 89
    assert list(indexed()) == rules


def test_every_rule_in_the_index_names_a_test_that_exists() -> None:
    assert [rule for rule, tests in indexed().items() if not tests] == []
    listed = [test for tests in indexed().values() for test, _ in tests]
    assert missing(listed) == []


def test_a_test_marked_strict_xfail_in_the_index_is_one_and_no_other_test_is() -> None:
    wrongly_marked = [
        test
        for tests in indexed().values()
        for test, marked in tests
        if defined_tests(test.partition("::")[0]).get(test.partition("::")[2]) is not marked
    ]
    assert wrongly_marked == []


def test_every_test_docs_domain_md_names_exists() -> None:
    named = {rule: named_by_docs(block) for rule, block in rule_blocks(DOMAIN.read_text()).items()}
    assert sum(len(tests) for tests in named.values()) > 250  # the Test lines are read, not skipped
    assert {rule: missing(tests) for rule, tests in named.items() if missing(tests)} == {}


def test_every_test_docs_domain_md_names_for_a_rule_is_in_the_index_under_that_rule() -> None:
    index = {rule: {test for test, _ in tests} for rule, tests in indexed().items()}
    not_indexed = {
        rule: sorted(set(named_by_docs(block)) - index.get(rule, set()))
        for rule, block in rule_blocks(DOMAIN.read_text()).items()
    }
    assert {rule: tests for rule, tests in not_indexed.items() if tests} == {}


def test_the_checks_catch_a_test_that_does_not_exist_and_read_strict_xfail_marks() -> None:
    assert missing(["tests/unit/test_identity.py::test_no_such_rule", "tests/unit/no_such_file.py::test_x"]) == [
        "tests/unit/test_identity.py::test_no_such_rule",
        "tests/unit/no_such_file.py::test_x",
    ]
    dv_rules = defined_tests("tests/unit/test_dv_record_rules.py")
    assert dv_rules["test_a_protection_order_issued_more_than_72_hours_after_its_application_is_recorded_as_late"]
    assert dv_rules["test_a_protection_order_may_run_exactly_six_months"] is False
