"""Divorce by agreement (Civil Code art. 1077): 30 days to withdraw, then 30 days to register, else it lapses.

Periods are counted as the Civil Code counts them (arts. 201, 203): receipt is day 0, and a window whose last day
is a statutory rest day ends on the first working day after it; the second window starts after the (extended) first.
"""

from datetime import date, timedelta
from uuid import uuid4

import pytest

from registry.common.actors import Actor
from registry.common.calendars import PUBLISHED, YearSchedule, days
from registry.common.errors import CalendarMissing, Forbidden, InvalidInput, NotEligible, WrongState
from registry.common.workdays import WorkingCalendar
from registry.marriage.divorce import DivorceApplication
from registry.marriage.values import Attendance
from tests.support import BOTH_PRESENT, OFFICE, OTHER_CLERK, PRESENT, act

RECEIVED = date(2026, 1, 10)
NUMBERS = ("L330782001-2026-000001", "L330782001-2026-000002")
CALENDAR = WorkingCalendar.published()
# A 2027 for tests only (the State Council's 2027 notice is not in the registry's data).
WITH_2027 = WorkingCalendar({**PUBLISHED, 2027: YearSchedule(2027, days("2027-01-01"), frozenset(), "test only")})


def day(n: int) -> date:
    """Day n after receipt (day 0 is the day of receipt)."""
    return RECEIVED + timedelta(days=n)


def filed(received: date = RECEIVED) -> DivorceApplication:
    divorce = DivorceApplication.file(act(received), marriage_id=uuid4(), attendance=BOTH_PRESENT)
    divorce.collect_events()
    return divorce


def test_filing_needs_both_parties_present_with_a_signed_agreement() -> None:
    without_agreement = Attendance(present=True, declares_voluntary=True)
    with pytest.raises(NotEligible) as caught:
        DivorceApplication.file(act(RECEIVED), marriage_id=uuid4(), attendance=(PRESENT, without_agreement))
    assert [(f.subject, f.code) for f in caught.value.failures] == [("b", "divorce-agreement-missing")]


def test_either_party_may_withdraw_on_day_30() -> None:
    divorce = filed()
    divorce.withdraw(act(day(30)), party="b", calendar=CALENDAR)
    assert divorce.state_on(day(30), CALENDAR) == "withdrawn"


def test_withdrawal_on_day_31_is_refused() -> None:
    with pytest.raises(WrongState) as caught:
        filed().withdraw(act(day(31)), party="a", calendar=CALENDAR)
    assert caught.value.failures[0].code == "divorce-awaiting-registration"


def test_a_withdrawal_is_made_at_the_office_that_received_the_application() -> None:
    """Civil Code art 1077, regs: a party withdraws at the receiving office, where its clerk records it."""
    divorce = filed()
    citizen = Actor("330782199603030000", "citizen")
    with pytest.raises(Forbidden) as by_citizen:
        divorce.withdraw(act(day(3), by=citizen), party="b", calendar=CALENDAR)
    [failure] = by_citizen.value.failures
    assert failure.code == "withdrawal-at-the-receiving-office" and OFFICE in failure.detail
    with pytest.raises(Forbidden) as elsewhere:
        divorce.withdraw(act(day(3), by=OTHER_CLERK), party="b", calendar=CALENDAR)
    assert elsewhere.value.failures[0].code == "wrong-office"
    assert divorce.collect_events() == [] and divorce.state_on(day(3), CALENDAR) == "cooling-off"


def test_the_clerk_recording_a_withdrawal_names_the_party_who_withdraws() -> None:
    divorce = filed()
    with pytest.raises(InvalidInput) as unnamed:
        divorce.withdraw(act(day(3)), party=None, calendar=CALENDAR)
    assert unnamed.value.failures[0].code == "party-required"
    divorce.withdraw(act(day(3)), party="b", calendar=CALENDAR)
    assert (divorce.withdrawn_by, divorce.withdrawn_on) == ("b", day(3))


def test_a_withdrawn_application_cannot_be_registered() -> None:
    divorce = filed()
    divorce.withdraw(act(day(3)), party="a", calendar=CALENDAR)
    with pytest.raises(WrongState):
        divorce.register(act(day(40)), attendance=BOTH_PRESENT, certificate_numbers=NUMBERS, calendar=CALENDAR)


def test_registration_on_day_30_is_refused_as_still_cooling_off() -> None:
    with pytest.raises(WrongState) as caught:
        filed().register(act(day(30)), attendance=BOTH_PRESENT, certificate_numbers=NUMBERS, calendar=CALENDAR)
    assert caught.value.failures[0].code == "divorce-cooling-off"


def test_registration_is_accepted_on_day_31_and_on_day_60() -> None:
    for n in (31, 60):
        divorce = filed()
        divorce.register(act(day(n)), attendance=BOTH_PRESENT, certificate_numbers=NUMBERS, calendar=CALENDAR)
        assert divorce.state_on(day(n), CALENDAR) == "registered"


def test_the_application_lapses_after_day_60_with_no_job_needed() -> None:
    divorce = filed()
    assert divorce.state_on(day(60), CALENDAR) == "awaiting-registration"
    assert divorce.state_on(day(61), CALENDAR) == "lapsed"
    with pytest.raises(WrongState) as caught:
        divorce.register(act(day(61)), attendance=BOTH_PRESENT, certificate_numbers=NUMBERS, calendar=CALENDAR)
    assert caught.value.failures[0].code == "divorce-lapsed"


def test_registration_needs_both_parties_in_person() -> None:
    absent = Attendance(present=False, declares_voluntary=True)
    with pytest.raises(NotEligible) as caught:
        filed().register(act(day(40)), attendance=(absent, PRESENT), certificate_numbers=NUMBERS, calendar=CALENDAR)
    assert [f.code for f in caught.value.failures] == ["party-not-present"]


def test_registration_must_be_at_the_office_where_the_divorce_was_filed() -> None:
    with pytest.raises(Forbidden):
        filed().register(
            act(day(40), by=OTHER_CLERK), attendance=BOTH_PRESENT, certificate_numbers=NUMBERS, calendar=CALENDAR
        )


def test_the_windows_are_stated_as_dates() -> None:
    divorce = filed()
    windows = divorce.windows(CALENDAR)
    assert (windows.withdrawal_deadline, windows.registration_opens, windows.registration_deadline) == (
        date(2026, 2, 9),
        date(2026, 2, 10),
        date(2026, 3, 11),
    )


def test_an_application_received_20_january_2026_may_be_withdrawn_on_24_february_after_the_spring_festival() -> None:
    divorce = filed(date(2026, 1, 20))
    assert divorce.windows(CALENDAR).withdrawal_deadline == date(2026, 2, 24)
    with pytest.raises(WrongState) as too_early:
        divorce.register(
            act(date(2026, 2, 24)), attendance=BOTH_PRESENT, certificate_numbers=NUMBERS, calendar=CALENDAR
        )
    assert too_early.value.failures[0].code == "divorce-cooling-off"
    divorce.withdraw(act(date(2026, 2, 24)), party="a", calendar=CALENDAR)
    assert divorce.state_on(date(2026, 2, 24), CALENDAR) == "withdrawn"


def test_a_divorce_window_ending_on_a_saturday_ends_on_the_monday() -> None:
    divorce = filed(date(2026, 6, 18))  # day 30 is Saturday 18 July
    assert divorce.state_on(date(2026, 7, 20), CALENDAR) == "cooling-off"
    assert divorce.state_on(date(2026, 7, 21), CALENDAR) == "awaiting-registration"
    divorce.withdraw(act(date(2026, 7, 20)), party="b", calendar=CALENDAR)


def test_a_divorce_window_ending_on_the_last_day_of_a_holiday_ends_on_the_next_working_day() -> None:
    divorce = filed(date(2026, 1, 24))  # day 30 is Monday 23 February, the last day of the Spring Festival
    assert divorce.windows(CALENDAR).withdrawal_deadline == date(2026, 2, 24)


def test_a_divorce_window_ending_on_a_make_up_working_day_is_not_extended() -> None:
    divorce = filed(date(2026, 1, 29))  # day 30 is Saturday 28 February, a make-up working day
    assert divorce.windows(CALENDAR).withdrawal_deadline == date(2026, 2, 28)
    with pytest.raises(WrongState):
        divorce.withdraw(act(date(2026, 3, 1)), party="a", calendar=CALENDAR)


def test_the_registration_window_starts_after_the_extended_withdrawal_window_and_is_extended_itself() -> None:
    windows = filed(date(2026, 1, 20)).windows(CALENDAR)
    assert (windows.registration_opens, windows.registration_deadline) == (date(2026, 2, 25), date(2026, 3, 26))
    # Received 6 January: day 30 is Thursday 5 February; 30 days later is Saturday 7 March, so Monday 9 March.
    later = filed(date(2026, 1, 6))
    assert later.windows(CALENDAR).registration_deadline == date(2026, 3, 9)
    later.register(act(date(2026, 3, 9)), attendance=BOTH_PRESENT, certificate_numbers=NUMBERS, calendar=CALENDAR)


def test_the_dates_of_a_window_reaching_a_year_without_a_calendar_are_not_stated() -> None:
    windows = filed(date(2026, 12, 15)).windows(CALENDAR)
    assert (windows.withdrawal_deadline, windows.registration_opens, windows.registration_deadline) == (
        None,
        None,
        None,
    )
    assert windows.pending is not None and "2027" in windows.pending
    assert filed(date(2026, 12, 15)).windows(WITH_2027).withdrawal_deadline == date(2027, 1, 14)


def test_a_withdrawal_up_to_day_30_needs_no_calendar_of_the_next_year() -> None:
    divorce = filed(date(2026, 12, 15))
    divorce.withdraw(act(date(2027, 1, 14)), party="a", calendar=CALENDAR)


def test_an_act_whose_lawfulness_depends_on_a_year_without_a_calendar_is_refused() -> None:
    divorce = filed(date(2026, 12, 15))
    with pytest.raises(CalendarMissing) as caught:
        divorce.withdraw(act(date(2027, 1, 15)), party="a", calendar=CALENDAR)
    assert caught.value.failures[0].code == "working-calendar-missing"
    divorce.register(act(date(2027, 1, 15)), attendance=BOTH_PRESENT, certificate_numbers=NUMBERS, calendar=WITH_2027)


def test_closing_an_application_whose_state_depends_on_a_missing_calendar_closes_it() -> None:
    divorce = filed(date(2026, 12, 15))
    divorce.close(act(date(2027, 2, 20)), reason="a spouse died", calendar=CALENDAR)
    assert divorce.state_on(date(2027, 2, 20), CALENDAR) == "closed"
