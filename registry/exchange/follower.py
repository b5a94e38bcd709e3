"""Follows other provinces' feeds: verifies every page, applies each fact once, resumes where it stopped."""

from __future__ import annotations

import base64
import json
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import structlog
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from registry.common.actors import Act, Actor
from registry.common.errors import InvalidInput
from registry.exchange.application import MarriageExchange
from registry.exchange.pages import page_problems

log = structlog.get_logger("registry.exchange")
PAGE = 100


@dataclass(frozen=True)
class Peer:
    """Another province's registry: where its feed is, the key it signs with, and the token it issued us."""

    jurisdiction: str
    url: str
    public_key: str
    token: str

    def key(self) -> Ed25519PublicKey:
        return Ed25519PublicKey.from_public_bytes(base64.b64decode(self.public_key))


def peers_from(text: str | None) -> list[Peer]:
    return [Peer(**entry) for entry in json.loads(text)] if text else []


def http_fetch(url: str, token: str) -> dict[str, Any]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        page: dict[str, Any] = json.loads(response.read())
        return page


class ExchangeFollower:
    def __init__(
        self, exchange: MarriageExchange, peer: Peer, fetch: Callable[[str, str], dict[str, Any]] = http_fetch
    ) -> None:
        self.exchange = exchange
        self.peer = peer
        self.fetch = fetch

    def follow_once(self) -> int:
        """Apply every new fact the peer's feed offers; a rejected page changes nothing. Returns facts applied."""
        applied = 0
        while True:
            position = self.exchange.position_of(self.peer.jurisdiction)
            page = self.fetch(f"{self.peer.url}/v1/exchange/feed?after={position}&limit={PAGE}", self.peer.token)
            problems = page_problems(self.peer.key(), page, jurisdiction=self.peer.jurisdiction, position=position)
            if problems:
                log.error("exchange page rejected", peer=self.peer.jurisdiction, after=position, problems=problems)
                return applied
            actor = Actor(id=f"exchange:{self.peer.jurisdiction}", role="exchange-peer", office=self.peer.jurisdiction)
            for envelope in page["events"]:
                act = Act(by=actor, at=datetime.now(UTC), request_id=str(envelope["id"]))
                try:
                    self.exchange.apply_fact(act, self.peer.jurisdiction, envelope)
                except InvalidInput as refused:  # stop before it, as for a rejected page: nothing is skipped
                    codes = [failure.code for failure in refused.failures]
                    log.error("exchange fact refused", peer=self.peer.jurisdiction, sequence=envelope["sequence"],
                              problems=codes)  # fmt: skip
                    return applied
                applied += 1
            if page.get("next_after") is None:
                return applied
