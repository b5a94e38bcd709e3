"""Department worklists: the post-death tasks of each department, with their deadlines."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import ClassVar

from projections.base import Batch, Projection, event_type
from projections.store import Cursor, ViewStore
from registry.deaths.bundle import ACKNOWLEDGED, OPEN, Task

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


@dataclass(frozen=True)
class DepartmentTask:
    """One open task of a department, with whether it is overdue today (the task's own rule)."""

    case_id: str
    service: str
    reason: str
    due_on: date
    state: str
    overdue: bool


def open_tasks(store: ViewStore, department: str, today: date, *, overdue_only: bool = False) -> list[DepartmentTask]:
    """A department's open and acknowledged tasks, earliest deadline first; overdue as `Task.is_overdue_on` says."""
    rows = store.query(
        f"SELECT case_id, service, reason, due_on, state FROM {DepartmentTasks().table('department_tasks')} "
        "WHERE department = ? AND state IN (?, ?) ORDER BY due_on, case_id",
        (department, OPEN, ACKNOWLEDGED),
    )
    tasks = []
    for case_id, service, reason, due_on, state in rows:
        task = Task(service, department, reason, date.fromisoformat(due_on), state)
        overdue = task.is_overdue_on(today)
        if overdue or not overdue_only:
            tasks.append(DepartmentTask(case_id, service, reason, task.due_on, state, overdue))
    return tasks
