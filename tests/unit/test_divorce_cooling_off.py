"""Divorce by agreement (Civil Code art. 1077): 30 days to withdraw, then 30 days to register, else it lapses."""

from datetime import date, timedelta
from uuid import uuid4

import pytest

from registry.common.errors import Forbidden, NotEligible, WrongState
from registry.marriage.divorce import DivorceApplication
from registry.marriage.values import Attendance
from tests.support import BOTH_PRESENT, OTHER_CLERK, PRESENT, act

RECEIVED = date(2026, 1, 10)
NUMBERS = ("L330782001-2026-000001", "L330782001-2026-000002")


def day(n: int) -> date:
    """Day n after receipt (day 0 is the day of receipt)."""
    return RECEIVED + timedelta(days=n)


def filed() -> DivorceApplication:
    divorce = DivorceApplication.file(act(RECEIVED), marriage_id=uuid4(), attendance=BOTH_PRESENT)
    divorce.collect_events()
    return divorce


def test_filing_needs_both_parties_present_with_a_signed_agreement() -> None:
    without_agreement = Attendance(present=True, declares_voluntary=True)
    with pytest.raises(NotEligible) as caught:
        DivorceApplication.file(act(RECEIVED), marriage_id=uuid4(), attendance=(PRESENT, without_agreement))
    assert [(f.subject, f.code) for f in caught.value.failures] == [("b", "divorce-agreement-missing")]


def test_either_party_may_withdraw_on_day_30() -> None:
    divorce = filed()
    divorce.withdraw(act(day(30)), party="b")
    assert divorce.state_on(day(30)) == "withdrawn"


def test_withdrawal_on_day_31_is_refused() -> None:
    with pytest.raises(WrongState) as caught:
        filed().withdraw(act(day(31)), party="a")
    assert caught.value.failures[0].code == "divorce-awaiting-registration"


def test_a_withdrawn_application_cannot_be_registered() -> None:
    divorce = filed()
    divorce.withdraw(act(day(3)), party="a")
    with pytest.raises(WrongState):
        divorce.register(act(day(40)), attendance=BOTH_PRESENT, certificate_numbers=NUMBERS)


def test_registration_on_day_30_is_refused_as_still_cooling_off() -> None:
    with pytest.raises(WrongState) as caught:
        filed().register(act(day(30)), attendance=BOTH_PRESENT, certificate_numbers=NUMBERS)
    assert caught.value.failures[0].code == "divorce-cooling-off"


def test_registration_is_accepted_on_day_31_and_on_day_60() -> None:
    for n in (31, 60):
        divorce = filed()
        divorce.register(act(day(n)), attendance=BOTH_PRESENT, certificate_numbers=NUMBERS)
        assert divorce.state_on(day(n)) == "registered"


def test_the_application_lapses_after_day_60_with_no_job_needed() -> None:
    divorce = filed()
    assert divorce.state_on(day(60)) == "awaiting-registration"
    assert divorce.state_on(day(61)) == "lapsed"
    with pytest.raises(WrongState) as caught:
        divorce.register(act(day(61)), attendance=BOTH_PRESENT, certificate_numbers=NUMBERS)
    assert caught.value.failures[0].code == "divorce-lapsed"


def test_registration_needs_both_parties_in_person() -> None:
    absent = Attendance(present=False, declares_voluntary=True)
    with pytest.raises(NotEligible) as caught:
        filed().register(act(day(40)), attendance=(absent, PRESENT), certificate_numbers=NUMBERS)
    assert [f.code for f in caught.value.failures] == ["party-not-present"]


def test_registration_must_be_at_the_office_where_the_divorce_was_filed() -> None:
    with pytest.raises(Forbidden):
        filed().register(act(day(40), by=OTHER_CLERK), attendance=BOTH_PRESENT, certificate_numbers=NUMBERS)


def test_the_windows_are_stated_as_dates() -> None:
    divorce = filed()
    assert (divorce.withdrawal_deadline, divorce.registration_opens, divorce.registration_deadline) == (
        date(2026, 2, 9),
        date(2026, 2, 10),
        date(2026, 3, 11),
    )
