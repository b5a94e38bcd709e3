"""Marriage worklist per office: pending applications, and divorces with the days their windows close."""

from __future__ import annotations

from typing import Any, ClassVar

from projections.base import Batch, Projection, event_type
from projections.store import Cursor
from registry.common.clock import local_date
from registry.common.workdays import WorkingCalendar
from registry.marriage.divorce import divorce_windows

OPENED = {
    ("marriage:Marriage", "Applied"): "marriage-application",
    ("marriage:DivorceApplication", "Filed"): "divorce",
}
CLOSED = {
    ("marriage:Marriage", "Registered"),
    ("marriage:Marriage", "Refused"),
    ("marriage:DivorceApplication", "Withdrawn"),
    ("marriage:DivorceApplication", "Registered"),
    ("marriage:DivorceApplication", "Closed"),
}


class MarriageWorklist(Projection):
    """Open items per office; a divorce that lapses simply falls out of the queries after its deadline.

    The window dates are counted as the divorce itself counts them (divorce_windows, on the same calendar); a date
    in a year with no calendar yet is stored as NULL, and the query states it once that year is configured.
    """

    name = "marriage_worklist"
    follows: ClassVar[tuple[str, ...]] = ("marriage",)
    tables: ClassVar[tuple[str, ...]] = ("marriage_worklist",)

    def __init__(self, calendar: WorkingCalendar, suffix: str = "") -> None:
        super().__init__(suffix)
        self.calendar = calendar

    def schema(self) -> list[str]:
        table = self.table("marriage_worklist")
        return [
            f"CREATE TABLE IF NOT EXISTS {table} (record_id TEXT PRIMARY KEY, office TEXT NOT NULL, "
            "kind TEXT NOT NULL, opened_on TEXT NOT NULL, marriage_id TEXT, withdrawal_deadline TEXT, "
            "registration_deadline TEXT, position BIGINT NOT NULL)",
            f"CREATE INDEX IF NOT EXISTS {table}_office ON {table} (office, opened_on)",
            f"CREATE INDEX IF NOT EXISTS {table}_opened ON {table} (opened_on, record_id)",  # every office's pages
        ]

    def apply(self, cursor: Cursor, application: str, batch: Batch) -> None:
        # The batch's net effect per record: a row to have, or None for a record to remove.
        outcome: dict[str, tuple[Any, ...] | None] = {}
        for position, event in batch:
            kind = event_type(event)
            record_id = str(event.originator_id)
            if kind in OPENED:
                outcome[record_id] = self._row(OPENED[kind], position, event)
            elif kind in CLOSED:
                outcome[record_id] = None
        if not outcome:
            return
        table = self.table("marriage_worklist")
        cursor.executemany(f"DELETE FROM {table} WHERE record_id = ?", [(record_id,) for record_id in outcome])
        rows = [row for row in outcome.values() if row is not None]
        if rows:
            cursor.executemany(
                f"INSERT INTO {table} (record_id, office, kind, opened_on, marriage_id, withdrawal_deadline, "
                "registration_deadline, position) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )

    def _row(self, kind: str, position: int, event: Any) -> tuple[Any, ...]:
        record_id = str(event.originator_id)
        if kind == "divorce":
            received = event.received_on
            windows = divorce_windows(received, self.calendar)
            withdrawal, deadline = windows.withdrawal_deadline, windows.registration_deadline
            return (
                record_id, event.office, kind, received.isoformat(), str(event.marriage_id),
                withdrawal.isoformat() if withdrawal else None, deadline.isoformat() if deadline else None, position,
            )  # fmt: skip
        opened = local_date(event.timestamp).isoformat()
        return (record_id, event.office, kind, opened, record_id, None, None, position)
