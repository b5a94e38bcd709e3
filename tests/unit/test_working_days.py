"""Deadlines in working days: weekends and public holidays excluded, make-up working weekends counted."""

from datetime import date

from registry.common.workdays import HOLIDAYS_2026, MAKEUP_WORKDAYS_2026, WorkingCalendar, parse_dates

CALENDAR = WorkingCalendar(parse_dates(HOLIDAYS_2026), parse_dates(MAKEUP_WORKDAYS_2026))


def test_two_working_days_from_a_thursday_end_on_monday() -> None:
    assert CALENDAR.add_working_days(date(2026, 11, 19), 2) == date(2026, 11, 23)


def test_the_national_day_week_does_not_count() -> None:
    assert CALENDAR.add_working_days(date(2026, 9, 30), 2) == date(2026, 10, 9)


def test_a_make_up_working_saturday_counts() -> None:
    assert CALENDAR.add_working_days(date(2026, 10, 9), 1) == date(2026, 10, 10)


def test_without_holidays_only_weekends_are_skipped() -> None:
    assert WorkingCalendar().add_working_days(date(2026, 10, 1), 2) == date(2026, 10, 5)
