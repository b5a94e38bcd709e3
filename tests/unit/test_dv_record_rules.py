"""DV records: categories, the protection order's six months, and that only the issuing authority changes a record.

Given a record its authority added, when a command, then the events it records or the named refusal.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime
from uuid import uuid4

import pytest

from registry.common.actors import Actor
from registry.common.clock import CHINA_STANDARD_TIME
from registry.common.errors import Forbidden, InvalidInput, WrongState
from registry.dv_records.record import (
    POLICE_WARNING,
    STANDARD_CATEGORIES,
    DvDetails,
    DvRecord,
    months_after,
)
from tests.given import given, when
from tests.support import act

TODAY = date(2026, 11, 22)
COURT = Actor("judge-7", "dv-source", "330782-court")
POLICE = Actor("officer-3", "dv-source", "330782-police")


def details(
    category: str = "protection-order", issued: date = date(2026, 6, 1), expires: date | None = None
) -> DvDetails:
    return DvDetails(category, "(2026)浙0782民保令1号", issued, expires, "某某", "resident-id:CHN:X")


def adding(
    found: DvDetails, categories: tuple[str, ...] = STANDARD_CATEGORIES, by: Actor = COURT
) -> Callable[[], DvRecord]:
    """The command that adds a record (sealing its details stands in for the key store's encryption)."""
    return lambda: DvRecord.add(
        act(TODAY, by=by), record_id=uuid4(), details=found, categories=categories, today=TODAY,
        seal=lambda d: f"sealed:{d.category}",
    )  # fmt: skip


def added(found: DvDetails, by: Actor = COURT) -> DvRecord:
    return adding(found, by=by)()


def seal(by: Actor = COURT) -> Callable[[DvRecord], None]:
    return lambda record: record.seal(act(TODAY, by=by), sealed_reason="sealed:expunged by court order")


def revoke(by: Actor = COURT) -> Callable[[DvRecord], None]:
    return lambda record: record.revoke(act(TODAY, by=by), sealed_reason="sealed:wrong person")


def extend(current: DvDetails, to: date, by: Actor = COURT) -> Callable[[DvRecord], None]:
    return lambda record: record.extend(
        act(TODAY, by=by), current=current, expires_on=to, today=TODAY, seal=lambda day: f"sealed:{day}"
    )


def test_a_protection_order_may_run_exactly_six_months() -> None:
    [record] = when(adding(details(issued=date(2026, 1, 31), expires=date(2026, 7, 31)))).then(DvRecord.Added)
    assert (record.authority, record.sealed_details) == ("330782-court", "sealed:protection-order")


def test_a_protection_order_one_day_over_six_months_is_refused() -> None:
    when(adding(details(issued=date(2026, 1, 31), expires=date(2026, 8, 1)))).then(
        InvalidInput, "protection-order-validity"
    )


def test_six_months_after_31_august_is_the_last_day_of_february() -> None:
    assert months_after(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert months_after(date(2027, 8, 31), 6) == date(2028, 2, 29)


def test_a_protection_order_needs_an_expiry_date() -> None:
    when(adding(details(expires=None))).then(InvalidInput, "protection-order-validity")


def test_a_criminal_judgment_has_no_expiry_date() -> None:
    when(adding(details("criminal-judgment", expires=date(2027, 1, 1)))).then(InvalidInput, "dv-expiry-not-applicable")


def test_police_warnings_are_refused_unless_enabled_by_configuration() -> None:
    warning = details(POLICE_WARNING)
    when(adding(warning, by=POLICE)).then(InvalidInput, "dv-category-not-accepted")
    when(adding(warning, categories=(*STANDARD_CATEGORIES, POLICE_WARNING), by=POLICE)).then(DvRecord.Added)


def test_a_record_issued_in_the_future_is_refused() -> None:
    when(adding(details("administrative-detention", issued=date(2026, 11, 23)))).then(
        InvalidInput, "dv-issued-in-future"
    )


def test_only_the_issuing_authority_revokes_or_seals() -> None:
    history = given(added(details(expires=date(2026, 12, 1))))
    history.when(revoke(by=POLICE)).then(Forbidden, "not-the-issuing-authority")
    history.when(seal(by=POLICE)).then(Forbidden, "not-the-issuing-authority")
    history.when(revoke()).then(DvRecord.Revoked)
    history.when(seal()).then(DvRecord.Sealed)


def test_a_sealed_record_cannot_be_sealed_or_revoked_again() -> None:
    sealed = given(added(details(expires=date(2026, 12, 1))), seal())
    assert sealed.aggregate.sealed
    sealed.when(seal()).then(WrongState, "dv-record-sealed")
    sealed.when(revoke()).then(WrongState, "dv-record-sealed")


def test_a_court_extends_its_protection_order_before_it_ends_by_at_most_six_months() -> None:
    order = details(issued=date(2026, 9, 1), expires=date(2027, 3, 1))
    history = given(added(order))
    history.when(extend(order, date(2027, 9, 2))).then(InvalidInput, "dv-extension-length")
    history.when(extend(order, date(2027, 9, 1), by=POLICE)).then(Forbidden, "not-the-issuing-authority")
    [extension] = history.when(extend(order, date(2027, 9, 1))).then(DvRecord.Extended)
    assert extension.sealed_extension == "sealed:2027-09-01"
    ended = details(issued=date(2026, 5, 1), expires=date(2026, 11, 1))
    given(added(ended)).when(extend(ended, date(2027, 3, 1))).then(InvalidInput, "dv-extension-after-expiry")


def test_a_protection_order_is_in_force_through_its_expiry_date_and_not_after() -> None:
    order = details(expires=date(2026, 12, 1))
    assert order.is_in_force_on(date(2026, 12, 1)) and not order.is_in_force_on(date(2026, 12, 2))


# Anti-Domestic Violence Law art 28: the court issues a protection order within 72 hours of the application, within
# 24 hours when the case is urgent (DOMAIN.md section 2). The register records an order once issued: it is given no
# application time, so it cannot tell a late order (docs/domain.md section 11, item 7).
ISSUING_TIMES_NOT_RECORDED = pytest.mark.xfail(
    strict=True, raises=TypeError,
    reason="not implemented: a DV record carries no application time, so the 72 h / 24 h issuing periods of Anti-DV "
    "Law art 28 are not checked (docs/domain.md section 11, item 7)",
)  # fmt: skip


def order_applied_for(at: datetime, *, urgent: bool, issued: date) -> DvDetails:
    return DvDetails(  # type: ignore[call-arg]
        "protection-order", "(2026)浙0782民保令1号", issued, date(2026, 12, 1), "某某", "resident-id:CHN:X",
        applied_at=at, urgent=urgent,
    )  # fmt: skip


@ISSUING_TIMES_NOT_RECORDED
def test_a_protection_order_issued_more_than_72_hours_after_its_application_is_recorded_as_late() -> None:
    applied = datetime(2026, 5, 28, 9, 0, tzinfo=CHINA_STANDARD_TIME)
    on_time = order_applied_for(applied, urgent=False, issued=date(2026, 5, 31))
    assert not on_time.issued_late and replace(on_time, issued_on=date(2026, 6, 1)).issued_late  # type: ignore[attr-defined]


@ISSUING_TIMES_NOT_RECORDED
def test_an_urgent_protection_order_issued_more_than_24_hours_after_its_application_is_recorded_as_late() -> None:
    applied = datetime(2026, 5, 28, 9, 0, tzinfo=CHINA_STANDARD_TIME)
    on_time = order_applied_for(applied, urgent=True, issued=date(2026, 5, 29))
    assert not on_time.issued_late and replace(on_time, issued_on=date(2026, 5, 30)).issued_late  # type: ignore[attr-defined]
