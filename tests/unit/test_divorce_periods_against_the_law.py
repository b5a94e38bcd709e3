"""Every receipt date from November 2025 to November 2026, counted against the Civil Code (arts. 201, 203)."""

from datetime import date, timedelta

from registry.common.calendars import PUBLISHED, YearSchedule
from registry.common.errors import CalendarMissing
from registry.common.workdays import WorkingCalendar
from registry.marriage.divorce import divorce_windows, registration_deadline, withdrawal_deadline

CALENDAR = WorkingCalendar.published()
FIRST, LAST = date(2025, 11, 1), date(2026, 11, 30)
RECEIPTS = [FIRST + timedelta(days=n) for n in range((LAST - FIRST).days + 1)]


def days_between(first: date, last: date) -> list[date]:
    """Every day from `first` up to, not including, `last`."""
    return [first + timedelta(days=n) for n in range((last - first).days)]


def check_window_end(start: date, end: date) -> None:
    """The end is a working day, not before day 30, and every day from day 30 up to it is a rest day."""
    unextended = start + timedelta(days=30)
    assert CALENDAR.is_working_day(end), (start, end)
    assert end >= unextended, (start, end)
    assert all(CALENDAR.is_rest_day(day) for day in days_between(unextended, end)), (start, end)


def test_every_last_withdrawal_day_is_the_first_working_day_from_day_30() -> None:
    for received in RECEIPTS:
        check_window_end(received, withdrawal_deadline(received, CALENDAR))


def test_every_registration_window_ends_on_the_first_working_day_from_day_30_after_the_withdrawal_window() -> None:
    undecided = []
    for received in RECEIPTS:
        withdrawal = withdrawal_deadline(received, CALENDAR)
        try:
            deadline = registration_deadline(received, CALENDAR)
        except CalendarMissing:
            undecided.append(received)  # it reaches 2027, which has no calendar: stated as pending, never guessed
            assert divorce_windows(received, CALENDAR).registration_deadline is None
            continue
        check_window_end(withdrawal, deadline)
        assert divorce_windows(received, CALENDAR).registration_opens == withdrawal + timedelta(days=1)
    assert undecided == [
        d for d in RECEIPTS if withdrawal_deadline(d, CALENDAR) + timedelta(days=30) >= date(2027, 1, 1)
    ]


def test_the_law_moves_233_deadlines_of_these_receipts_64_of_them_for_public_holidays_alone() -> None:
    """The issue's own count, which took 2027 as weekends only (its calendar was not yet published)."""
    weekends_2027 = WorkingCalendar({**PUBLISHED, 2027: YearSchedule(2027, frozenset(), frozenset(), "weekends only")})
    holidays = set().union(*(schedule.holidays for schedule in PUBLISHED.values()))

    def holidays_only_end(start: date) -> date:
        day = start + timedelta(days=30)
        while day in holidays:
            day += timedelta(days=1)
        return day

    def moved(received: date, first_end: date, second_end: date) -> bool:
        return (first_end, second_end) != (received + timedelta(days=30), received + timedelta(days=60))

    by_law = [
        r for r in RECEIPTS if moved(r, withdrawal_deadline(r, weekends_2027), registration_deadline(r, weekends_2027))
    ]
    by_holidays = [r for r in RECEIPTS if moved(r, holidays_only_end(r), holidays_only_end(holidays_only_end(r)))]
    assert (len(by_law), len(by_holidays)) == (233, 64)
