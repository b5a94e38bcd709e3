"""Queries of the worklists: a marriage office's open items as the clerk sees them today, the place-name officers'
announcements and filings due, each department's post-death tasks, and the decisions a supervisor owes a death."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import cast

from projections.pages import PAGE_SIZE, SortKey, keyset_page
from projections.store import ViewStore, optional_date
from projections.worklists.departments import DecisionKind
from registry.common.errors import CalendarMissing
from registry.common.workdays import WorkingCalendar
from registry.deaths.bundle import ACKNOWLEDGED, OPEN, Task
from registry.marriage.divorce import LAPSED, UNDETERMINED, divorce_windows, window_state
from registry.marriage.marriage import APPLIED, application_lapses_on

WORKLIST_ORDER = SortKey((("opened_on", str), ("record_id", str)))
TASK_ORDER = SortKey((("due_on", str), ("case_id", str), ("service", str)))
DECISION_ORDER = SortKey((("since", str), ("position", int), ("death_id", str), ("kind", str)))
ANNOUNCEMENT_ORDER = SortKey((("COALESCE(announcement_due_on, '')", str), ("approved_on", str), ("place_id", str)))


@dataclass(frozen=True)
class WorklistEntry:
    """A pending marriage application or an open divorce, in the state it is in today."""

    record_id: str
    office: str
    kind: str
    state: str
    opened_on: date
    marriage_id: str | None
    withdrawal_deadline: date | None
    registration_deadline: date | None


@dataclass(frozen=True)
class WorklistRules:
    """What the state of an item today depends on: the working calendar and the days an application stays open."""

    calendar: WorkingCalendar
    application_lapse_days: int


def open_marriage_items(
    store: ViewStore, office: str | None, today: date, rules: WorklistRules, *, limit: int = PAGE_SIZE,
    after: str | None = None,
) -> tuple[list[WorklistEntry], str | None]:  # fmt: skip
    """A page of an office's (None: every office's) pending applications and open divorces as the clerk sees them
    today, oldest first (lapsed divorces and applications left out, so a page may hold fewer than `limit`), and the
    next page's cursor."""
    where, params = ["(registration_deadline IS NULL OR registration_deadline >= ?)"], [today.isoformat()]
    if office is not None:
        where, params = ["office = ?", *where], [office, *params]
    page = keyset_page(
        store,
        columns="record_id, office, kind, opened_on, marriage_id, withdrawal_deadline, registration_deadline",
        table="marriage_worklist",
        where=where,
        params=params,
        key=WORKLIST_ORDER,
        limit=limit,
        after=after,
    )
    entries = (worklist_entry(row, today, rules) for row in page.rows)
    return [entry for entry in entries if entry.state != LAPSED], page.next_after


def worklist_entry(row: tuple[str, ...], today: date, rules: WorklistRules) -> WorklistEntry:
    """A row as the clerk sees it today; window dates the projection could not state yet are counted now, and a
    marriage application open past its lapse days is lapsed."""
    record_id, office, kind, opened_on, marriage_id, withdrawal, deadline = row
    opened, withdrawal_on, deadline_on = (
        date.fromisoformat(opened_on),
        optional_date(withdrawal),
        optional_date(deadline),
    )
    state = APPLIED
    if kind != "divorce" and today >= application_lapses_on(opened, rules.application_lapse_days):
        state = LAPSED
    if kind == "divorce":
        if deadline_on is None:
            windows = divorce_windows(opened, rules.calendar)
            withdrawal_on, deadline_on = windows.withdrawal_deadline, windows.registration_deadline
        try:
            state = window_state(opened, today, rules.calendar)
        except CalendarMissing:
            state = UNDETERMINED
    return WorklistEntry(record_id, office, kind, state, opened, marriage_id, withdrawal_on, deadline_on)


@dataclass(frozen=True)
class NameDuty:
    """An approved name not yet announced (art. 14) or not yet filed (art. 13), with its due days; late ones
    flagged."""

    place_id: str
    name: str
    kind: str
    approving_authority: str
    approved_on: date
    announcement_due_on: date | None  # None: approved before the registry tracked announcements
    announced_on: date | None
    announcement_overdue: bool
    filing_to: str
    filing_due_on: date | None
    filed_on: date | None
    filing_overdue: bool


def name_duties(
    store: ViewStore, today: date, *, overdue_only: bool = False, limit: int = PAGE_SIZE, after: str | None = None
) -> tuple[list[NameDuty], str | None]:
    """A page of approved names still to announce or file, earliest due first (overdue_only: only late ones), and
    the next page's cursor."""
    day = today.isoformat()
    conditions, params = ["approved_on IS NOT NULL", "(announced_on IS NULL OR filed_on IS NULL)"], []
    if overdue_only:
        conditions.append(
            "((announced_on IS NULL AND announcement_due_on < ?) OR (filed_on IS NULL AND filing_due_on < ?))"
        )
        params += [day, day]
    page = keyset_page(
        store, table="name_duties", where=conditions, params=params, key=ANNOUNCEMENT_ORDER,
        columns="place_id, name, kind, authority, approved_on, announcement_due_on, announced_on, filing_to, "
        "filing_due_on, filed_on", limit=limit, after=after,
    )  # fmt: skip
    return [name_duty(row, today) for row in page.rows], page.next_after


def name_duty(row: tuple[str, ...], today: date) -> NameDuty:
    place_id, name, kind, authority, approved, due, announced, filing_to, filing_due, filed = row
    due_on, announced_on = optional_date(due), optional_date(announced)
    filing_due_on, filed_on = optional_date(filing_due), optional_date(filed)
    return NameDuty(
        place_id=place_id, name=name, kind=kind, approving_authority=authority,
        approved_on=date.fromisoformat(approved), announcement_due_on=due_on, announced_on=announced_on,
        announcement_overdue=announced_on is None and due_on is not None and due_on < today,
        filing_to=filing_to or "", filing_due_on=filing_due_on, filed_on=filed_on,
        filing_overdue=filed_on is None and filing_due_on is not None and filing_due_on < today,
    )  # fmt: skip


@dataclass(frozen=True)
class DepartmentTask:
    """One open task of a department, with whether it is overdue today (the task's own rule)."""

    case_id: str
    service: str
    reason: str
    due_on: date
    state: str
    overdue: bool


def open_tasks(
    store: ViewStore, department: str, today: date, *, overdue_only: bool = False, limit: int = PAGE_SIZE,
    after: str | None = None,
) -> tuple[list[DepartmentTask], str | None]:  # fmt: skip
    """A page of a department's open and acknowledged tasks, earliest deadline first, and the next page's cursor;
    overdue as `Task.is_overdue_on` says (with overdue_only, a page may hold fewer than `limit`)."""
    page = keyset_page(
        store, columns="case_id, service, reason, due_on, state", table="department_tasks",
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
        store, columns="death_id, kind, since, raised_by_role, raised_by_office", table="death_decisions", where=[],
        params=[], key=DECISION_ORDER, limit=limit, after=after,
    )  # fmt: skip
    decisions = [DeathDecision(d, cast(DecisionKind, k), date.fromisoformat(s), r, o) for d, k, s, r, o in page.rows]
    return decisions, page.next_after
