"""Working days: weekends and public holidays excluded, the State Council's make-up working weekends included."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

# The State Council's 2026 schedule (configurable: REGISTRY_PUBLIC_HOLIDAYS / REGISTRY_MAKEUP_WORKDAYS).
HOLIDAYS_2026 = (
    "2026-01-01,2026-01-02,2026-01-03,2026-02-15,2026-02-16,2026-02-17,2026-02-18,2026-02-19,2026-02-20,"
    "2026-02-21,2026-02-22,2026-02-23,2026-04-04,2026-04-05,2026-04-06,2026-05-01,2026-05-02,2026-05-03,"
    "2026-05-04,2026-05-05,2026-06-19,2026-06-20,2026-06-21,2026-09-25,2026-09-26,2026-09-27,2026-10-01,"
    "2026-10-02,2026-10-03,2026-10-04,2026-10-05,2026-10-06,2026-10-07"
)
MAKEUP_WORKDAYS_2026 = "2026-01-04,2026-02-14,2026-02-28,2026-05-09,2026-09-20,2026-10-10"


def parse_dates(text: str) -> frozenset[date]:
    return frozenset(date.fromisoformat(part.strip()) for part in text.split(",") if part.strip())


@dataclass(frozen=True)
class WorkingCalendar:
    """Which days are working days for government departments."""

    holidays: frozenset[date] = field(default_factory=frozenset)
    makeup_workdays: frozenset[date] = field(default_factory=frozenset)

    @classmethod
    def of(cls, holidays: Iterable[date], makeup_workdays: Iterable[date] = ()) -> WorkingCalendar:
        return cls(frozenset(holidays), frozenset(makeup_workdays))

    def is_working_day(self, day: date) -> bool:
        if day in self.makeup_workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def add_working_days(self, start: date, days: int) -> date:
        """The day `days` working days after `start` (the start day itself does not count)."""
        day = start
        remaining = days
        while remaining > 0:
            day += timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
        return day
