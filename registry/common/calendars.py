"""The State Council's holiday schedules, one year each: public holidays and make-up working days.

Data, not rules. Each year comes from the General Office of the State Council's notice on the arrangement of
holidays, published in the autumn of the year before; a year that is not here (or configured through
REGISTRY_PUBLIC_HOLIDAYS / REGISTRY_MAKEUP_WORKDAYS) has no calendar, and no deadline reaching into it is computed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

SATURDAY = 5


@dataclass(frozen=True)
class YearSchedule:
    """One year's public holidays (weekend days inside a holiday included) and make-up working days."""

    year: int
    holidays: frozenset[date]
    makeup_workdays: frozenset[date]
    source: str

    def __post_init__(self) -> None:
        problems = [f"{d} is not in {self.year}" for d in self.holidays | self.makeup_workdays if d.year != self.year]
        problems += [f"{d} is a weekday, not a make-up working day" for d in self.makeup_workdays if d.weekday() < 5]
        problems += [f"{d} is both a holiday and a working day" for d in self.holidays & self.makeup_workdays]
        if problems:
            raise ValueError(f"working calendar {self.year}: " + "; ".join(sorted(problems)))


def days(*spans: str) -> frozenset[date]:
    """Dates from ISO days and inclusive spans: "2026-02-15..2026-02-23", "2026-01-04"."""
    found: set[date] = set()
    for span in spans:
        first, _, last = span.partition("..")
        day, end = date.fromisoformat(first), date.fromisoformat(last or first)
        while day <= end:
            found.add(day)
            day += timedelta(days=1)
    return frozenset(found)


PUBLISHED: dict[int, YearSchedule] = {
    schedule.year: schedule
    for schedule in (
        YearSchedule(
            2025,
            holidays=days(
                "2025-01-01",  # New Year's Day
                "2025-01-28..2025-02-04",  # Spring Festival
                "2025-04-04..2025-04-06",  # Qingming
                "2025-05-01..2025-05-05",  # Labour Day
                "2025-05-31..2025-06-02",  # Dragon Boat Festival
                "2025-10-01..2025-10-08",  # National Day and Mid-Autumn Festival
            ),
            makeup_workdays=days("2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11"),
            source="国务院办公厅关于2025年部分节假日安排的通知 (国办发明电〔2024〕12号, 12 November 2024)",
        ),
        YearSchedule(
            2026,
            holidays=days(
                "2026-01-01..2026-01-03",  # New Year's Day
                "2026-02-15..2026-02-23",  # Spring Festival
                "2026-04-04..2026-04-06",  # Qingming
                "2026-05-01..2026-05-05",  # Labour Day
                "2026-06-19..2026-06-21",  # Dragon Boat Festival
                "2026-09-25..2026-09-27",  # Mid-Autumn Festival
                "2026-10-01..2026-10-07",  # National Day
            ),
            makeup_workdays=days("2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"),
            source="国务院办公厅关于2026年部分节假日安排的通知 (November 2025)",
        ),
    )
}


def parse_dates(text: str) -> frozenset[date]:
    return frozenset(date.fromisoformat(part.strip()) for part in text.split(",") if part.strip())


def configured_years(holidays: Iterable[date], makeup_workdays: Iterable[date]) -> dict[int, YearSchedule]:
    """Whole years from configuration: each year that has a holiday listed is defined by these dates alone."""
    holidays, makeup_workdays = frozenset(holidays), frozenset(makeup_workdays)
    years = {d.year for d in holidays}
    orphans = sorted(d for d in makeup_workdays if d.year not in years)
    if orphans:
        raise ValueError(
            f"make-up working days {', '.join(map(str, orphans))} are in a year with no public holidays configured: "
            "configure a year's holidays and make-up days together"
        )
    return {
        year: YearSchedule(
            year,
            frozenset(d for d in holidays if d.year == year),
            frozenset(d for d in makeup_workdays if d.year == year),
            source="configuration (REGISTRY_PUBLIC_HOLIDAYS, REGISTRY_MAKEUP_WORKDAYS)",
        )
        for year in sorted(years)
    }
