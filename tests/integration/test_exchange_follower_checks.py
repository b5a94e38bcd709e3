"""The exchange follower applies only pages made for it, in answer to what it asked, that make progress; a malformed
fact in a signed page is refused with nothing applied, never a crash or an endless loop."""

from __future__ import annotations

from datetime import date
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from projections.audit.checkpoints import public_key_text
from registry.exchange.application import REGISTERED
from registry.exchange.follower import ExchangeFollower, Peer
from registry.exchange.pages import sign_page
from registry.system import Registry
from tests.support import person

PEER, US = "32", "33"
PEER_KEY = Ed25519PrivateKey.from_private_bytes(b"Q" * 32)
DAY = date(2026, 11, 22)


def fact(registry: Registry, sequence: int, *people: Any) -> dict[str, Any]:
    parties = [{"person": registry.exchange.person_hash(p.document_key)} for p in people]
    return {"id": f"{PEER}:{sequence}", "type": REGISTERED, "sequence": sequence, "previous": sequence - 1,
            "data": {"marriage": f"m-{sequence}", "on": DAY.isoformat(), "parties": parties}}  # fmt: skip


def page(events: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
    unsigned = {"jurisdiction": PEER, "after": 0, "reader": US, "next_after": None, "events": events, **fields}
    return sign_page(PEER_KEY, unsigned, kid=f"{PEER}-exchange-signing")


def follower(registry: Registry, pages: list[Any]) -> tuple[ExchangeFollower, list[str]]:
    asked: list[str] = []

    def fetch(url: str, token: str) -> Any:
        asked.append(url)
        if len(asked) > 5:
            raise AssertionError("the follower keeps asking: it would loop for ever")
        return pages[min(len(asked), len(pages)) - 1]

    peer = Peer(PEER, public_key_text(PEER_KEY), url="http://peer.invalid", token="t")
    return ExchangeFollower(registry.exchange, peer, fetch, reader=US), asked


def couple() -> tuple[Any, Any]:
    return person(date(1990, 1, 1), "male"), person(date(1992, 2, 2), "female")


def test_a_page_made_for_another_reader_is_rejected(registry: Registry) -> None:
    follow, _ = follower(registry, [page([fact(registry, 1, *couple())], reader="44")])
    assert follow.follow_once() == 0 and follow.rejected
    assert registry.exchange.position_of(PEER) == 0


def test_a_page_answering_another_position_is_rejected(registry: Registry) -> None:
    follow, _ = follower(registry, [page([fact(registry, 1, *couple())], after=5)])
    assert follow.follow_once() == 0 and follow.rejected


def test_a_signed_empty_page_promising_more_is_rejected_instead_of_looping(registry: Registry) -> None:
    follow, asked = follower(registry, [page([], next_after=0)])
    assert follow.follow_once() == 0 and follow.rejected and len(asked) == 1


def test_a_malformed_fact_in_a_signed_page_is_refused_with_nothing_applied(registry: Registry) -> None:
    man, woman = couple()
    broken = fact(registry, 2, man, woman)
    broken["data"]["parties"] = [{"person": "not-a-hash"}]
    follow, _ = follower(registry, [page([fact(registry, 1, man, woman), broken])])
    assert follow.follow_once() == 1 and follow.rejected
    assert registry.exchange.position_of(PEER) == 1
    unknown = fact(registry, 2, man, woman)
    unknown["type"] = "cn.gov.civil-affairs.marriage.invented"
    follow, _ = follower(registry, [page([unknown], after=1)])
    assert follow.follow_once() == 0 and follow.rejected and registry.exchange.position_of(PEER) == 1


def test_a_page_that_is_not_even_json_is_rejected(registry: Registry) -> None:
    def fetch(url: str, token: str) -> Any:
        raise ValueError("Expecting value: line 1 column 1")

    peer = Peer(PEER, public_key_text(PEER_KEY), url="http://peer.invalid", token="t")
    follow = ExchangeFollower(registry.exchange, peer, fetch, reader=US)
    assert follow.follow_once() == 0 and follow.rejected


def test_a_well_formed_page_is_applied_exactly_once(registry: Registry) -> None:
    man, woman = couple()
    follow, _ = follower(registry, [page([fact(registry, 1, man, woman)]), page([], after=1)])
    assert follow.follow_once() == 1 and not follow.rejected
    assert registry.exchange.married_elsewhere(man.document_key) == [PEER]
