"""Fixtures of the integration tests (the store and registry fixtures are in tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from projections.catalog import ReadSide
from registry.system import Registry


@pytest.fixture
def read_side(registry: Registry) -> Iterator[ReadSide]:
    """The registry's read models, migrated, kept current only by what a test runs."""
    side = ReadSide(registry)
    side.migrate()
    yield side
    side.close()
