"""Worklists of the deaths context: each department's post-death tasks with their deadlines, and the deaths that
wait for a supervisor (a clerk's registration to confirm or reject, a conflicting certificate to review)."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from projections.base import Batch, Projection, event_type
from projections.store import Cursor
from registry.common.clock import local_date

STATE_BY_EVENT = {"TaskAcknowledged": "acknowledged", "TaskCompleted": "completed", "TaskRejected": "rejected"}


class DepartmentTasks(Projection):
    """One row per task; a department's open and overdue tasks are a query away."""

    name = "department_tasks"
    follows: ClassVar[tuple[str, ...]] = ("deaths",)
    tables: ClassVar[tuple[str, ...]] = ("department_tasks",)

    def schema(self) -> list[str]:
        table = self.table("department_tasks")
        return [
            f"CREATE TABLE IF NOT EXISTS {table} (case_id TEXT NOT NULL, service TEXT NOT NULL, "
            "department TEXT NOT NULL, reason TEXT NOT NULL, due_on TEXT NOT NULL, state TEXT NOT NULL, "
            "position BIGINT NOT NULL, PRIMARY KEY (case_id, service))",
            f"CREATE INDEX IF NOT EXISTS {table}_department ON {table} (department, state, due_on)",
        ]

    def apply(self, cursor: Cursor, application: str, batch: Batch) -> None:
        table = self.table("department_tasks")
        opened, changed = [], []
        for position, event in batch:
            aggregate, name = event_type(event)
            if aggregate != "deaths:BundleCase":
                continue
            case_id = str(event.originator_id)
            if name == "Opened":
                opened += [
                    (case_id, t.service, t.department, t.reason, t.due_on.isoformat(), t.state, position)
                    for t in event.tasks
                ]
            elif name in STATE_BY_EVENT:
                changed.append((STATE_BY_EVENT[name], position, case_id, event.service))
        if opened:
            cursor.executemany(
                f"INSERT INTO {table} (case_id, service, department, reason, due_on, state, position) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                opened,
            )
        if changed:
            cursor.executemany(f"UPDATE {table} SET state = ?, position = ? WHERE case_id = ? AND service = ?", changed)


DecisionKind = Literal["confirmation", "review"]
CONFIRMATION: DecisionKind = "confirmation"
REVIEW: DecisionKind = "review"
# What a death event does to its pending decisions: (kind, True) opens one, (kind, False) closes it.
DECISIONS_BY_EVENT: dict[str, list[tuple[DecisionKind, bool]]] = {
    "ConflictFlagged": [(REVIEW, True)],
    "ReviewResolved": [(REVIEW, False)],
    "Confirmed": [(CONFIRMATION, False)],
    "Rejected": [(CONFIRMATION, False), (REVIEW, False)],  # a rejected registration needs no review either
}


class DeathDecisions(Projection):
    """One row per decision a supervisor owes a death; nothing in it names the deceased."""

    name = "death_decisions"
    follows: ClassVar[tuple[str, ...]] = ("deaths",)
    tables: ClassVar[tuple[str, ...]] = ("death_decisions",)

    def schema(self) -> list[str]:
        table = self.table("death_decisions")
        return [
            f"CREATE TABLE IF NOT EXISTS {table} (death_id TEXT NOT NULL, kind TEXT NOT NULL, since TEXT NOT NULL, "
            "raised_by_role TEXT NOT NULL, raised_by_office TEXT NOT NULL, position BIGINT NOT NULL, "
            "PRIMARY KEY (death_id, kind))",
            f"CREATE INDEX IF NOT EXISTS {table}_since ON {table} (since)",
        ]

    def apply(self, cursor: Cursor, application: str, batch: Batch) -> None:
        # The batch's net effect per (death, kind): a row to have, or None for one to remove.
        outcome: dict[tuple[str, str], tuple[Any, ...] | None] = {}
        for position, event in batch:
            aggregate, name = event_type(event)
            if aggregate != "deaths:Death":
                continue
            if name == "Registered":
                effects = [(CONFIRMATION, True)] if event.awaits_confirmation else []
            else:
                effects = DECISIONS_BY_EVENT.get(name, [])
            since = local_date(event.timestamp).isoformat()
            for kind, is_open in effects:
                key = (str(event.originator_id), kind)
                outcome[key] = (*key, since, event.actor.role, event.actor.office, position) if is_open else None
        if not outcome:
            return
        table = self.table("death_decisions")
        cursor.executemany(f"DELETE FROM {table} WHERE death_id = ? AND kind = ?", list(outcome))
        rows = [row for row in outcome.values() if row is not None]
        if rows:
            cursor.executemany(
                f"INSERT INTO {table} (death_id, kind, since, raised_by_role, raised_by_office, position) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                rows,
            )
