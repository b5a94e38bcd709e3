"""Eco-burial read models: the rewards ledger, and uptake of each burial kind among deaths per month."""

from __future__ import annotations

from collections import Counter
from typing import Any, ClassVar

from projections.base import Batch, Projection, event_type
from projections.store import Cursor
from registry.common.clock import local_date

LEDGER_COLUMN = {"Approved": "approved_fen", "Paid": "paid_fen", "Recovered": "recovered_fen"}


def month_of(day: Any) -> str:
    return f"{day:%Y-%m}"


class RewardsLedger(Projection):
    """Amounts approved, paid and recovered, in fen, by burial kind and by the month of the act."""

    name = "rewards_ledger"
    follows: ClassVar[tuple[str, ...]] = ("burial",)
    tables: ClassVar[tuple[str, ...]] = ("rewards_ledger", "rewards_ledger_claims")

    def schema(self) -> list[str]:
        return [
            f"CREATE TABLE IF NOT EXISTS {self.table('rewards_ledger')} (month TEXT NOT NULL, "
            "burial_kind TEXT NOT NULL, "
            "approved_fen BIGINT NOT NULL DEFAULT 0, paid_fen BIGINT NOT NULL DEFAULT 0, "
            "recovered_fen BIGINT NOT NULL DEFAULT 0, PRIMARY KEY (month, burial_kind))",
            f"CREATE TABLE IF NOT EXISTS {self.table('rewards_ledger_claims')} (claim_id TEXT PRIMARY KEY, "
            "burial_kind TEXT NOT NULL, amount_fen BIGINT NOT NULL)",
        ]

    def apply(self, cursor: Cursor, application: str, batch: Batch) -> None:
        claims = self.table("rewards_ledger_claims")
        filed = [(str(e.originator_id), e.burial.kind, e.amount_fen) for _, e in batch if event_type(e)[1] == "Filed"]
        if filed:
            cursor.executemany(f"INSERT INTO {claims} (claim_id, burial_kind, amount_fen) VALUES (?, ?, ?)", filed)
        moves = [(e, LEDGER_COLUMN[event_type(e)[1]]) for _, e in batch if event_type(e)[1] in LEDGER_COLUMN]
        if not moves:
            return
        ids = sorted({str(e.originator_id) for e, _ in moves})
        cursor.execute(
            f"SELECT claim_id, burial_kind, amount_fen FROM {claims} WHERE claim_id IN ({', '.join('?' * len(ids))})",
            ids,
        )
        known = {claim_id: (kind, amount) for claim_id, kind, amount in cursor.fetchall()}
        totals: Counter[tuple[str, str, str]] = Counter()
        for event, column in moves:
            kind, amount = known[str(event.originator_id)]
            totals[(month_of(local_date(event.timestamp)), kind, column)] += amount
        for column in sorted(set(LEDGER_COLUMN.values())):
            rows = [(month, kind, amount) for (month, kind, c), amount in totals.items() if c == column]
            if rows:
                ledger = self.table("rewards_ledger")
                cursor.executemany(
                    f"INSERT INTO {ledger} (month, burial_kind, {column}) VALUES (?, ?, ?) ON CONFLICT "
                    f"(month, burial_kind) DO UPDATE SET {column} = {ledger}.{column} + excluded.{column}",
                    rows,
                )


class BurialUptake(Projection):
    """Deaths in effect per month of death, and claims per burial kind by the month of burial: the share of each kind.

    A clerk's registration counts once a supervisor (or the issuing body) confirms it; a rejected one never does.
    """

    name = "burial_uptake"
    follows: ClassVar[tuple[str, ...]] = ("deaths", "burial")
    tables: ClassVar[tuple[str, ...]] = ("burial_uptake",)

    def schema(self) -> list[str]:
        return [
            f"CREATE TABLE IF NOT EXISTS {self.table('burial_uptake')} (month TEXT NOT NULL, kind TEXT NOT NULL, "
            "count BIGINT NOT NULL, PRIMARY KEY (month, kind))"
        ]

    def apply(self, cursor: Cursor, application: str, batch: Batch) -> None:
        counts: Counter[tuple[str, str]] = Counter()
        for _, event in batch:
            aggregate, name = event_type(event)
            if (aggregate, name) == ("deaths:Death", "Registered") and not event.awaits_confirmation:
                counts[(month_of(event.report.died_on), "deaths")] += 1
            elif (aggregate, name) == ("deaths:Death", "Confirmed"):
                counts[(month_of(event.died_on), "deaths")] += 1
            elif (aggregate, name) == ("burial:RewardClaim", "Filed"):
                counts[(month_of(event.burial.buried_on), event.burial.kind)] += 1
        if counts:
            table = self.table("burial_uptake")
            cursor.executemany(
                f"INSERT INTO {table} (month, kind, count) VALUES (?, ?, ?) ON CONFLICT (month, kind) "
                f"DO UPDATE SET count = {table}.count + excluded.count",
                [(month, kind, count) for (month, kind), count in counts.items()],
            )
