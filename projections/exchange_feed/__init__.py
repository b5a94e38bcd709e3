"""The outbound exchange feed: marriage-status facts for other provinces, each chained to the one before."""

from __future__ import annotations

from typing import Any, ClassVar

from projections.base import Batch, Projection, event_type
from projections.store import Cursor
from registry.common.identity import document_key
from registry.common.sealing import seal, unseal
from registry.exchange.application import REGISTERED

# Sent by the process that keeps the feed once a batch of it commits, for servers whose held requests wait on it. Like
# the library's channels it is per database, not per schema: registries on several schemas wake each other (harmless).
FEED_MOVED = "registry_exchange_feed_moved"


def is_feed_batch(tracking_name: str) -> bool:
    """Whether a committed batch (named by its tracking name, e.g. "exchange_feed/marriage") is the feed's."""
    return tracking_name.startswith(ExchangeFeed.name + "/")


TYPE_OF = {
    "Registered": REGISTERED,
    "Dissolved": "cn.gov.civil-affairs.marriage.divorced",
    "DeclaredVoid": "cn.gov.civil-affairs.marriage.void",
    "Annulled": "cn.gov.civil-affairs.marriage.annulled",
    "EndedByDeath": "cn.gov.civil-affairs.marriage.widowed",
}


def party_document_key(party: dict[str, Any]) -> str:
    """A party as the feed keeps it (rows written before names were dropped still hold the document itself)."""
    if "document_key" in party:
        return str(party["document_key"])
    return document_key(party["document_type"], party["document_number"], party["nationality"])


def fact_date(name: str, event: Any) -> str:
    day = {
        "Registered": lambda: event.registered_on,
        "Dissolved": lambda: event.dissolved_on,
        "DeclaredVoid": lambda: event.judgment.effective_on,
        "Annulled": lambda: event.judgment.effective_on,
        "EndedByDeath": lambda: event.died_on,
    }[name]()
    return str(day.isoformat())


class ExchangeFeed(Projection):
    """Minimal data, as the national marriage database shares it: who, which marriage, what happened, when.

    The parties' document keys are sealed at rest (AES-GCM); the feed endpoint turns them into the federation's
    person hashes for the peers on its allow-list. Names never enter the feed.
    """

    def __init__(self, key: bytes, suffix: str = "") -> None:
        super().__init__(suffix)
        self.key = key

    def seal(self, value: object) -> str:
        return seal(self.key, {"value": value}, self.name)

    def unseal(self, sealed: str) -> Any:
        return unseal(self.key, sealed, self.name)["value"]

    name = "exchange_feed"
    follows: ClassVar[tuple[str, ...]] = ("marriage",)
    tables: ClassVar[tuple[str, ...]] = ("exchange_feed", "exchange_parties")
    quarantinable: ClassVar[bool] = False  # a fact set aside would leave a gap in the chain peers check

    def schema(self) -> list[str]:
        return [
            f"CREATE TABLE IF NOT EXISTS {self.table('exchange_feed')} (sequence BIGINT PRIMARY KEY, "
            "previous BIGINT NOT NULL, type TEXT NOT NULL, time TEXT NOT NULL, subject TEXT NOT NULL, "
            "data TEXT NOT NULL)",
            f"CREATE TABLE IF NOT EXISTS {self.table('exchange_parties')} (marriage_id TEXT PRIMARY KEY, "
            "parties TEXT NOT NULL)",
        ]

    def apply(self, cursor: Cursor, application: str, batch: Batch) -> None:
        feed, parties_table = self.table("exchange_feed"), self.table("exchange_parties")
        cursor.execute(f"SELECT MAX(sequence) FROM {feed}")
        row = cursor.fetchone()
        previous = int(row[0]) if row and row[0] is not None else 0
        for position, event in batch:
            aggregate, name = event_type(event)
            if aggregate != "marriage:Marriage":
                continue
            marriage_id = str(event.originator_id)
            if name in ("Applied", "RecordedFromExchange"):
                parties = [{"document_key": p.document_key} for p in (event.party_a, event.party_b)]
                if name == "RecordedFromExchange":  # the record of another registry's marriage: name it as they do
                    parties = [{**parties[0], "origin": event.origin, "reference": event.origin_reference}, parties[1]]
                cursor.execute(f"INSERT INTO {parties_table} (marriage_id, parties) VALUES (?, ?)",
                               (marriage_id, self.seal(parties)))  # fmt: skip
                continue
            if name not in TYPE_OF:
                continue
            cursor.execute(f"SELECT parties FROM {parties_table} WHERE marriage_id = ?", (marriage_id,))
            found = cursor.fetchone()
            parties = self.unseal(found[0]) if found else []
            origin = parties[0].get("origin") if parties else None
            data = {
                "marriage": parties[0]["reference"] if origin else marriage_id,
                "on": fact_date(name, event),
                "parties": parties,
                **({"origin": origin} if origin else {}),
            }
            cursor.execute(
                f"INSERT INTO {feed} (sequence, previous, type, time, subject, data) VALUES (?, ?, ?, ?, ?, ?)",
                (position, previous, TYPE_OF[name], event.timestamp.isoformat(), marriage_id, self.seal(data)),
            )  # fmt: skip
            previous = position
