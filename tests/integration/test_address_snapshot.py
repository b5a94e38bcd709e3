"""The address snapshot: every address in force as of a position, read page by page through an index."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest

from projections.addresses.queries import snapshot_page
from projections.catalog import ReadSide
from projections.store import ViewStore
from registry.common.errors import InvalidInput
from registry.system import Registry

OPERATIONS = ("assigned", "readdressed", "renumbered", "retired")


@pytest.fixture
def store(registry: Registry) -> Iterator[ViewStore]:
    read_side = ReadSide(registry)
    yield read_side.store
    read_side.close()


def changes_of(count: int, plates: int) -> list[tuple[int, str, str, str, str]]:
    """A feed of `count` changes over `plates` plates, in the shape the address register writes."""
    chance = random.Random(13)
    return [
        (position, "2026-11-22T04:00:00+00:00", chance.choice(OPERATIONS), f"plate-{chance.randrange(plates):04d}",
         f"义乌市稠城街道丹溪路{position}号")
        for position in range(1, count + 1)
    ]  # fmt: skip


def in_force(changes: list[tuple[int, str, str, str, str]], at: int) -> dict[str, str]:
    """The snapshot computed the slow, obvious way."""
    last: dict[str, tuple[str, str]] = {}
    for position, _, operation, plate, address in changes:
        if position <= at:
            last[plate] = (operation, address)
    return {plate: address for plate, (operation, address) in last.items() if operation != "retired"}


def all_pages(store: ViewStore, at: int, limit: int) -> tuple[dict[str, str], int]:
    addresses: dict[str, str] = {}
    after, pages = None, 0
    while True:
        page = snapshot_page(store, at, limit=limit, after=after)
        assert len(page.addresses) <= limit
        assert not set(addresses) & set(page.addresses), "a plate appears on two pages"
        addresses.update(page.addresses)
        pages += 1
        if page.next_after is None:
            return addresses, pages
        after = page.next_after


def test_the_snapshot_read_page_by_page_is_every_address_in_force_at_that_position(store: ViewStore) -> None:
    changes = changes_of(600, 150)
    with store.transaction() as cursor:
        cursor.executemany(
            "INSERT INTO address_changes (position, recorded_at, operation, plate_id, address) VALUES (?, ?, ?, ?, ?)",
            changes,
        )
    for at in (0, 1, 250, 600):
        expected = in_force(changes, at)
        addresses, pages = all_pages(store, at, limit=7)
        assert addresses == expected
        assert pages <= len({plate for _, _, _, plate, _ in changes}) // 7 + 1


def test_a_snapshot_cursor_that_is_not_one_this_registry_gave_is_refused(store: ViewStore) -> None:
    for forged in ("not a cursor", "WzFd", "W10", "WyJhXHUwMDAwIl0"):  # garbage, [1], [], ["a\u0000"]
        with pytest.raises(InvalidInput):
            snapshot_page(store, 10, after=forged)
