"""Aggregates read together (one query on PostgreSQL, registry/adapters/many_events.py) are exactly the aggregates
read one by one: cached and current, cached and since changed by another process, never cached, never recorded."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any
from uuid import uuid4

import pytest

from registry.common.actors import Actor
from registry.common.errors import NotEligible
from registry.deaths.death import DeathReport
from registry.marriage.marriage import Marriage
from registry.settings import Settings
from registry.system import Registry, open_registry
from tests.support import BOTH_PRESENT, act, person

DAY = date(2026, 11, 24)
HOSPITAL = Actor("doctor-1", "hospital", "330782-hospital-1")
REPORT = DeathReport("medical", "浙医死证2026-0001", DAY, "义乌市中心医院", True)


@pytest.fixture
def other_process(registry: Registry, settings: Settings) -> Iterator[Registry]:
    """A second registry on the same store, with a cache of its own (as a second server process has)."""
    opened = open_registry(settings)
    yield opened
    opened.close()


def apply(registry: Registry, n: int) -> Any:
    man, woman = person(date(1990, 1, 1 + n), "male"), person(date(1992, 2, 1 + n), "female")
    return registry.marriage.apply_for_marriage(act(DAY), party_a=man, party_b=woman).aggregate_id


def state(marriage: Marriage) -> str:
    return repr(marriage)  # every field, the version included


def test_aggregates_read_together_are_those_read_one_by_one(registry: Registry, other_process: Registry) -> None:
    current, changed = apply(registry, 1), apply(registry, 2)
    for cached in (current, changed):
        registry.marriage.read(cached, Marriage)
    other_process.marriage.register_marriage(act(DAY), changed, attendance=BOTH_PRESENT)  # after this one cached it
    never_cached, never_recorded = apply(other_process, 3), uuid4()
    wanted = [current, changed, never_cached, never_recorded]

    together = registry.marriage.find_all(wanted, Marriage, shared=True)

    one_by_one = {i: other_process.marriage.read(i, Marriage) for i in (current, changed, never_cached)}
    assert {i: state(m) for i, m in together.items()} == {i: state(m) for i, m in one_by_one.items()}
    assert together[changed].version == 2  # the registration the other process recorded
    assert registry.marriage.read(changed, Marriage) is together[changed]  # and now the cached one


def test_aggregates_read_together_as_own_copies_are_the_callers_to_change(registry: Registry) -> None:
    applied = apply(registry, 1)
    own = registry.marriage.find_all([applied], Marriage)[applied]
    own.register(
        act(DAY), attendance=BOTH_PRESENT, facts=registry.marriage._facts_of(act(DAY), own),
        certificate_numbers=("J330782-2026-000001", "J330782-2026-000002"),
    )  # fmt: skip
    assert registry.marriage.read(applied, Marriage).version == 1  # the cached one is unchanged


def test_a_registration_asking_about_both_parties_at_once_finds_the_second_partys_death(registry: Registry) -> None:
    """M9 (docs/domain.md: a party registered as deceased cannot marry): both parties' deaths are asked in one read,
    and the one found is reported as the second party's."""
    man, woman = person(date(1950, 1, 1), "male"), person(date(1952, 2, 2), "female")
    filed = registry.marriage.apply_for_marriage(act(DAY), party_a=man, party_b=woman).aggregate_id
    registry.deaths.register_death(act(DAY, by=HOSPITAL), deceased=woman, report=REPORT)
    with pytest.raises(NotEligible) as refused:
        registry.marriage.register_marriage(act(DAY), filed, attendance=BOTH_PRESENT)
    assert [(f.code, f.subject) for f in refused.value.failures] == [("party-deceased", "b")]
