"""One list of the registry's applications, and everything that follows every application follows it."""

from __future__ import annotations

from pathlib import Path

from api.stores import application_names
from projections.audit.leaves import MerkleLeaves
from projections.audit_trail import AuditTrail
from registry.common.application import RegistryApplication
from registry.system import APPLICATION_NAMES, open_registry
from tests.conftest import sqlite_settings


def test_every_assembled_application_is_in_the_one_list_of_applications(tmp_path: Path) -> None:
    registry = open_registry(sqlite_settings(tmp_path), create_tables=True)
    try:
        assembled = [value.name for value in vars(registry).values() if isinstance(value, RegistryApplication)]
        assert sorted(assembled) == sorted(APPLICATION_NAMES)
        assert list(registry.applications()) == list(APPLICATION_NAMES)
    finally:
        registry.close()


def test_no_two_applications_share_a_name() -> None:
    assert len(set(APPLICATION_NAMES)) == len(APPLICATION_NAMES)


def test_the_audit_tree_the_audit_trail_and_the_operators_commands_cover_every_application() -> None:
    assert MerkleLeaves.follows == APPLICATION_NAMES
    assert AuditTrail.follows == APPLICATION_NAMES
    assert application_names() == list(APPLICATION_NAMES)
