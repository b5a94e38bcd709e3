"""Marriage registration (Civil Code arts 1046-1049): given an application, when registering, then..."""

from datetime import date

import pytest

from registry.common.errors import Forbidden, InvalidInput, NotEligible, WrongState
from registry.marriage.eligibility import PartyFacts, age_reached_on
from registry.marriage.marriage import Marriage
from registry.marriage.person_status import PersonStatus
from registry.marriage.values import Attendance
from tests.support import BOTH_PRESENT, OTHER_CLERK, PRESENT, act, person

DAY = date(2026, 11, 22)
NUMBERS = ("J330782001-2026-000001", "J330782001-2026-000002")


def facts() -> tuple[PartyFacts, PartyFacts]:
    """Given two people the registry knows nothing against."""
    return (PartyFacts(PersonStatus.open(act(DAY), "ref-a")), PartyFacts(PersonStatus.open(act(DAY), "ref-b")))


def application(man_born: date = date(1995, 1, 1), woman_born: date = date(1996, 1, 1)) -> Marriage:
    marriage = Marriage.apply_for(act(DAY), party_a=person(man_born, "male"), party_b=person(woman_born, "female"))
    marriage.collect_events()
    return marriage


def failure_codes(error: NotEligible) -> list[str]:
    return [failure.code for failure in error.failures]


def test_register_records_the_registration_with_both_certificates() -> None:
    marriage = application()
    marriage.register(act(DAY), attendance=BOTH_PRESENT, facts=facts(), certificate_numbers=NUMBERS)
    [registered] = marriage.collect_events()
    assert isinstance(registered, Marriage.Registered)
    assert (registered.certificate_a, registered.certificate_b, registered.registered_on) == (*NUMBERS, DAY)
    assert registered.actor.office == "330782001"


def test_register_refuses_a_man_one_day_short_of_22() -> None:
    marriage = application(man_born=date(2004, 11, 23))
    with pytest.raises(NotEligible) as caught:
        marriage.register(act(DAY), attendance=BOTH_PRESENT, facts=facts(), certificate_numbers=NUMBERS)
    assert failure_codes(caught.value) == ["under-legal-age"]
    assert caught.value.failures[0].subject == "a"
    assert marriage.collect_events() == []


def test_register_accepts_a_man_on_his_22nd_birthday() -> None:
    marriage = application(man_born=date(2004, 11, 22))
    marriage.register(act(DAY), attendance=BOTH_PRESENT, facts=facts(), certificate_numbers=NUMBERS)
    assert marriage.state == "registered"


def test_register_refuses_a_woman_one_day_short_of_20_and_accepts_her_on_her_birthday() -> None:
    with pytest.raises(NotEligible):
        application(woman_born=date(2006, 11, 23)).register(
            act(DAY), attendance=BOTH_PRESENT, facts=facts(), certificate_numbers=NUMBERS
        )
    application(woman_born=date(2006, 11, 22)).register(
        act(DAY), attendance=BOTH_PRESENT, facts=facts(), certificate_numbers=NUMBERS
    )


def test_legal_age_is_judged_on_the_local_date_of_registration() -> None:
    # 16:30 UTC on 21 November is already 22 November in the city.
    from dataclasses import replace
    from datetime import UTC, datetime

    marriage = application(man_born=date(2004, 11, 22))
    late_evening_utc = replace(act(DAY), at=datetime(2026, 11, 21, 16, 30, tzinfo=UTC))
    marriage.register(late_evening_utc, attendance=BOTH_PRESENT, facts=facts(), certificate_numbers=NUMBERS)
    assert marriage.registered_on == DAY


def test_someone_born_on_29_february_comes_of_age_on_1_march_in_a_common_year() -> None:
    assert age_reached_on(date(2004, 2, 29), 22) == date(2026, 3, 1)


def test_register_refuses_naming_every_failed_condition() -> None:
    marriage = application(woman_born=date(2010, 1, 1))
    absent = Attendance(present=False, declares_voluntary=False)
    taken = PersonStatus.open(act(DAY), "ref-a")
    taken.marry(act(DAY), marriage_id=marriage.id, since=DAY)
    with pytest.raises(NotEligible) as caught:
        marriage.register(
            act(DAY), attendance=(PRESENT, absent), facts=(PartyFacts(taken), facts()[1]), certificate_numbers=NUMBERS
        )
    assert [(f.subject, f.code) for f in caught.value.failures] == [
        ("a", "party-already-married"),
        ("b", "party-not-present"),
        ("b", "marriage-not-voluntary"),
        ("b", "under-legal-age"),
        ("b", "no-spouse-statement-missing"),
        ("b", "kinship-statement-missing"),
    ]


def test_register_refuses_a_party_who_is_currently_married() -> None:
    marriage = application()
    married = PersonStatus.open(act(DAY), "ref-b")
    married.marry(act(DAY), marriage_id=marriage.id, since=date(2020, 1, 1))
    with pytest.raises(NotEligible) as caught:
        marriage.register(
            act(DAY), attendance=BOTH_PRESENT, facts=(facts()[0], PartyFacts(married)), certificate_numbers=NUMBERS
        )
    assert failure_codes(caught.value) == ["party-already-married"]


def test_register_accepts_a_divorced_party() -> None:
    marriage = application()
    divorced = PersonStatus.open(act(DAY), "ref-b")
    divorced.marry(act(DAY), marriage_id=marriage.id, since=date(2020, 1, 1))
    divorced.end_marriage(act(DAY), marriage_id=marriage.id, how="divorced", on=date(2022, 1, 1))
    marriage.register(
        act(DAY), attendance=BOTH_PRESENT, facts=(facts()[0], PartyFacts(divorced)), certificate_numbers=NUMBERS
    )


def test_register_refuses_two_men() -> None:
    marriage = Marriage.apply_for(
        act(DAY), party_a=person(date(1990, 1, 1), "male"), party_b=person(date(1991, 1, 1), "male")
    )
    with pytest.raises(NotEligible) as caught:
        marriage.register(act(DAY), attendance=BOTH_PRESENT, facts=facts(), certificate_numbers=NUMBERS)
    assert failure_codes(caught.value) == ["not-a-man-and-a-woman"]


def test_apply_refuses_the_same_person_twice() -> None:
    someone = person(date(1990, 1, 1), "male")
    with pytest.raises(InvalidInput):
        Marriage.apply_for(act(DAY), party_a=someone, party_b=someone)


def test_apply_records_the_office_of_the_acting_clerk() -> None:
    marriage = Marriage.apply_for(
        act(DAY, by=OTHER_CLERK), party_a=person(date(1990, 1, 1), "male"), party_b=person(date(1991, 1, 1), "female")
    )
    assert marriage.office == "330782002"


def test_register_is_refused_at_another_office() -> None:
    with pytest.raises(Forbidden):
        application().register(
            act(DAY, by=OTHER_CLERK), attendance=BOTH_PRESENT, facts=facts(), certificate_numbers=NUMBERS
        )


def test_a_registered_marriage_cannot_be_registered_again() -> None:
    marriage = application()
    marriage.register(act(DAY), attendance=BOTH_PRESENT, facts=facts(), certificate_numbers=NUMBERS)
    with pytest.raises(WrongState):
        marriage.register(act(DAY), attendance=BOTH_PRESENT, facts=facts(), certificate_numbers=NUMBERS)


def test_refuse_records_the_reason_and_ends_the_application() -> None:
    marriage = application()
    marriage.refuse(act(DAY), reason="documents forged", failed_conditions=["documents-invalid"], found=[])
    [refused] = marriage.collect_events()
    assert isinstance(refused, Marriage.Refused) and refused.reason == "documents forged"
    with pytest.raises(WrongState):
        marriage.register(act(DAY), attendance=BOTH_PRESENT, facts=facts(), certificate_numbers=NUMBERS)


def test_a_clerks_refusal_cannot_name_a_condition_the_registry_finds_met() -> None:
    marriage = application()
    with pytest.raises(InvalidInput) as caught:
        marriage.refuse(act(DAY), reason="too young", failed_conditions=["under-legal-age"], found=[])
    assert [f.code for f in caught.value.failures] == ["refusal-contradicts-checks"]
    assert marriage.collect_events() == []


@pytest.mark.parametrize("written", ["Under_Legal_Age", " under legal age ", "UNDER-LEGAL-AGE"])
def test_a_condition_code_written_another_way_is_read_as_the_code_it_spells(written: str) -> None:
    marriage = application()
    with pytest.raises(InvalidInput) as caught:
        marriage.refuse(act(DAY), reason="too young", failed_conditions=[written], found=[])
    assert [f.code for f in caught.value.failures] == ["refusal-contradicts-checks"]
    marriage.refuse(act(DAY), reason="no documents", failed_conditions=["No_Documents"], found=[])
    assert marriage.collect_events()[-1].failed_conditions == ["no-documents"]


def test_a_clerks_refusal_may_name_a_condition_the_registry_also_finds_failed() -> None:
    marriage = application(man_born=date(2004, 11, 23))
    found = marriage.eligibility_failures(DAY, facts(), office_designated=False)
    marriage.refuse(act(DAY), reason="under age", failed_conditions=["under-legal-age"], found=found)
    assert [f.code for f in marriage.refusal_findings] == ["under-legal-age"]


def test_a_failed_registration_is_refused_with_the_conditions_the_registry_found() -> None:
    marriage = application(man_born=date(2004, 11, 23))
    with pytest.raises(NotEligible) as caught:
        marriage.register(act(DAY), attendance=BOTH_PRESENT, facts=facts(), certificate_numbers=NUMBERS)
    marriage.refuse_as_found(act(DAY), caught.value.failures)
    [refused] = marriage.collect_events()
    assert isinstance(refused, Marriage.Refused) and refused.failed_conditions == ["under-legal-age"]
    assert marriage.state == "refused" and marriage.refusal_findings == caught.value.failures


def test_a_reissued_certificate_replaces_the_old_number_which_is_kept() -> None:
    marriage = application()
    marriage.register(act(DAY), attendance=BOTH_PRESENT, facts=facts(), certificate_numbers=NUMBERS)
    marriage.reissue_certificate(act(DAY), party="b", reason="lost", certificate="J330782001-2026-000003")
    assert marriage.certificates["b"] == "J330782001-2026-000003"
    assert marriage.replaced_certificates == [NUMBERS[1]]


def test_register_refuses_a_party_reported_married_in_another_province() -> None:
    marriage = application()
    with pytest.raises(NotEligible) as caught:
        elsewhere = (facts()[0], PartyFacts(facts()[1].status, married_in=("32",)))
        marriage.register(act(DAY), attendance=BOTH_PRESENT, facts=elsewhere, certificate_numbers=NUMBERS)
    assert [(f.subject, f.code) for f in caught.value.failures] == [("b", "party-married-in-another-province")]
