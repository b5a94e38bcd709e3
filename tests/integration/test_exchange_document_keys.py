"""On SQLite and PostgreSQL: facts from other provinces key the person they mean, however the number was written."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from projections.audit.checkpoints import public_key_text
from registry.common.actors import Act, Actor
from registry.common.errors import InvalidInput
from registry.exchange.application import REGISTERED
from registry.exchange.follower import ExchangeFollower, Peer
from registry.exchange.pages import sign_page
from registry.system import Registry
from tests.support import local_noon, person

DAY = date(2026, 11, 22)
PEER = "32"
PEER_KEY = Ed25519PrivateKey.from_private_bytes(b"P" * 32)
ARABIC_INDIC = {c: c - 0x30 + 0x0660 for c in range(0x30, 0x3A)}
FULL_WIDTH = {c: c + 0xFEE0 for c in range(0x30, 0x3A)}


def fact(sequence: int, *numbers: str) -> dict[str, Any]:
    parties = [
        {"document_type": "resident-id", "document_number": number, "nationality": "CHN", "name": "某"}
        for number in numbers
    ]
    return {"id": f"{PEER}:{sequence}", "type": REGISTERED, "sequence": sequence, "previous": sequence - 1,
            "data": {"marriage": f"m-{sequence}", "on": DAY.isoformat(), "parties": parties}}  # fmt: skip


def peer_act() -> Act:
    return Act(by=Actor(f"exchange:{PEER}", "exchange-peer", PEER), at=local_noon(DAY), request_id="r")


@pytest.mark.parametrize("script", [ARABIC_INDIC, FULL_WIDTH], ids=["arabic-indic", "full-width"])
def test_a_fact_whose_number_is_written_in_other_digits_reaches_the_person_it_means(
    registry: Registry, script: dict[int, int]
) -> None:
    man, woman = person(date(1990, 1, 1), "male"), person(date(1992, 2, 2), "female")
    written = man.document_number.translate(script)
    registry.exchange.apply_fact(peer_act(), PEER, fact(1, written, woman.document_number))
    assert registry.exchange.married_elsewhere(man.document_key) == [PEER]
    assert registry.exchange.married_elsewhere(woman.document_key) == [PEER]


def test_a_fact_with_a_number_that_has_no_key_is_refused_whole_and_saves_nothing(registry: Registry) -> None:
    man, woman = person(date(1990, 1, 1), "male"), person(date(1992, 2, 2), "female")
    lookalike = man.document_number[:17] + "\u0425"  # a Cyrillic letter that looks like X
    with pytest.raises(InvalidInput):
        registry.exchange.apply_fact(peer_act(), PEER, fact(1, woman.document_number, lookalike))
    assert registry.exchange.married_elsewhere(woman.document_key) == []
    assert registry.exchange.position_of(PEER) == 0


def test_the_follower_stops_before_a_refused_fact_and_applies_the_ones_before_it(registry: Registry) -> None:
    first = (person(date(1990, 1, 1), "male"), person(date(1992, 2, 2), "female"))
    second = person(date(1991, 1, 1), "male")
    page = sign_page(PEER_KEY, {"jurisdiction": PEER, "after": 0, "reader": "33", "next_after": None, "events": [
        fact(1, *(p.document_number for p in first)), fact(2, second.document_number[:17] + "\u0425"),
    ]}, kid=f"{PEER}-exchange-signing")  # fmt: skip
    peer = Peer(PEER, public_key_text(PEER_KEY), url="http://peer.invalid", token="token")
    assert ExchangeFollower(registry.exchange, peer, lambda url, token: page, reader="33").follow_once() == 1
    assert registry.exchange.position_of(PEER) == 1
    assert registry.exchange.married_elsewhere(first[0].document_key) == [PEER]
