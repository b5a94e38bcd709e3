"""Deadlines on the working calendar, on SQLite and PostgreSQL: counted past rest days, refused for a year that
has no calendar (never guessed), and counted once that year is configured."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from projections.catalog import migrate_all
from registry.common.actors import Actor
from registry.common.errors import CalendarMissing, WrongState
from registry.deaths.bundle import NextOfKin
from registry.deaths.death import DeathReport
from registry.deaths.services import DeceasedFacts
from registry.settings import Settings
from registry.system import Registry, open_registry
from tests.support import BOTH_PRESENT, act, person

HOSPITAL = Actor("doctor-1", "hospital", "330782-hospital-1")
KIN = NextOfKin("王小明", "son", "13800000000", "6222000000000000", "kin-ref")


def bundle_on(registry: Registry, day: date) -> None:
    deceased = person(date(1940, 1, 1), "male")
    report = DeathReport("medical", "浙医死证2026-0009", day, "义乌市中心医院", True)
    death, _ = registry.deaths.register_death(act(day, by=HOSPITAL), deceased=deceased, report=report)
    registry.deaths.apply_for_bundle(act(day), death_id=death.aggregate_id, applicant=KIN, facts=DeceasedFacts())


def test_a_bundle_whose_task_deadlines_reach_a_year_without_a_calendar_is_refused(registry: Registry) -> None:
    with pytest.raises(CalendarMissing) as caught:
        bundle_on(registry, date(2026, 12, 30))  # 2 working days reach into 2027
    assert caught.value.failures[0].code == "working-calendar-missing"


def test_a_year_configured_by_the_operator_is_counted(store_env: dict[str, str]) -> None:
    settings = Settings.from_env({**store_env, "REGISTRY_PUBLIC_HOLIDAYS": "2027-01-01"})  # a test-only 2027
    migrate_all(settings)
    registry = open_registry(settings)
    try:
        bundle_on(registry, date(2026, 12, 30))
    finally:
        registry.close()


@pytest.mark.parametrize(
    ("received", "last_withdrawal_day"),
    [
        (date(2026, 6, 18), date(2026, 7, 20)),  # day 30 is a Saturday: Monday
        (date(2026, 1, 24), date(2026, 2, 24)),  # day 30 is the last day of the Spring Festival: the next day
        (date(2026, 1, 29), date(2026, 2, 28)),  # day 30 is a make-up working Saturday: not extended
        (date(2026, 1, 20), date(2026, 2, 24)),  # day 30 falls inside the Spring Festival
    ],
)
def test_a_divorce_may_be_withdrawn_on_its_last_withdrawal_day_and_registered_only_after_it(
    registry: Registry, received: date, last_withdrawal_day: date
) -> None:
    man, woman = person(date(1990, 1, 1), "male"), person(date(1992, 2, 2), "female")
    marriage = registry.marriage.apply_for_marriage(act(date(2025, 6, 1)), party_a=man, party_b=woman).aggregate_id
    registry.marriage.register_marriage(act(date(2025, 6, 1)), marriage, attendance=BOTH_PRESENT)
    first = registry.marriage.file_divorce(act(received), marriage_id=marriage, attendance=BOTH_PRESENT)
    with pytest.raises(WrongState) as cooling_off:
        registry.marriage.register_divorce(act(last_withdrawal_day), first.aggregate_id, attendance=BOTH_PRESENT)
    assert cooling_off.value.failures[0].code == "divorce-cooling-off"
    registry.marriage.withdraw_divorce(act(last_withdrawal_day), first.aggregate_id, party="a")
    second = registry.marriage.file_divorce(act(received), marriage_id=marriage, attendance=BOTH_PRESENT)
    the_day_after = last_withdrawal_day + timedelta(days=1)
    with pytest.raises(WrongState) as too_late:
        registry.marriage.withdraw_divorce(act(the_day_after), second.aggregate_id, party="a")
    assert too_late.value.failures[0].code == "divorce-awaiting-registration"
    registry.marriage.register_divorce(act(the_day_after), second.aggregate_id, attendance=BOTH_PRESENT)
