"""Working days and periods in days, on the State Council's calendar of each year (never guessed for a year
without one).

Periods in days follow the Civil Code: the day an act happens is day 0 (art. 201); when the last day of a period
is a statutory rest day, the period ends on the first working day after it (art. 203).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

from registry.common.calendars import PUBLISHED, YearSchedule, configured_years, parse_dates
from registry.common.errors import CalendarMissing, Failure


class WorkingCalendar:
    """Which days are working days for government departments, year by year."""

    def __init__(self, years: Mapping[int, YearSchedule]) -> None:
        self._years = dict(years)

    @classmethod
    def published(cls) -> WorkingCalendar:
        """The years shipped with the registry (registry/common/calendars.py)."""
        return cls(PUBLISHED)

    @classmethod
    def configured(cls, holidays: str = "", makeup_workdays: str = "") -> WorkingCalendar:
        """The published years, each year named in the configured dates replaced (or added) as a whole."""
        return cls({**PUBLISHED, **configured_years(parse_dates(holidays), parse_dates(makeup_workdays))})

    @property
    def years(self) -> list[int]:
        return sorted(self._years)

    def schedule(self, year: int) -> YearSchedule:
        """The year's schedule, or CalendarMissing: a deadline is refused rather than guessed."""
        try:
            return self._years[year]
        except KeyError:
            raise CalendarMissing(
                [
                    Failure(
                        "working-calendar-missing",
                        f"no working calendar for {year} is configured: load the State Council's holiday schedule "
                        f"for {year} (REGISTRY_PUBLIC_HOLIDAYS, REGISTRY_MAKEUP_WORKDAYS) before a date in {year} "
                        "can be counted",
                    )
                ]
            ) from None

    def is_working_day(self, day: date) -> bool:
        schedule = self.schedule(day.year)
        if day in schedule.makeup_workdays:
            return True
        return day.weekday() < 5 and day not in schedule.holidays

    def is_rest_day(self, day: date) -> bool:
        """A public holiday, or a Saturday or Sunday that is not a make-up working day."""
        return not self.is_working_day(day)

    def add_working_days(self, start: date, days: int) -> date:
        """The day `days` working days after `start` (the start day itself does not count)."""
        day = start
        remaining = days
        while remaining > 0:
            day += timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
        return day

    def period_end(self, start: date, days: int) -> date:
        """The last day of a period of `days` days from `start` (day 0), moved to the next working day if it is a
        rest day (Civil Code arts. 201, 203)."""
        day = start + timedelta(days=days)
        while self.is_rest_day(day):
            day += timedelta(days=1)
        return day
