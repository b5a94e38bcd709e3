"""DV records: categories, the protection order's six months, and that only the issuing authority changes a record."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from registry.common.actors import Actor
from registry.common.errors import Forbidden, InvalidInput, WrongState
from registry.dv_records.record import (
    POLICE_WARNING,
    STANDARD_CATEGORIES,
    DvDetails,
    DvRecord,
    months_after,
)
from tests.support import act

TODAY = date(2026, 11, 22)
COURT = Actor("judge-7", "dv-source", "330782-court")
POLICE = Actor("officer-3", "dv-source", "330782-police")


def details(
    category: str = "protection-order", issued: date = date(2026, 6, 1), expires: date | None = None
) -> DvDetails:
    return DvDetails(category, "(2026)浙0782民保令1号", issued, expires, "某某", "resident-id:CHN:X")


def add(found: DvDetails, categories: tuple[str, ...] = STANDARD_CATEGORIES, by: Actor = COURT) -> DvRecord:
    return DvRecord.add(
        act(TODAY, by=by), record_id=uuid4(), details=found, categories=categories, today=TODAY,
        seal=lambda d: "sealed",
    )  # fmt: skip


def codes(error: InvalidInput) -> list[str]:
    return [f.code for f in error.failures]


def test_a_protection_order_may_run_exactly_six_months() -> None:
    record = add(details(issued=date(2026, 1, 31), expires=date(2026, 7, 31)))
    assert record.authority == "330782-court"


def test_a_protection_order_one_day_over_six_months_is_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        add(details(issued=date(2026, 1, 31), expires=date(2026, 8, 1)))
    assert codes(caught.value) == ["protection-order-validity"]


def test_six_months_after_31_august_is_the_last_day_of_february() -> None:
    assert months_after(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert months_after(date(2027, 8, 31), 6) == date(2028, 2, 29)


def test_a_protection_order_needs_an_expiry_date() -> None:
    with pytest.raises(InvalidInput) as caught:
        add(details(expires=None))
    assert codes(caught.value) == ["protection-order-validity"]


def test_a_criminal_judgment_has_no_expiry_date() -> None:
    with pytest.raises(InvalidInput) as caught:
        add(details("criminal-judgment", expires=date(2027, 1, 1)))
    assert codes(caught.value) == ["dv-expiry-not-applicable"]


def test_police_warnings_are_refused_unless_enabled_by_configuration() -> None:
    with pytest.raises(InvalidInput) as caught:
        add(details(POLICE_WARNING), by=POLICE)
    assert codes(caught.value) == ["dv-category-not-accepted"]
    add(details(POLICE_WARNING), categories=(*STANDARD_CATEGORIES, POLICE_WARNING), by=POLICE)


def test_a_record_issued_in_the_future_is_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        add(details("administrative-detention", issued=date(2026, 11, 23)))
    assert codes(caught.value) == ["dv-issued-in-future"]


def test_only_the_issuing_authority_revokes_or_seals() -> None:
    record = add(details(expires=date(2026, 12, 1)))
    with pytest.raises(Forbidden):
        record.revoke(act(TODAY, by=POLICE), sealed_reason="sealed:wrong person")
    with pytest.raises(Forbidden):
        record.seal(act(TODAY, by=POLICE), sealed_reason="sealed:expunged")


def test_a_sealed_record_cannot_be_sealed_or_revoked_again() -> None:
    record = add(details(expires=date(2026, 12, 1)))
    record.seal(act(TODAY, by=COURT), sealed_reason="sealed:expunged by court order")
    with pytest.raises(WrongState):
        record.seal(act(TODAY, by=COURT), sealed_reason="sealed:again")
    with pytest.raises(WrongState):
        record.revoke(act(TODAY, by=COURT), sealed_reason="sealed:again")


def test_a_protection_order_is_in_force_through_its_expiry_date_and_not_after() -> None:
    order = details(expires=date(2026, 12, 1))
    assert order.is_in_force_on(date(2026, 12, 1)) and not order.is_in_force_on(date(2026, 12, 2))
