"""The follower asks each peer with held requests (long polling) and asks again as soon as a page is applied; a peer
that does not hold requests is asked on the old cadence, and one out of reach is backed off, more each time."""

from __future__ import annotations

import threading
import time
from datetime import date
from typing import Any

import pytest

from api.feed_waits import FeedNotifications, FeedWaits
from projections.audit.checkpoints import public_key_text
from projections.catalog import ReadSide
from projections.runner import ProjectionService
from registry.exchange.follower import ExchangeFollower, Peer, follow_held
from registry.marriage.marriage import Marriage
from registry.system import Registry
from tests.integration.test_exchange_follower_checks import PEER, PEER_KEY, US, couple, fact, page
from tests.support import act, person

EVERY = 7.0  # an interval no test waits out: a pause is recorded, not slept
WAIT = 20.0


class Pauses(threading.Event):
    """The stop of follow_held: a follower thread's first pause is recorded and stops the follower, unslept."""

    def __init__(self, after: int = 1) -> None:
        super().__init__()
        self.after, self.log = after, list[Any]()

    def wait(self, timeout: float | None = None) -> bool:
        if threading.current_thread() is threading.main_thread():
            return super().wait(timeout)
        self.log.append(("pause", timeout))
        if sum(1 for entry in self.log if entry[0] == "pause") >= self.after:
            self.set()
        return self.is_set()


def followed(registry: Registry, answers: list[Any], stop: Pauses) -> ExchangeFollower:
    """A follower of PEER whose fetches are logged in `stop.log` and answered in turn (an exception is raised)."""

    def fetch(url: str, token: str) -> Any:
        stop.log.append(("fetch", url))
        answer = answers[min(sum(1 for entry in stop.log if entry[0] == "fetch"), len(answers)) - 1]
        if isinstance(answer, Exception):
            raise answer
        return answer

    peer = Peer(PEER, public_key_text(PEER_KEY), url="http://peer.invalid", token="t")
    follower = ExchangeFollower(registry.exchange, peer, fetch, reader=US)
    follow_held([follower], WAIT, EVERY, stop)
    return follower


def test_a_fact_is_applied_and_the_peer_asked_again_at_once_with_a_held_request(registry: Registry) -> None:
    stop = Pauses()
    brought = page([fact(registry, 1, *couple())], wait=WAIT)
    followed(registry, [brought, page([], after=1, wait=WAIT)], stop)

    assert stop.log[:2] == [
        ("fetch", f"http://peer.invalid/v1/exchange/feed?after=0&limit=100&wait={WAIT:g}"),
        ("fetch", f"http://peer.invalid/v1/exchange/feed?after=1&limit=100&wait={WAIT:g}"),
    ]  # no pause between the page applied and the next request
    assert registry.exchange.position_of(PEER) == 1


def test_a_peer_that_does_not_hold_requests_is_asked_again_only_after_the_interval(registry: Registry) -> None:
    stop = Pauses()
    follower = followed(registry, [page([])], stop)  # its page does not say `wait`: a registry without long polling
    assert [entry[0] for entry in stop.log] == ["fetch", "pause"] and stop.log[1] == ("pause", EVERY)
    assert not follower.holds


def test_a_peer_that_lets_a_held_request_go_early_with_nothing_is_not_asked_again_at_once(registry: Registry) -> None:
    stop = Pauses()
    follower = followed(registry, [page([], wait=WAIT)], stop)  # a stopping registry lets its held requests go
    assert [entry[0] for entry in stop.log] == ["fetch", "pause"] and stop.log[1] == ("pause", EVERY)
    assert follower.holds


def test_a_peer_out_of_reach_is_backed_off_longer_each_time_up_to_a_bound(registry: Registry) -> None:
    stop = Pauses(after=7)
    followed(registry, [ConnectionRefusedError("down")], stop)
    pauses = [timeout for kind, timeout in stop.log if kind == "pause"]
    bounds = [(0.5, 1), (1, 2), (2, 4), (4, 8), (8, 16), (15, 30), (15, 30)]
    assert all(low <= pause <= high for pause, (low, high) in zip(pauses, bounds, strict=True)), pauses


def test_a_retired_follower_applies_no_more_pages(registry: Registry) -> None:
    stop = Pauses()
    follower = followed(registry, [page([], wait=WAIT)], stop)
    assert follower.retired
    follower.fetch = lambda url, token: page([fact(registry, 1, *couple())], wait=WAIT)
    assert follower.follow_once(WAIT) == 0 and registry.exchange.position_of(PEER) == 0


def test_the_exchange_feed_is_projected_first_in_each_round_and_no_read_model_is_left_out(registry: Registry) -> None:
    read_side = ReadSide(registry)
    try:
        in_round = [follower.tracking_name for follower in read_side.in_round_order()]
        listed = sorted(follower.tracking_name for follower in read_side.followers)
    finally:
        read_side.close()
    assert in_round[0] == "exchange_feed/marriage" and sorted(in_round) == listed


class SavesAMarriageEvent:
    """A step of a round (a policy) during which this process saves an event in the marriage log."""

    upstream_name = None  # a step of every round

    def __init__(self, registry: Registry) -> None:
        self.registry = registry

    def catch_up(self) -> int:
        man, woman = person(date(1990, 1, 1), "male"), person(date(1992, 2, 2), "female")
        apply = Marriage.apply_for(act(date(2026, 11, 23)), party_a=man, party_b=woman, office_designated=False)
        self.registry.marriage.execute(act(date(2026, 11, 23)), lambda: [apply])
        return 1


class FeedPosition:
    """A later step of the same round that notes how far the exchange feed has followed the marriage log."""

    upstream_name = None

    def __init__(self, read_side: ReadSide) -> None:
        self.read_side = read_side
        self.seen: list[tuple[int, int]] = []

    def catch_up(self) -> int:
        head = self.read_side.registry.marriage.recorder.max_notification_id() or 0
        self.seen.append((self.read_side.store.position("exchange_feed/marriage"), head))
        return 0


def test_events_saved_during_a_round_reach_the_exchange_feed_before_the_rounds_next_step(registry: Registry) -> None:
    """Peers hold requests for the feed's facts: a marriage registered while the other read models are being caught
    up is not left waiting for the rest of the round."""
    read_side = ReadSide(registry)
    try:
        read_side.catch_up()
        observer = FeedPosition(read_side)
        feed = next(f for f in read_side.followers if f.tracking_name == "exchange_feed/marriage")
        steps = [SavesAMarriageEvent(registry), observer]
        service = ProjectionService(read_side.store, [], steps, urgent=[(feed, registry.marriage.saved_here)])
        service.run_round()
    finally:
        read_side.close()
    ((position, head),) = observer.seen
    assert position == head > 0


@pytest.mark.postgres
def test_a_marriage_saved_by_another_process_reaches_the_exchange_feed_before_the_rounds_next_step(
    registry: Registry,
) -> None:
    """In `registry serve`'s child on PostgreSQL nothing is saved in the projection's own process: the store's
    notification, heard between steps, puts the exchange feed first."""
    if not registry.settings.uses_postgres:
        pytest.skip("SQLite gives no notifications: its registry keeps the read models in the saving process")
    read_side = ReadSide(registry)
    try:
        read_side.catch_up()
        observer = FeedPosition(read_side)
        feed = next(f for f in read_side.followers if f.tracking_name == "exchange_feed/marriage")
        never_saved_here = threading.Event()
        steps = [SavesAMarriageEvent(registry), AnotherReadModel(), observer]
        service = ProjectionService(read_side.store, [], steps, urgent=[(feed, never_saved_here)])
        service.wake_ups.wait(idle=False)  # listening, as run_forever is
        service.run_round()
        service.wake_ups.close()
    finally:
        read_side.close()
    ((position, head),) = observer.seen
    assert position == head > 0


class AnotherReadModel:
    """A step that takes a while, as a read model's batch does: the saving process's notification arrives meanwhile."""

    upstream_name = None

    def catch_up(self) -> int:
        time.sleep(0.2)
        return 0


class Rings(FeedWaits):
    """Feed waits that note each ring."""

    def __init__(self) -> None:
        super().__init__(lambda: 0)
        self.rung = threading.Event()

    def ring(self) -> None:
        self.rung.set()


@pytest.mark.postgres
def test_a_server_whose_read_models_another_process_keeps_is_rung_when_that_process_commits_to_the_feed(
    registry: Registry,
) -> None:
    if not registry.settings.uses_postgres:
        pytest.skip("the embedded store keeps the read models in the server's own process, which rings directly")
    read_side = ReadSide(registry)
    waits = Rings()
    notifications = FeedNotifications(read_side.store.listen_connection, waits)
    notifications.start()
    try:
        time.sleep(0.5)  # listening
        read_side.announce_feed("audit_trail/marriage")
        assert not waits.rung.wait(1.0)  # only the feed's batches are announced
        read_side.announce_feed("exchange_feed/marriage")
        assert waits.rung.wait(5.0)
    finally:
        notifications.close()
        read_side.close()
