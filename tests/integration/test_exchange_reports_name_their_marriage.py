"""A peer's report about a marriage is applied only where it has standing: a peer ends its own marriages, and ours
only with the parties and dates our record has. Otherwise any peer could close another province's marriage (and so
let a bigamous one pass the check here) or dissolve one of ours knowing only its id."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from projections.catalog import ReadSide
from registry.common.identity import Person
from registry.exchange.application import REGISTERED
from registry.marriage.marriage import DISSOLVED
from registry.marriage.marriage import REGISTERED as MARRIAGE_REGISTERED
from registry.system import Registry
from tests.support import BOTH_PRESENT, act, person

DIVORCED = "cn.gov.civil-affairs.marriage.divorced"
DAY = date(2026, 11, 2)


def envelope(registry: Registry, sequence: int, kind: str, marriage: str, on: date, *people: Person,
             origin: str | None = None) -> dict[str, Any]:  # fmt: skip
    parties = [{"person": registry.exchange.person_hash(p.document_key)} for p in people]
    data = {"marriage": marriage, "on": on.isoformat(), "parties": parties, **({"origin": origin} if origin else {})}
    return {"id": f"x:{sequence}", "type": kind, "sequence": sequence, "previous": sequence - 1, "data": data}


def ours(registry: Registry) -> tuple[UUID, Person, Person]:
    a, b = person(date(1990, 1, 1), "male"), person(date(1992, 2, 2), "female")
    marriage = registry.marriage.apply_for_marriage(act(DAY), party_a=a, party_b=b).aggregate_id
    registry.marriage.register_marriage(act(DAY), marriage, attendance=BOTH_PRESENT)
    return marriage, a, b


def run_policies(registry: Registry) -> None:
    read_side = ReadSide(registry)
    try:
        read_side.catch_up()
    finally:
        read_side.close()


def test_a_peer_cannot_end_a_marriage_another_province_registered(registry: Registry) -> None:
    a, b = person(date(1990, 1, 1), "male"), person(date(1992, 2, 2), "female")
    exchange = registry.exchange
    exchange.apply_fact(act(DAY), "32", envelope(registry, 1, REGISTERED, "m-1", DAY, a, b))
    exchange.apply_fact(act(DAY), "31", envelope(registry, 1, DIVORCED, "m-1", DAY, a, b, origin="32"))
    assert exchange.married_elsewhere(a.document_key) == ["32"]
    assert exchange.position_of("31") == 1  # read, and set aside


def test_a_report_that_our_marriage_ended_is_applied_only_with_its_own_parties(registry: Registry) -> None:
    marriage, a, b = ours(registry)
    stranger = person(date(1980, 5, 5), "female")
    us = registry.settings.jurisdiction
    facts = [
        envelope(registry, 1, DIVORCED, str(marriage), DAY, a, stranger, origin=us),
        envelope(registry, 2, DIVORCED, str(marriage), date(2026, 11, 1), a, b, origin=us),  # before it was registered
    ]
    for fact in facts:
        registry.exchange.apply_fact(act(DAY), "32", fact)
    run_policies(registry)
    assert registry.marriage.marriage(marriage).state == MARRIAGE_REGISTERED

    registry.exchange.apply_fact(act(DAY), "32", envelope(registry, 3, DIVORCED, str(marriage), DAY, b, a, origin=us))
    run_policies(registry)
    assert registry.marriage.marriage(marriage).state == DISSOLVED


def test_recording_a_marriage_from_the_exchange_again_with_its_key_returns_the_first_result(registry: Registry) -> None:
    """Even after the exchange reports that marriage ended: a retry replays, it does not decide again."""
    a, b = person(date(1990, 1, 1), "male"), person(date(1992, 2, 2), "female")
    registry.exchange.apply_fact(act(DAY), "32", envelope(registry, 1, REGISTERED, "m-1", DAY, a, b))
    first = registry.marriage.record_from_exchange(act(DAY, key="record-1"), party_a=a, party_b=b)
    registry.exchange.apply_fact(act(DAY), "32", envelope(registry, 2, DIVORCED, "m-1", DAY, a, b))

    again = registry.marriage.record_from_exchange(act(DAY, key="record-1"), party_a=a, party_b=b)

    assert (again.aggregate_id, again.replayed, again.created) == (first.aggregate_id, True, True)
