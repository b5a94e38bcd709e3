"""Marriage registration (Civil Code arts 1046-1049): given an application, when registering, then..."""

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from registry.common.actors import Act
from registry.common.errors import Forbidden, InvalidInput, NotEligible, WrongState
from registry.marriage.eligibility import PartyFacts, age_reached_on
from registry.marriage.marriage import REGISTERED, Marriage
from registry.marriage.person_status import PersonStatus
from registry.marriage.values import Attendance
from tests.given import given, when
from tests.support import BOTH_PRESENT, OTHER_CLERK, PRESENT, act, person

DAY = date(2026, 11, 22)
NUMBERS = ("J330782001-2026-000001", "J330782001-2026-000002")


def nothing_known() -> tuple[PartyFacts, PartyFacts]:
    """Two people the registry knows nothing against."""
    return (PartyFacts(PersonStatus.open(act(DAY), "ref-a")), PartyFacts(PersonStatus.open(act(DAY), "ref-b")))


def applied(man_born: date = date(1995, 1, 1), woman_born: date = date(1996, 1, 1)) -> Marriage:
    """An application as filed (its event not yet collected: the history a test is given)."""
    return Marriage.apply_for(act(DAY), party_a=person(man_born, "male"), party_b=person(woman_born, "female"))


def register(
    *, at: Act | None = None, attendance: tuple[Attendance, Attendance] = BOTH_PRESENT,
    facts: tuple[PartyFacts, PartyFacts] | None = None,
) -> Callable[[Marriage], None]:  # fmt: skip
    """The command: register on DAY at the office of filing, both present, nothing known against either party."""

    def command(marriage: Marriage) -> None:
        marriage.register(at or act(DAY), attendance=attendance, facts=facts or nothing_known(),
                          certificate_numbers=NUMBERS)  # fmt: skip

    return command


def refuse(reason: str, *conditions: str) -> Callable[[Marriage], None]:
    """The command: a clerk refuses for a reason the checks cannot see."""
    return lambda marriage: marriage.refuse(act(DAY), reason=reason, failed_conditions=list(conditions), found=[])


def test_register_records_the_registration_with_both_certificates() -> None:
    [registration] = given(applied()).when(register()).then(Marriage.Registered)
    assert (registration.certificate_a, registration.certificate_b, registration.registered_on) == (*NUMBERS, DAY)
    assert registration.actor.office == "330782001"


def test_register_refuses_a_man_one_day_short_of_22() -> None:
    refusal = given(applied(man_born=date(2004, 11, 23))).when(register()).then(NotEligible, "under-legal-age")
    assert refusal.failures[0].subject == "a"


def test_register_accepts_a_man_on_his_22nd_birthday() -> None:
    given(applied(man_born=date(2004, 11, 22))).when(register()).then(Marriage.Registered)


def test_register_refuses_a_woman_one_day_short_of_20_and_accepts_her_on_her_birthday() -> None:
    given(applied(woman_born=date(2006, 11, 23))).when(register()).then(NotEligible, "under-legal-age")
    given(applied(woman_born=date(2006, 11, 22))).when(register()).then(Marriage.Registered)


def test_legal_age_is_judged_on_the_local_date_of_registration() -> None:
    late_evening_utc = replace(act(DAY), at=datetime(2026, 11, 21, 16, 30, tzinfo=UTC))  # 22 November in the city
    history = given(applied(man_born=date(2004, 11, 22)))
    [registration] = history.when(register(at=late_evening_utc)).then(Marriage.Registered)
    assert registration.registered_on == DAY


def test_someone_born_on_29_february_comes_of_age_on_1_march_in_a_common_year() -> None:
    assert age_reached_on(date(2004, 2, 29), 22) == date(2026, 3, 1)


def test_register_refuses_naming_every_failed_condition() -> None:
    marriage = applied(woman_born=date(2010, 1, 1))
    absent = Attendance(present=False, declares_voluntary=False)
    taken = PersonStatus.open(act(DAY), "ref-a")
    taken.marry(act(DAY), marriage_id=marriage.id, since=DAY)
    facts = (PartyFacts(taken), nothing_known()[1])
    refusal = given(marriage).when(register(attendance=(PRESENT, absent), facts=facts)).then(NotEligible)
    assert [(f.subject, f.code) for f in refusal.failures] == [
        ("a", "party-already-married"),
        ("b", "party-not-present"),
        ("b", "marriage-not-voluntary"),
        ("b", "under-legal-age"),
        ("b", "no-spouse-statement-missing"),
        ("b", "kinship-statement-missing"),
    ]


def test_register_refuses_a_party_who_is_currently_married() -> None:
    marriage = applied()
    married = PersonStatus.open(act(DAY), "ref-b")
    married.marry(act(DAY), marriage_id=marriage.id, since=date(2020, 1, 1))
    facts = (nothing_known()[0], PartyFacts(married))
    given(marriage).when(register(facts=facts)).then(NotEligible, "party-already-married")


def test_register_accepts_a_divorced_party() -> None:
    marriage = applied()
    divorced = PersonStatus.open(act(DAY), "ref-b")
    divorced.marry(act(DAY), marriage_id=marriage.id, since=date(2020, 1, 1))
    divorced.end_marriage(act(DAY), marriage_id=marriage.id, how="divorced", on=date(2022, 1, 1))
    assert divorced.status == "divorced" and divorced.marriage_failure("b") is None
    outcome = given(marriage).when(register(facts=(nothing_known()[0], PartyFacts(divorced))))
    [registration] = outcome.then(Marriage.Registered)
    assert outcome.subject.state == REGISTERED and registration.registered_on == DAY


def test_register_refuses_two_men() -> None:
    two_men = Marriage.apply_for(
        act(DAY), party_a=person(date(1990, 1, 1), "male"), party_b=person(date(1991, 1, 1), "male")
    )
    given(two_men).when(register()).then(NotEligible, "not-a-man-and-a-woman")


def test_apply_refuses_the_same_person_twice() -> None:
    someone = person(date(1990, 1, 1), "male")
    when(lambda: Marriage.apply_for(act(DAY), party_a=someone, party_b=someone)).then(
        InvalidInput, "parties-are-the-same-person"
    )


def test_apply_records_the_office_of_the_acting_clerk() -> None:
    man, woman = person(date(1990, 1, 1), "male"), person(date(1991, 1, 1), "female")
    [application] = when(lambda: Marriage.apply_for(act(DAY, by=OTHER_CLERK), party_a=man, party_b=woman)).then(
        Marriage.Applied
    )
    assert application.office == "330782002"


def test_register_is_refused_at_another_office() -> None:
    given(applied()).when(register(at=act(DAY, by=OTHER_CLERK))).then(Forbidden, "wrong-office")


def test_a_registered_marriage_cannot_be_registered_again() -> None:
    given(applied(), register()).when(register()).then(WrongState, "marriage-registered")


def test_refuse_records_the_reason_and_ends_the_application() -> None:
    [refusal] = given(applied()).when(refuse("documents forged", "documents-invalid")).then(Marriage.Refused)
    assert (refusal.reason, refusal.failed_conditions) == ("documents forged", ["documents-invalid"])
    given(applied(), refuse("documents forged")).when(register()).then(WrongState, "marriage-refused")


def test_a_clerks_refusal_cannot_name_a_condition_the_registry_finds_met() -> None:
    given(applied()).when(refuse("too young", "under-legal-age")).then(InvalidInput, "refusal-contradicts-checks")


@pytest.mark.parametrize("written", ["Under_Legal_Age", " under legal age ", "UNDER-LEGAL-AGE"])
def test_a_condition_code_written_another_way_is_read_as_the_code_it_spells(written: str) -> None:
    history = given(applied())
    history.when(refuse("too young", written)).then(InvalidInput, "refusal-contradicts-checks")
    [refusal] = history.when(refuse("no documents", "No_Documents")).then(Marriage.Refused)
    assert refusal.failed_conditions == ["no-documents"]


def test_a_clerks_refusal_may_name_a_condition_the_registry_also_finds_failed() -> None:
    history = given(applied(man_born=date(2004, 11, 23)))
    found = history.aggregate.eligibility_failures(DAY, nothing_known(), office_designated=False)

    def clerk_refuses(marriage: Marriage) -> None:
        marriage.refuse(act(DAY), reason="under age", failed_conditions=["under-legal-age"], found=found)

    outcome = history.when(clerk_refuses)
    [refusal] = outcome.then(Marriage.Refused)
    assert [f.code for f in refusal.findings] == ["under-legal-age"]
    assert outcome.subject.refusal_findings == found


def test_a_failed_registration_is_refused_with_the_conditions_the_registry_found() -> None:
    history = given(applied(man_born=date(2004, 11, 23)))
    failures = history.when(register()).then(NotEligible).failures
    outcome = history.when(lambda marriage: marriage.refuse_as_found(act(DAY), failures))
    [refusal] = outcome.then(Marriage.Refused)
    assert refusal.failed_conditions == ["under-legal-age"]
    assert outcome.subject.state == "refused" and outcome.subject.refusal_findings == failures


def test_a_reissued_certificate_replaces_the_old_number_which_is_kept() -> None:
    outcome = given(applied(), register()).when(
        lambda marriage: marriage.reissue_certificate(
            act(DAY), party="b", reason="lost", certificate="J330782001-2026-000003"
        )
    )
    [reissue] = outcome.then(Marriage.CertificateReissued)
    assert (reissue.replaced, reissue.certificate) == (NUMBERS[1], "J330782001-2026-000003")
    assert outcome.subject.certificates["b"] == "J330782001-2026-000003"
    assert outcome.subject.replaced_certificates == [NUMBERS[1]]


def test_register_refuses_a_party_reported_married_in_another_province() -> None:
    elsewhere = (nothing_known()[0], PartyFacts(nothing_known()[1].status, married_in=("32",)))
    refusal = given(applied()).when(register(facts=elsewhere)).then(NotEligible)
    assert [(f.subject, f.code) for f in refusal.failures] == [("b", "party-married-in-another-province")]
