"""Marital status is derived from marriages and how they ended."""

from datetime import date
from uuid import uuid4

from registry.marriage.person_status import PersonStatus
from tests.support import act

DAY = date(2026, 1, 1)


def status_with(*endings: str | None) -> PersonStatus:
    status = PersonStatus.open(act(DAY), "ref")
    for year, how in enumerate(endings, start=2000):
        marriage_id = uuid4()
        status.marry(act(DAY), marriage_id=marriage_id, since=date(year, 1, 1))
        if how is not None:
            status.end_marriage(act(DAY), marriage_id=marriage_id, how=how, on=date(year, 6, 1))  # type: ignore[arg-type]
    return status


def test_someone_never_married_is_unmarried() -> None:
    assert status_with().status == "unmarried"


def test_a_running_marriage_makes_a_person_married() -> None:
    assert status_with(None).status == "married"


def test_after_a_divorce_a_person_is_divorced() -> None:
    assert status_with("divorced").status == "divorced"


def test_after_a_spouse_dies_a_person_is_widowed() -> None:
    assert status_with("divorced", "widowed").status == "widowed"


def test_a_void_marriage_leaves_the_status_it_would_have_had_without_it() -> None:
    assert status_with("void").status == "unmarried"
    assert status_with("divorced", "annulled").status == "divorced"


def test_a_marriage_declared_void_after_a_divorce_no_longer_counts_as_a_divorce() -> None:
    status = status_with("divorced")
    status.end_marriage(act(DAY), marriage_id=status.marriages[0].marriage_id, how="void", on=DAY)
    assert status.status == "unmarried"
