"""Worklists of the deaths context: each department's post-death tasks with their deadlines, and the deaths that
wait for a supervisor (a clerk's registration to confirm or reject, a conflicting certificate to review)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar, Literal, cast

from projections.base import Batch, Projection, event_type
from projections.pages import PAGE_SIZE, SortKey, keyset_page
from projections.store import Cursor, ViewStore
from registry.common.clock import local_date
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


TASK_ORDER = SortKey((("due_on", str), ("case_id", str), ("service", str)))
DECISION_ORDER = SortKey((("since", str), ("position", int), ("death_id", str), ("kind", str)))


def open_tasks(
    store: ViewStore, department: str, today: date, *, overdue_only: bool = False, limit: int = PAGE_SIZE,
    after: str | None = None,
) -> tuple[list[DepartmentTask], str | None]:  # fmt: skip
    """A page of a department's open and acknowledged tasks, earliest deadline first, and the next page's cursor;
    overdue as `Task.is_overdue_on` says (with overdue_only, a page may hold fewer than `limit`)."""
    page = keyset_page(
        store, columns="case_id, service, reason, due_on, state", table=DepartmentTasks().table("department_tasks"),
        where=["department = ?", "state IN (?, ?)"], params=[department, OPEN, ACKNOWLEDGED], key=TASK_ORDER,
        limit=limit, after=after,
    )  # fmt: skip
    tasks = []
    for case_id, service, reason, due_on, state in page.rows:
        task = Task(service, department, reason, date.fromisoformat(due_on), state)
        overdue = task.is_overdue_on(today)
        if overdue or not overdue_only:
            tasks.append(DepartmentTask(case_id, service, reason, task.due_on, state, overdue))
    return tasks, page.next_after


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


@dataclass(frozen=True)
class DeathDecision:
    """A decision a supervisor owes: confirm or reject a clerk's registration, or review a conflicting certificate."""

    death_id: str
    kind: DecisionKind
    since: date
    raised_by_role: str
    raised_by_office: str


def pending_death_decisions(
    store: ViewStore, *, limit: int = PAGE_SIZE, after: str | None = None
) -> tuple[list[DeathDecision], str | None]:
    """A page of the decisions still owed, oldest first, and the next page's cursor."""
    page = keyset_page(
        store, columns="death_id, kind, since, raised_by_role, raised_by_office",
        table=DeathDecisions().table("death_decisions"), where=[], params=[], key=DECISION_ORDER, limit=limit,
        after=after,
    )  # fmt: skip
    decisions = [DeathDecision(d, cast(DecisionKind, k), date.fromisoformat(s), r, o) for d, k, s, r, o in page.rows]
    return decisions, page.next_after
