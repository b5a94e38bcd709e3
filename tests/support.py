"""Builders for tests: valid identity numbers, people, actors and acts."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time
from uuid import UUID, uuid4

from eventsourcing.application import Application
from eventsourcing.postgres import PostgresApplicationRecorder

from registry.common.actors import Act, Actor
from registry.common.clock import CHINA_STANDARD_TIME
from registry.common.divisions import divisions_in
from registry.common.identity import Person, identify, resident_id_check_character
from registry.marriage.values import Attendance

OFFICE = "330782001"
OTHER_OFFICE = "330782002"
CLERK = Actor("clerk-1", "clerk", OFFICE)
OTHER_CLERK = Actor("clerk-2", "clerk", OTHER_OFFICE)
COURT = Actor("judge-1", "court", "330782-court")
SUPERVISOR = Actor("supervisor-1", "supervisor", "330782")

_sequence = itertools.count(1)
# The city's own code first, then every other code of Zhejiang that is or was on the official list.
_DIVISIONS = ("330782", *(code for code in divisions_in("33") if code != "330782"))


def resident_id(birth: date, sex: str) -> str:
    """A valid resident identity number for a birth date and sex, never the same twice in a test session.

    Each division code gives 500 numbers per sex and birth date; past them the next known division of the province
    is used, so every number keeps a real division code (about 128,000 numbers per birth date and sex).
    """
    serial = next(_sequence)
    division = _DIVISIONS[serial // 500 % len(_DIVISIONS)]
    digit = 2 * (serial % 500) + (1 if sex == "male" else 0)
    body = f"{division}{birth:%Y%m%d}{digit:03d}"
    return body + resident_id_check_character(body)


def person(birth: date, sex: str, name: str = "测试") -> Person:
    return identify(
        document_type="resident-id", document_number=resident_id(birth, sex), name=name, today=date(2100, 1, 1)
    )


def local_noon(day: date) -> datetime:
    """Noon in the city on a given day, as a UTC moment (the clock's view)."""
    return datetime.combine(day, time(12), CHINA_STANDARD_TIME).astimezone(UTC)


def act(day: date, by: Actor = CLERK, key: str | None = None) -> Act:
    return Act(by=by, at=local_noon(day), request_id=f"req-{uuid4().hex[:8]}", idempotency_key=key)


PRESENT = Attendance(
    present=True,
    declares_voluntary=True,
    signed_no_spouse_statement=True,
    signed_no_kinship_statement=True,
    signed_divorce_agreement=True,
)
BOTH_PRESENT = (PRESENT, PRESENT)


def recorder_of(application: Application[UUID]) -> PostgresApplicationRecorder:
    """An application's recorder on PostgreSQL (with its table's name and its datastore)."""
    recorder = application.recorder
    assert isinstance(recorder, PostgresApplicationRecorder)
    return recorder
