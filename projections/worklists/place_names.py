"""Place-name officers' worklist: approved names still to be announced (art. 14) or filed (art. 13), with due dates."""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from projections.base import Batch, Projection, event_type
from projections.store import Cursor


def iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


class NameDuties(Projection):
    """One row per name from its proposal until it is refused or retired; approval, announcement and filing fill in."""

    name = "name_duties"
    follows: ClassVar[tuple[str, ...]] = ("places",)
    tables: ClassVar[tuple[str, ...]] = ("name_duties",)

    def schema(self) -> list[str]:
        table = self.table("name_duties")
        return [
            f"CREATE TABLE IF NOT EXISTS {table} (place_id TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL, "
            "authority TEXT, approved_on TEXT, announcement_due_on TEXT, announced_on TEXT, filing_to TEXT, "
            "filing_due_on TEXT, filed_on TEXT, position BIGINT NOT NULL)",
            f"CREATE INDEX IF NOT EXISTS {table}_due ON {table} (announcement_due_on)",
        ]

    def apply(self, cursor: Cursor, application: str, batch: Batch) -> None:
        table = self.table("name_duties")
        for position, event in batch:  # few events, each depending on the one before: one at a time
            aggregate, name = event_type(event)
            if aggregate != "places:PlaceName":
                continue
            place_id = str(event.originator_id)
            if name in ("Refused", "Retired"):
                cursor.execute(f"DELETE FROM {table} WHERE place_id = ?", (place_id,))
                continue
            statement = self._statement(table, name, event)
            if statement is not None:
                sql, params = statement
                cursor.execute(sql, (*params, position, place_id))

    @staticmethod
    def _statement(table: str, name: str, event: Any) -> tuple[str, tuple[Any, ...]] | None:
        """The change one event makes: SQL whose last two parameters are the log position and the place id."""
        if name == "Proposed":
            return (
                f"INSERT INTO {table} (name, kind, position, place_id) VALUES (?, ?, ?, ?)",
                (event.name, event.kind),
            )
        if name == "Approved":
            return (
                f"UPDATE {table} SET authority = ?, approved_on = ?, announcement_due_on = ?, filing_to = ?, "
                "filing_due_on = ?, position = ? WHERE place_id = ?",
                (
                    event.actor.office, event.approved_on.isoformat(), iso(event.announcement_due_on),
                    event.filing_to, iso(event.filing_due_on),
                ),
            )  # fmt: skip
        if name == "Announced":
            return f"UPDATE {table} SET announced_on = ?, position = ? WHERE place_id = ?", (event.on.isoformat(),)
        if name == "FiledAbove":
            return f"UPDATE {table} SET filed_on = ?, position = ? WHERE place_id = ?", (event.filed_on.isoformat(),)
        if name == "Renamed":
            return f"UPDATE {table} SET name = ?, position = ? WHERE place_id = ?", (event.name,)
        return None
