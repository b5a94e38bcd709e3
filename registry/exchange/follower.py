"""Follows other provinces' feeds: verifies every page, applies each fact once, resumes where it stopped."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import structlog
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from registry.common.actors import Act, Actor
from registry.common.errors import InvalidInput
from registry.exchange.application import MarriageExchange
from registry.exchange.pages import page_problems
from registry.keys import SettingsError

log = structlog.get_logger("registry.exchange")
PAGE = 100


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

    def follow_once(self) -> int:
        """Apply every new fact the peer's feed offers; a rejected page changes nothing. Returns facts applied.

        After a rejected page or fact, `rejected` is True (the command's exit code says so).
        """
        applied = 0
        self.rejected = False
        while True:
            position = self.exchange.position_of(self.peer.jurisdiction)
            try:
                page = self.fetch(f"{self.peer.url}/v1/exchange/feed?after={position}&limit={PAGE}", self.peer.token)
            except ValueError:  # not JSON: as bad as a page with a wrong signature
                page = None
            problems = page_problems(
                self.peer.key(), page, jurisdiction=self.peer.jurisdiction, reader=self.reader, position=position
            )
            if problems:
                log.error("exchange page rejected", peer=self.peer.jurisdiction, after=position, problems=problems)
                self.rejected = True
                return applied
            actor = Actor(id=f"exchange:{self.peer.jurisdiction}", role="exchange-peer", office=self.peer.jurisdiction)
            assert page is not None  # page_problems refuses anything else
            for envelope in page["events"]:
                act = Act(by=actor, at=datetime.now(UTC), request_id=str(envelope["id"]))
                try:
                    self.exchange.apply_fact(act, self.peer.jurisdiction, envelope)
                except InvalidInput as refused:  # stop before it, as for a rejected page: nothing is skipped
                    codes = [failure.code for failure in refused.failures]
                    log.error("exchange fact refused", peer=self.peer.jurisdiction, sequence=envelope["sequence"],
                              problems=codes)  # fmt: skip
                    self.rejected = True
                    return applied
                applied += 1
            if page.get("next_after") is None:
                return applied
