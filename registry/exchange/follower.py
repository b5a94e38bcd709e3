"""Follows other provinces' feeds: verifies every page, applies each fact once, resumes where it stopped."""

from __future__ import annotations

import base64
import json
import random
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import structlog
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from eventsourcing.persistence import RecordConflictError

from registry.common.actors import Act, Actor
from registry.exchange.application import MarriageExchange
from registry.exchange.pages import page_problems
from registry.keys import SettingsError

log = structlog.get_logger("registry.exchange")
PAGE = 100
# Pages overtaken by other peers' facts, asked for again within one round before the round gives this peer up.
CONFLICTS_PER_ROUND = 20
FIRST_BACKOFF_SECONDS = 1.0  # after a peer out of reach or a rejected page; doubled each time, up to the last
MAX_BACKOFF_SECONDS = 30.0


@dataclass(frozen=True)
class Peer:
    """Another province's registry: the key it signs its pages with, and, to follow its feed, where the feed is and
    the token it issued us. Every configured peer may also read this registry's feed (the allow-list)."""

    jurisdiction: str
    public_key: str
    url: str = ""
    token: str = ""

    def key(self) -> Ed25519PublicKey:
        return Ed25519PublicKey.from_public_bytes(base64.b64decode(self.public_key))


def peers_from(text: str | None) -> list[Peer]:
    """The peers of REGISTRY_EXCHANGE_PEERS (a JSON list); SettingsError naming what is wrong."""
    if not text:
        return []
    try:
        entries = json.loads(text)
        peers = [Peer(**entry) for entry in entries]
        for peer in peers:
            peer.key()
    except (ValueError, TypeError) as error:
        raise SettingsError(
            "REGISTRY_EXCHANGE_PEERS must be a JSON list of {jurisdiction, public_key (base64 Ed25519), url, token}: "
            + str(error).splitlines()[0][:120]
        ) from None
    return peers


class FetchPage(Protocol):
    """Where the follower gets a peer's feed pages (registry/adapters/http_pages.py over HTTP; a list in tests)."""

    def __call__(self, url: str, token: str, /) -> dict[str, Any]:
        """The page at url, asked for with the peer's token: OSError if out of reach, ValueError if not JSON."""
        ...


class ExchangeFollower:
    """Follows one peer's feed, fetching its pages through the FetchPage it is given."""

    def __init__(self, exchange: MarriageExchange, peer: Peer, fetch: FetchPage, *, reader: str) -> None:
        self.exchange = exchange
        self.peer = peer
        self.fetch = fetch
        self.reader = reader
        self.rejected = False
        self.holds = False  # the peer's last page said it held the request (a registry that knows `wait`)
        self.retired = False
        self._applying = threading.Lock()

    def follow_once(self, wait: float = 0.0) -> int:
        """Apply every new fact the peer's feed offers; a rejected page changes nothing. Returns facts applied.

        With `wait`, the peer may hold a request until it has a fact after this registry's position (long polling).
        After a rejected page or fact, `rejected` is True (the command's exit code says so).
        """
        applied = conflicts = 0
        self.rejected = False
        while True:
            position = self.exchange.position_of(self.peer.jurisdiction)
            page = self._verified_page(position, wait)
            if page is None:
                return applied
            try:
                with self._applying:
                    if self.retired:
                        return applied
                    done = self.exchange.apply_page(self.peer.jurisdiction, self._facts_of(page["events"]))
            except RecordConflictError:  # another peer's facts changed one of these persons first: ask again
                conflicts += 1
                if conflicts > CONFLICTS_PER_ROUND:
                    raise
                time.sleep(random.uniform(0, 0.005 * conflicts))  # jitter, so that the two do not meet again
                continue
            applied += done.applied
            if done.refused is not None:  # stopped before it, as for a rejected page: nothing is skipped
                codes = [failure.code for failure in done.refused.failures]
                reached = self.exchange.position_of(self.peer.jurisdiction)
                log.error("exchange fact refused", peer=self.peer.jurisdiction, after=reached, problems=codes)
                self.rejected = True
                return applied
            if page.get("next_after") is None:
                return applied

    def _verified_page(self, position: int, wait: float) -> dict[str, Any] | None:
        """The peer's page after `position`, verified; None (and `rejected`) if it must not be applied."""
        held = f"&wait={wait:g}" if wait > 0 else ""
        try:
            page = self.fetch(f"{self.peer.url}/v1/exchange/feed?after={position}&limit={PAGE}{held}", self.peer.token)
        except ValueError:  # not JSON: as bad as a page with a wrong signature
            page = None
        problems = page_problems(
            self.peer.key(), page, jurisdiction=self.peer.jurisdiction, reader=self.reader, position=position
        )
        if problems:
            log.error("exchange page rejected", peer=self.peer.jurisdiction, after=position, problems=problems)
            self.rejected = True
            return None
        assert page is not None  # page_problems refuses anything else
        self.holds = bool(page.get("wait"))
        return page

    def retire(self) -> None:
        """Apply no more pages: waits for the one being applied, not for a request the peer is holding."""
        with self._applying:
            self.retired = True

    def _facts_of(self, envelopes: list[dict[str, Any]]) -> list[tuple[Act, dict[str, Any]]]:
        """Each fact with the act that applies it: by the peer, now, under the fact's id as the request."""
        actor = Actor(id=f"exchange:{self.peer.jurisdiction}", role="exchange-peer", office=self.peer.jurisdiction)
        return [
            (Act(by=actor, at=datetime.now(UTC), request_id=str(envelope["id"])), envelope) for envelope in envelopes
        ]


@dataclass(frozen=True)
class PeerRound:
    """One peer's part of a round: facts applied (None if out of reach or failed), and the thread and wall time it
    took."""

    follower: ExchangeFollower
    applied: int | None
    cpu_seconds: float
    wall_seconds: float


def follow_round(followers: Sequence[ExchangeFollower]) -> list[PeerRound]:
    """Every peer at once, each in a thread of its own: a round takes as long as its slowest peer, not their sum."""
    with ThreadPoolExecutor(max_workers=max(len(followers), 1), thread_name_prefix="exchange-follow") as pool:
        return list(pool.map(_follow_peer, followers))


def _follow_peer(follower: ExchangeFollower, wait: float = 0.0) -> PeerRound:
    cpu, wall = time.thread_time(), time.perf_counter()
    try:
        applied: int | None = follower.follow_once(wait)
    except OSError as error:  # a peer out of reach: try again next round
        log.warning("exchange peer unreachable", peer=follower.peer.jurisdiction, error=type(error).__name__)
        applied = None
    except Exception as error:  # anything else stops this peer for this round, not the other peers or the loop
        log.error("exchange peer failed", peer=follower.peer.jurisdiction, error=type(error).__name__, exc_info=True)
        applied, follower.rejected = None, True
    return PeerRound(follower, applied, time.thread_time() - cpu, time.perf_counter() - wall)


def follow_every(
    followers: Sequence[ExchangeFollower],
    every: float,
    stop: threading.Event,
    on_round: Callable[[list[PeerRound]], object] = lambda _: None,
    clock: Callable[[], float] = time.monotonic,
) -> None:
    """Rounds on a fixed cadence: each starts `every` seconds after the one before started (at once if that one took
    longer), so that a fact waits at most `every` plus one round for the round that fetches it; until `stop` is set."""
    while not stop.is_set():
        started = clock()
        on_round(follow_round(followers))
        stop.wait(max(0.0, started + every - clock()))


def follow_held(
    followers: Sequence[ExchangeFollower],
    wait: float,
    every: float,
    stop: threading.Event,
    on_round: Callable[[list[PeerRound]], object] = lambda _: None,
) -> None:
    """Every peer in a thread of its own, asking with held requests (long polling) and again as soon as a page is
    applied: a fact reaches this registry one round trip and one commit after its source's feed has it, not an
    interval later. A peer that does not hold requests (its pages do not say `wait`: an older registry) is asked every
    `every` seconds; a peer out of reach or a rejected page backs off, from FIRST_BACKOFF_SECONDS doubling to
    MAX_BACKOFF_SECONDS. Until `stop` is set; then no page is applied any more (a held request is left to its end)."""
    reporting = threading.Lock()

    def report(peer_round: PeerRound) -> None:
        with reporting:
            on_round([peer_round])

    threads = [
        threading.Thread(target=_follow_held_peer, args=(follower, wait, every, stop, report), daemon=True,
                         name=f"exchange-follow-{follower.peer.jurisdiction}")
        for follower in followers
    ]  # fmt: skip
    for thread in threads:
        thread.start()
    try:
        while not stop.wait(1.0):
            pass
    finally:
        stop.set()
        for follower in followers:
            follower.retire()


def _follow_held_peer(
    follower: ExchangeFollower, wait: float, every: float, stop: threading.Event, report: Callable[[PeerRound], None]
) -> None:
    backoff = FIRST_BACKOFF_SECONDS
    while not stop.is_set():
        peer_round = _follow_peer(follower, wait)
        report(peer_round)
        if peer_round.applied is None or follower.rejected:
            stop.wait(random.uniform(backoff / 2, backoff))  # jitter: peers that failed together do not return so
            backoff = min(2 * backoff, MAX_BACKOFF_SECONDS)
            continue
        backoff = FIRST_BACKOFF_SECONDS
        if not peer_round.applied and (not follower.holds or peer_round.wall_seconds < wait / 2):
            stop.wait(every)  # it does not hold requests, or let this one go early (it is stopping): do not spin
