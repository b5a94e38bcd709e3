"""Queries of the marital status index: how many persons are in each status, and whose certificate a number is."""

from __future__ import annotations

from uuid import UUID

from projections.store import ViewStore


def status_counts(store: ViewStore) -> dict[str, int]:
    """How many persons known to the registry are in each marital status."""
    rows = store.query("SELECT status, COUNT(*) FROM marital_status GROUP BY status")
    return {status: int(count) for status, count in rows}


def marriage_with_certificate(store: ViewStore, certificate: str) -> UUID | None:
    """The marriage a certificate number was issued for (None: no certificate has that number)."""
    rows = store.query("SELECT marriage_id FROM marital_status_certificates WHERE certificate = ?", (certificate,))
    return UUID(rows[0][0]) if rows else None
