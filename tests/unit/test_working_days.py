"""Working days and periods in days on the State Council's calendar of each year, never guessed for a missing year."""

from datetime import date, timedelta

import pytest

from registry.common.calendars import PUBLISHED, YearSchedule, days
from registry.common.errors import CalendarMissing
from registry.common.workdays import WorkingCalendar

CALENDAR = WorkingCalendar.published()


def test_two_working_days_from_a_thursday_end_on_monday() -> None:
    assert CALENDAR.add_working_days(date(2026, 11, 19), 2) == date(2026, 11, 23)


def test_the_national_day_week_does_not_count() -> None:
    assert CALENDAR.add_working_days(date(2026, 9, 30), 2) == date(2026, 10, 9)


def test_a_make_up_working_saturday_counts() -> None:
    assert CALENDAR.add_working_days(date(2026, 10, 9), 1) == date(2026, 10, 10)


@pytest.mark.parametrize("year", sorted(PUBLISHED))
def test_each_published_year_rests_the_13_statutory_holiday_days_with_every_extra_day_off_made_up(year: int) -> None:
    """The 2024 revision of the national holiday measures gives 13 days; a weekday off beyond them is made up."""
    schedule = PUBLISHED[year]
    weekdays_off = [d for d in schedule.holidays if d.weekday() < 5]
    assert len(weekdays_off) - len(schedule.makeup_workdays) == 13
    assert all(d.weekday() >= 5 for d in schedule.makeup_workdays)


def test_a_period_ending_on_a_saturday_ends_on_the_monday() -> None:
    assert CALENDAR.period_end(date(2026, 6, 18), 30) == date(2026, 7, 20)


def test_a_period_ending_inside_the_spring_festival_ends_on_the_first_working_day_after_it() -> None:
    assert CALENDAR.period_end(date(2026, 1, 20), 30) == date(2026, 2, 24)


def test_a_period_ending_on_the_last_day_of_a_holiday_ends_the_next_day() -> None:
    assert CALENDAR.period_end(date(2026, 1, 24), 30) == date(2026, 2, 24)


def test_a_period_ending_on_a_make_up_working_saturday_is_not_extended() -> None:
    assert CALENDAR.period_end(date(2026, 1, 29), 30) == date(2026, 2, 28)


def test_a_period_ending_on_a_working_day_is_not_extended() -> None:
    assert CALENDAR.period_end(date(2026, 3, 2), 30) == date(2026, 4, 1)


def test_a_deadline_reaching_a_year_without_a_calendar_is_refused_not_guessed() -> None:
    for compute in (
        lambda: CALENDAR.add_working_days(date(2026, 12, 30), 2),
        lambda: CALENDAR.period_end(date(2026, 12, 15), 30),
    ):
        with pytest.raises(CalendarMissing) as caught:
            compute()
        assert caught.value.failures[0].code == "working-calendar-missing" and "2027" in caught.value.detail


def test_a_year_is_added_by_configuration_as_a_whole() -> None:
    configured = WorkingCalendar.configured("2027-01-01,2027-02-08", "2027-02-06")
    assert configured.years == [2025, 2026, 2027]
    assert configured.is_working_day(date(2027, 2, 6))  # a configured make-up Saturday
    assert configured.is_rest_day(date(2027, 2, 8))
    assert configured.period_end(date(2026, 12, 15), 30) == date(2027, 1, 14)


def test_a_configured_year_replaces_the_published_one_entirely() -> None:
    corrected = WorkingCalendar.configured("2026-01-01", "")
    assert corrected.is_working_day(date(2026, 2, 16))  # the published Spring Festival is gone with it
    assert corrected.is_rest_day(date(2025, 1, 28))  # other years stay as published


@pytest.mark.parametrize(
    ("holidays", "makeup", "problem"),
    [
        ("2027-01-01", "2027-02-03", "weekday"),  # a Wednesday cannot be a make-up working day
        ("2027-01-01", "2028-01-08", "no public holidays configured"),  # make-up day in a year not configured
        ("2027-02-06", "2027-02-06", "both a holiday and a working day"),
    ],
)
def test_a_malformed_configured_year_fails_at_start_up(holidays: str, makeup: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        WorkingCalendar.configured(holidays, makeup)


def test_a_span_of_days_includes_both_ends() -> None:
    assert days("2026-02-15..2026-02-23") == {date(2026, 2, 15) + timedelta(days=n) for n in range(9)}


def test_a_schedule_names_its_source() -> None:
    assert all(isinstance(schedule, YearSchedule) and schedule.source for schedule in PUBLISHED.values())
