"""Queries of the outbound exchange feed: the facts after a position, unsealed for the endpoint that shares them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from projections.exchange_feed import ExchangeFeed
from projections.store import ViewStore


@dataclass(frozen=True)
class Fact:
    """One marriage-status fact: its place in the chain, its type and time, the marriage, and its data (parties by
    document key, as the feed keeps them)."""

    sequence: int
    previous: int
    type: str
    time: str
    subject: str
    data: dict[str, Any]


def facts_after(store: ViewStore, key: bytes, after: int, *, limit: int) -> tuple[list[Fact], int | None]:
    """Up to `limit` facts after a position, in order, unsealed with the feed's key; and the position to ask after
    next (None: none left)."""
    rows = store.query(
        "SELECT sequence, previous, type, time, subject, data FROM exchange_feed WHERE sequence > ? "
        "ORDER BY sequence LIMIT ?",
        (after, limit + 1),
    )
    feed = ExchangeFeed(key)
    facts = [
        Fact(int(sequence), int(previous), kind, time, subject, feed.unseal(sealed))
        for sequence, previous, kind, time, subject, sealed in rows[:limit]
    ]
    return facts, facts[-1].sequence if len(rows) > limit else None


def feed_head(store: ViewStore) -> int:
    """The position of the last fact in the feed (0 when it is empty): what a held request compares with."""
    rows = store.query("SELECT MAX(sequence) FROM exchange_feed", ())
    return int(rows[0][0]) if rows and rows[0][0] is not None else 0
