"""Queries of the eco-burial read models: the rewards ledger by month and kind, and each kind's uptake."""

from __future__ import annotations

from dataclasses import dataclass

from projections.store import ViewStore


@dataclass(frozen=True)
class LedgerMonth:
    """Fen approved, paid and recovered for one burial kind in one month (of the act)."""

    month: str
    burial_kind: str
    approved_fen: int
    paid_fen: int
    recovered_fen: int


@dataclass(frozen=True)
class UptakeMonth:
    """Deaths in effect in a month, claims per burial kind by the month of burial, and each kind's share."""

    month: str
    deaths: int
    by_kind: dict[str, int]
    share_by_kind: dict[str, float]


def ledger_months(store: ViewStore) -> list[LedgerMonth]:
    """Every month and kind of the ledger, in order."""
    rows = store.query(
        "SELECT month, burial_kind, approved_fen, paid_fen, recovered_fen FROM rewards_ledger "
        "ORDER BY month, burial_kind"
    )
    return [LedgerMonth(m, k, int(a), int(p), int(r)) for m, k, a, p, r in rows]


def uptake_months(store: ViewStore) -> list[UptakeMonth]:
    """Each month's deaths and claims per kind, with the share of deaths each kind took."""
    by_month: dict[str, dict[str, int]] = {}
    for month, kind, count in store.query("SELECT month, kind, count FROM burial_uptake ORDER BY month, kind"):
        by_month.setdefault(month, {})[kind] = int(count)
    months = []
    for month, counts in by_month.items():
        deaths = counts.pop("deaths", 0)
        shares = {kind: round(count / deaths, 4) for kind, count in counts.items()} if deaths else {}
        months.append(UptakeMonth(month, deaths, counts, shares))
    return months
