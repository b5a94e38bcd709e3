"""Department worklists: the post-death tasks of each department, with their deadlines."""

from __future__ import annotations

from typing import ClassVar

from projections.base import Batch, Projection, event_type
from projections.store import Cursor

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
