"""An application nobody registers or refuses lapses after REGISTRY_APPLICATION_LAPSE_DAYS (a local choice; regs
art 10 set no period): derived from the dates at read time, like the divorce windows, so no job records it."""

from datetime import date, timedelta

import pytest

from registry.common.errors import WrongState
from registry.marriage.eligibility import PartyFacts
from registry.marriage.marriage import Marriage
from registry.marriage.person_status import PersonStatus
from tests.support import BOTH_PRESENT, act, person

FILED = date(2026, 11, 2)
NUMBERS = ("J330782001-2026-000001", "J330782001-2026-000002")


def day(n: int) -> date:
    return FILED + timedelta(days=n)


def facts(on: date) -> tuple[PartyFacts, PartyFacts]:
    return (PartyFacts(PersonStatus.open(act(on), "ref-a")), PartyFacts(PersonStatus.open(act(on), "ref-b")))


def application() -> Marriage:
    marriage = Marriage.apply_for(
        act(FILED), party_a=person(date(1995, 1, 1), "male"), party_b=person(date(1996, 1, 1), "female")
    )
    marriage.collect_events()
    return marriage


def test_an_application_is_still_registrable_on_day_30_after_filing() -> None:
    marriage = application()
    assert marriage.state_on(day(30), lapse_days=30) == "applied"
    marriage.register(act(day(30)), attendance=BOTH_PRESENT, facts=facts(day(30)), certificate_numbers=NUMBERS,
                      lapse_days=30)  # fmt: skip
    assert marriage.state == "registered"


def test_an_application_lapses_on_day_31_and_registering_it_is_refused_naming_the_day_it_lapsed() -> None:
    marriage = application()
    assert marriage.state_on(day(31), lapse_days=30) == "lapsed"
    assert marriage.lapses_on(30) == day(31)
    with pytest.raises(WrongState) as caught:
        marriage.register(act(day(31)), attendance=BOTH_PRESENT, facts=facts(day(31)), certificate_numbers=NUMBERS,
                          lapse_days=30)  # fmt: skip
    [failure] = caught.value.failures
    assert failure.code == "application-lapsed"
    assert day(31).isoformat() in failure.detail
    assert marriage.collect_events() == []


def test_a_lapsed_application_cannot_be_refused_either() -> None:
    marriage = application()
    with pytest.raises(WrongState) as caught:
        marriage.refuse(act(day(31)), reason="no show", failed_conditions=[], found=[], lapse_days=30)
    assert caught.value.failures[0].code == "application-lapsed"
    with pytest.raises(WrongState):
        marriage.refuse_as_found(act(day(31)), [], lapse_days=30)
    assert marriage.collect_events() == []


def test_a_refusal_on_day_30_is_still_recorded() -> None:
    marriage = application()
    marriage.refuse(act(day(30)), reason="no show", failed_conditions=[], found=[], lapse_days=30)
    assert marriage.state_on(day(400), lapse_days=30) == "refused"


def test_the_lapse_period_is_the_configured_number_of_days() -> None:
    marriage = application()
    assert marriage.state_on(day(1), lapse_days=1) == "applied"
    assert marriage.state_on(day(2), lapse_days=1) == "lapsed"


def test_a_registered_marriage_never_lapses() -> None:
    marriage = application()
    marriage.register(act(FILED), attendance=BOTH_PRESENT, facts=facts(FILED), certificate_numbers=NUMBERS,
                      lapse_days=30)  # fmt: skip
    assert marriage.state_on(day(400), lapse_days=30) == "registered"
