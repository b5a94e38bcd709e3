"""A follower applies a page of facts in one transaction, follows every peer at once, and starts its rounds on a
fixed cadence: what a bigamous registration in another province waits out is the interval plus one round."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, cast

import pytest

from registry.common.actors import Act, Actor
from registry.exchange.application import ENDINGS
from registry.exchange.follower import ExchangeFollower, follow_every, follow_round
from registry.system import Registry
from tests.integration.test_exchange_follower_checks import PEER, couple, fact, follower, page

DIVORCED = next(kind for kind, how in ENDINGS.items() if how == "divorced")


@pytest.fixture
def commits(registry: Registry) -> Iterator[list[int]]:
    """How many events each insert into the exchange's store carried (a spy that passes every call on)."""
    recorder = registry.exchange.recorder
    inserts: list[int] = []
    insert = recorder.insert_events

    def counted(stored_events: Any, **kwargs: Any) -> Any:
        inserts.append(len(stored_events))
        return insert(stored_events, **kwargs)

    recorder.insert_events = counted  # type: ignore[method-assign]
    yield inserts
    recorder.insert_events = insert  # type: ignore[method-assign]


def ended(registry: Registry, sequence: int, marriage: int, *people: Any) -> dict[str, Any]:
    divorce = fact(registry, sequence, *people)
    divorce["type"], divorce["data"]["marriage"] = DIVORCED, f"m-{marriage}"
    return divorce


def test_a_page_of_facts_is_saved_in_one_transaction(registry: Registry, commits: list[int]) -> None:
    facts = [fact(registry, n, *couple()) for n in (1, 2, 3)]
    follow, _ = follower(registry, [page(facts)])
    assert follow.follow_once() == 3 and not follow.rejected
    assert len(commits) == 1 and registry.exchange.position_of(PEER) == 3


def test_a_person_named_twice_in_one_page_is_changed_in_turn(registry: Registry) -> None:
    man, woman = couple()
    _, other = couple()
    facts = [fact(registry, 1, man, woman), ended(registry, 2, 1, man, woman), fact(registry, 3, man, other)]
    follow, _ = follower(registry, [page(facts)])
    assert follow.follow_once() == 3
    assert [m.reference for m in registry.exchange.current_marriages(man.document_key)] == ["m-3"]
    assert registry.exchange.married_elsewhere(woman.document_key) == []


def test_a_text_the_store_refuses_in_a_page_keeps_the_facts_before_it_and_stops_before_it(registry: Registry) -> None:
    first, second = couple(), couple()
    poisoned = fact(registry, 2, *second)
    poisoned["data"]["marriage"] = "m-2\x00"
    follow, _ = follower(registry, [page([fact(registry, 1, *first), poisoned, fact(registry, 3, *couple())])])
    assert follow.follow_once() == 1 and follow.rejected
    assert registry.exchange.position_of(PEER) == 1
    assert registry.exchange.married_elsewhere(first[0].document_key) == [PEER]
    assert registry.exchange.married_elsewhere(second[0].document_key) == []


def test_a_malformed_fact_in_a_page_keeps_the_facts_before_it_and_stops_before_it(registry: Registry) -> None:
    first = couple()
    malformed = fact(registry, 2, *couple())
    del malformed["data"]["parties"]
    follow, _ = follower(registry, [page([fact(registry, 1, *first), malformed])])
    assert follow.follow_once() == 1 and follow.rejected
    assert registry.exchange.position_of(PEER) == 1
    assert registry.exchange.married_elsewhere(first[0].document_key) == [PEER]


class MeetingPeer:
    """A follower that returns only once all its fellows are being followed at the same moment."""

    def __init__(self, meeting: threading.Barrier, jurisdiction: str) -> None:
        self.meeting = meeting
        self.peer = type("Peer", (), {"jurisdiction": jurisdiction})()
        self.rejected = False

    def follow_once(self, wait: float = 0.0) -> int:
        self.meeting.wait()  # BrokenBarrierError after the timeout if the peers were followed one after another
        return 1


def test_every_peer_is_followed_at_once_in_a_round() -> None:
    meeting = threading.Barrier(4, timeout=10)
    peers = [cast(ExchangeFollower, MeetingPeer(meeting, j)) for j in ("11", "31", "32", "44")]
    assert [peer_round.applied for peer_round in follow_round(peers)] == [1, 1, 1, 1]


class CountedStop(threading.Event):
    """A stop that records each pause it is asked for and is set after `rounds` of them."""

    def __init__(self, rounds: int) -> None:
        super().__init__()
        self.rounds, self.pauses = rounds, list[float]()

    def wait(self, timeout: float | None = None) -> bool:
        self.pauses.append(round(timeout or 0.0, 6))
        if len(self.pauses) == self.rounds:
            self.set()
        return self.is_set()


def test_rounds_start_on_a_fixed_cadence_and_a_late_round_is_followed_at_once() -> None:
    readings = iter([0.0, 0.3, 1.0, 2.5])  # round 1 takes 0.3 s, round 2 takes 1.5 s
    stop = CountedStop(rounds=2)
    follow_every([], every=1.0, stop=stop, clock=lambda: next(readings))
    assert stop.pauses == [0.7, 0.0]


def test_a_page_that_another_peers_facts_overtook_is_asked_for_again_and_applied(registry: Registry) -> None:
    """Peers are followed at once: two peers' pages may change one person's status at the same moment."""
    man, woman = couple()
    _, other = couple()
    exchange = registry.exchange
    save_tracked = exchange.save_tracked
    by_31 = Act(by=Actor("exchange:31", "exchange-peer", "31"), at=datetime.now(UTC), request_id="31:1")

    def overtaken_once(*args: Any) -> None:
        exchange.save_tracked = save_tracked  # type: ignore[method-assign]
        # Between this page's load and its save, another peer's fact about the same man is saved.
        exchange.apply_fact(by_31, "31", fact(registry, 1, man, other))
        save_tracked(*args)

    exchange.save_tracked = overtaken_once  # type: ignore[method-assign]
    follow, asked = follower(registry, [page([fact(registry, 1, man, woman)])] * 2)
    assert follow.follow_once() == 1 and not follow.rejected and len(asked) == 2
    assert exchange.married_elsewhere(man.document_key) == ["31", PEER]


class FailingPeer(MeetingPeer):
    def follow_once(self, wait: float = 0.0) -> int:
        raise ValueError("a bug in one peer's page")


def test_a_peer_that_fails_stops_only_itself_for_that_round() -> None:
    meeting = threading.Barrier(1)
    failing = cast(ExchangeFollower, FailingPeer(meeting, "11"))
    rounds = follow_round([failing, cast(ExchangeFollower, MeetingPeer(meeting, "31"))])
    assert [peer_round.applied for peer_round in rounds] == [None, 1] and failing.rejected
