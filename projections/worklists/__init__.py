"""Marriage worklist per office: pending applications, and divorces with the days their windows close."""

from __future__ import annotations

from typing import Any, ClassVar

from projections.base import Projection, event_type
from projections.store import Cursor
from registry.common.clock import local_date
from registry.marriage.divorce import registration_deadline, withdrawal_deadline

OPENED = {
    ("marriage:Marriage", "Applied"): "marriage-application",
    ("marriage:DivorceApplication", "Filed"): "divorce",
}
CLOSED = {
    ("marriage:Marriage", "Registered"),
    ("marriage:Marriage", "Refused"),
    ("marriage:DivorceApplication", "Withdrawn"),
    ("marriage:DivorceApplication", "Registered"),
}


class MarriageWorklist(Projection):
    """Open items per office; a divorce that lapses simply falls out of the queries after its deadline."""

    name = "marriage_worklist"
    follows: ClassVar[tuple[str, ...]] = ("marriage",)
    tables: ClassVar[tuple[str, ...]] = ("marriage_worklist",)

    def schema(self) -> list[str]:
        table = self.table("marriage_worklist")
        return [
            f"CREATE TABLE IF NOT EXISTS {table} (record_id TEXT PRIMARY KEY, office TEXT NOT NULL, "
            "kind TEXT NOT NULL, opened_on TEXT NOT NULL, marriage_id TEXT, withdrawal_deadline TEXT, "
            "registration_deadline TEXT, position BIGINT NOT NULL)",
            f"CREATE INDEX IF NOT EXISTS {table}_office ON {table} (office, opened_on)",
        ]

    def apply(self, cursor: Cursor, application: str, position: int, event: Any) -> None:
        kind = event_type(event)
        table = self.table("marriage_worklist")
        if kind in OPENED:
            is_divorce = OPENED[kind] == "divorce"
            opened_on = event.received_on if is_divorce else local_date(event.timestamp)
            cursor.execute(
                f"INSERT INTO {table} (record_id, office, kind, opened_on, marriage_id, withdrawal_deadline, "
                "registration_deadline, position) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    str(event.originator_id),
                    event.office,
                    OPENED[kind],
                    opened_on.isoformat(),
                    str(event.marriage_id) if is_divorce else str(event.originator_id),
                    withdrawal_deadline(opened_on).isoformat() if is_divorce else None,
                    registration_deadline(opened_on).isoformat() if is_divorce else None,
                    position,
                ),
            )
        elif kind in CLOSED:
            cursor.execute(f"DELETE FROM {table} WHERE record_id = ?", (str(event.originator_id),))
