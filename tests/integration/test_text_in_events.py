"""On SQLite and PostgreSQL: no event is stored with a NUL or another refused character, whatever the way in
(the console and the CLI call the applications directly; facts come from other provinces' feeds)."""

from __future__ import annotations

from datetime import date

import pytest

from registry.common.errors import InvalidInput
from registry.system import Registry
from tests.integration.test_exchange_document_keys import PEER, fact, peer_act
from tests.support import act, person

DAY = date(2026, 11, 22)


def test_a_refusal_reason_with_a_nul_is_refused_and_nothing_is_stored(registry: Registry) -> None:
    filed = registry.marriage.apply_for_marriage(
        act(DAY), party_a=person(date(1990, 1, 1), "male"), party_b=person(date(1992, 2, 2), "female")
    )
    head = registry.marriage.recorder.max_notification_id()
    with pytest.raises(InvalidInput, match=r"U\+0000"):
        registry.marriage.refuse_marriage(act(DAY), filed.aggregate_id, reason="absent\x00", failed_conditions=[])
    assert registry.marriage.recorder.max_notification_id() == head
    assert registry.marriage.marriage(filed.aggregate_id).state == "applied"


def test_a_name_with_a_nul_never_reaches_an_event(registry: Registry) -> None:
    with pytest.raises(InvalidInput, match=r"U\+0000"):
        registry.marriage.apply_for_marriage(
            act(DAY), party_a=person(date(1990, 1, 1), "male", "王\x00伟"), party_b=person(date(1992, 2, 2), "female")
        )
    assert (registry.marriage.recorder.max_notification_id() or 0) == 0


def test_a_fact_from_another_province_with_a_nul_is_refused_whole(registry: Registry) -> None:
    man, woman = person(date(1990, 1, 1), "male"), person(date(1992, 2, 2), "female")
    poisoned = fact(1, man.document_number, woman.document_number)
    poisoned["data"]["marriage"] = "m-1\x00"
    with pytest.raises(InvalidInput, match=r"U\+0000"):
        registry.exchange.apply_fact(peer_act(), PEER, poisoned)
    assert registry.exchange.position_of(PEER) == 0
    assert registry.exchange.married_elsewhere(man.document_key) == []
