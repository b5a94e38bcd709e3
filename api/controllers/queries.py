"""Lists and counts, read from projections (each answer says the log position it reflects)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from litestar import Controller, Response, get
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import Parameter

from api.auth import allow
from api.context import AnyRequest, principal_of
from api.pages import PAGE_SIZE, After, Limit
from api.schemas.audit import StatusCounts, Worklist, WorklistItem
from api.views import VIEW_POSITION_HEADER, views_of
from projections.catalog import ReadSide
from projections.pages import SortKey, keyset_page
from registry.common.actors import Role
from registry.common.clock import Clock, local_date
from registry.common.errors import CalendarMissing, Failure, Forbidden
from registry.common.workdays import WorkingCalendar
from registry.marriage.divorce import LAPSED, UNDETERMINED, divorce_windows, window_state
from registry.marriage.marriage import APPLIED, application_lapses_on


def worklist_item(row: tuple[str, ...], today: date, calendar: WorkingCalendar, lapse_days: int) -> WorklistItem:
    """A row as the clerk sees it today; window dates the projection could not state yet are counted now, and a
    marriage application open past its lapse_days is lapsed."""
    record_id, office, kind, opened_on, marriage_id, withdrawal, deadline = row
    withdrawal_on = date.fromisoformat(withdrawal) if withdrawal else None
    deadline_on = date.fromisoformat(deadline) if deadline else None
    state = APPLIED
    if kind != "divorce" and today >= application_lapses_on(date.fromisoformat(opened_on), lapse_days):
        state = LAPSED
    if kind == "divorce":
        received = date.fromisoformat(opened_on)
        if deadline_on is None:
            windows = divorce_windows(received, calendar)
            withdrawal_on, deadline_on = windows.withdrawal_deadline, windows.registration_deadline
        try:
            state = window_state(received, today, calendar)
        except CalendarMissing:
            state = UNDETERMINED
    return WorklistItem(
        record_id=record_id,
        office=office,
        kind=kind,
        state=state,
        opened_on=date.fromisoformat(opened_on),
        marriage_id=marriage_id,
        withdrawal_deadline=withdrawal_on,
        registration_deadline=deadline_on,
    )


WORKLIST_ORDER = SortKey((("opened_on", str), ("record_id", str)))


def marriage_worklist_items(
    read_side: ReadSide, office: str | None, today: date, *, limit: int = PAGE_SIZE, after: str | None = None
) -> tuple[list[WorklistItem], str | None]:
    """A page of an office's (None: every office's) pending applications and open divorces as the clerk sees them
    today, oldest first (lapsed divorces and applications left out, so a page may hold fewer than `limit`), and the
    next page's cursor."""
    where, params = ["(registration_deadline IS NULL OR registration_deadline >= ?)"], [today.isoformat()]
    if office is not None:
        where, params = ["office = ?", *where], [office, *params]
    page = keyset_page(
        read_side.store,
        columns="record_id, office, kind, opened_on, marriage_id, withdrawal_deadline, registration_deadline",
        table="marriage_worklist",
        where=where,
        params=params,
        key=WORKLIST_ORDER,
        limit=limit,
        after=after,
    )
    lapse_days = read_side.registry.marriage.application_lapse_days
    items = (worklist_item(row, today, read_side.calendar, lapse_days) for row in page.rows)
    return [item for item in items if item.state != LAPSED], page.next_after


class QueryController(Controller):
    path = "/v1"
    tags = ("queries",)

    @get(
        "/worklists/marriage",
        guards=[allow(Role.CLERK, Role.SUPERVISOR, Role.AUDITOR)],
        sync_to_thread=True,
        dependencies={"view_position": views_of("marriage")},
    )
    def marriage_worklist(
        self,
        request: AnyRequest,
        state: State,
        clock: NamedDependency[Clock],
        view_position: NamedDependency[int],
        office: Annotated[
            str | None,
            Parameter(max_length=64, description="a clerk's own office; for others, every office by default"),
        ] = None,
        limit: Limit = PAGE_SIZE,
        after: After = None,
    ) -> Response[Worklist]:
        """Pending marriage applications and open divorces of an office (a clerk's own; a supervisor's or auditor's
        choice, every office when none is named), with the days their windows close."""
        principal = principal_of(request)
        if principal.role == Role.CLERK:
            if office not in (None, principal.office):
                raise Forbidden([Failure("wrong-office", "a clerk sees the worklist of their own office")])
            office = principal.office
        items, next_after = marriage_worklist_items(
            state.read_side, office, local_date(clock.now()), limit=limit, after=after
        )
        return Response(
            Worklist(office=office, items=items, next_after=next_after),
            headers={VIEW_POSITION_HEADER: f"marriage={view_position}"},
        )

    @get(
        "/statistics/marital-status",
        guards=[allow(Role.SUPERVISOR, Role.AUDITOR)],
        sync_to_thread=True,
        dependencies={"view_position": views_of("marriage")},
    )
    def marital_status_counts(self, state: State, view_position: NamedDependency[int]) -> Response[StatusCounts]:
        """How many persons known to the registry are in each marital status."""
        rows = state.read_side.store.query("SELECT status, COUNT(*) FROM marital_status GROUP BY status")
        counts = {status: int(count) for status, count in rows}
        return Response(StatusCounts(counts=counts), headers={VIEW_POSITION_HEADER: f"marriage={view_position}"})
