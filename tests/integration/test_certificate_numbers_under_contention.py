"""Clerks of one office registering at once all succeed, and their certificate numbers run without gaps."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date

import pytest

from registry.settings import Settings
from registry.system import Registry, open_registry
from tests.support import BOTH_PRESENT, act, person

DAY = date(2026, 11, 22)
CLERKS = 8


@pytest.fixture
def second_process(registry: Registry, settings: Settings) -> Iterator[Registry]:
    """The same store opened a second time, as a second server process would (its own group writer and locks)."""
    other = open_registry(settings)
    yield other
    other.close()


def register_all_at_once(registries: list[Registry], marriage_ids: list[object]) -> list[BaseException]:
    start = threading.Barrier(len(marriage_ids))
    errors: list[BaseException] = []

    def register(registry: Registry, marriage_id: object) -> None:
        start.wait()
        try:
            registry.marriage.register_marriage(act(DAY), marriage_id, attendance=BOTH_PRESENT)  # type: ignore[arg-type]
        except Exception as error:  # every refusal is a failure of this test, shown with its kind
            errors.append(error)

    threads = [
        threading.Thread(target=register, args=(registries[n % len(registries)], marriage_id))
        for n, marriage_id in enumerate(marriage_ids)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def numbers_issued(registry: Registry, marriage_ids: list[object]) -> list[int]:
    certificates = []
    for marriage_id in marriage_ids:
        marriage = registry.marriage.marriage(marriage_id)  # type: ignore[arg-type]
        assert marriage.state == "registered"
        certificates += [marriage.certificates["a"], marriage.certificates["b"]]
    return sorted(int(str(number).rsplit("-", 1)[1]) for number in certificates)


def applications(registry: Registry) -> list[object]:
    return [
        registry.marriage.apply_for_marriage(
            act(DAY), party_a=person(date(1990, 1, 1), "male"), party_b=person(date(1992, 1, 1), "female")
        ).aggregate_id
        for _ in range(CLERKS)
    ]


def test_clerks_of_one_office_registering_at_once_all_succeed_with_gapless_numbers(registry: Registry) -> None:
    marriage_ids = applications(registry)
    assert register_all_at_once([registry], marriage_ids) == []
    assert numbers_issued(registry, marriage_ids) == list(range(1, 2 * CLERKS + 1))


def test_clerks_of_one_office_served_by_two_processes_all_succeed_with_gapless_numbers(
    registry: Registry, second_process: Registry
) -> None:
    marriage_ids = applications(registry)
    assert register_all_at_once([registry, second_process], marriage_ids) == []
    assert numbers_issued(registry, marriage_ids) == list(range(1, 2 * CLERKS + 1))
