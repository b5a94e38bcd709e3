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
from api.schemas.audit import StatusCounts, Worklist, WorklistItem
from api.views import VIEW_POSITION_HEADER, reached
from projections.catalog import ReadSide
from registry.common.actors import Role
from registry.common.clock import Clock, local_date
from registry.common.errors import CalendarMissing, Failure, Forbidden, InvalidInput
from registry.common.workdays import WorkingCalendar
from registry.marriage.divorce import LAPSED, UNDETERMINED, divorce_windows, window_state

WaitFor = Annotated[int | None, Parameter(ge=0, description="wait (at most 5 s) for the views to reach this position")]


def worklist_item(row: tuple[str, ...], today: date, calendar: WorkingCalendar) -> WorklistItem:
    """A row as the clerk sees it today; window dates the projection could not state yet are counted now."""
    record_id, kind, opened_on, marriage_id, withdrawal, deadline = row
    withdrawal_on = date.fromisoformat(withdrawal) if withdrawal else None
    deadline_on = date.fromisoformat(deadline) if deadline else None
    state = "applied"
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
        kind=kind,
        state=state,
        opened_on=date.fromisoformat(opened_on),
        marriage_id=marriage_id,
        withdrawal_deadline=withdrawal_on,
        registration_deadline=deadline_on,
    )


def marriage_worklist_items(read_side: ReadSide, office: str, today: date) -> list[WorklistItem]:
    """An office's pending applications and open divorces as the clerk sees them today (lapsed ones left out)."""
    rows = read_side.store.query(
        "SELECT record_id, kind, opened_on, marriage_id, withdrawal_deadline, registration_deadline "
        "FROM marriage_worklist WHERE office = ? AND (registration_deadline IS NULL OR registration_deadline >= ?) "
        "ORDER BY opened_on, record_id",
        (office, today.isoformat()),
    )
    items = (worklist_item(row, today, read_side.calendar) for row in rows)
    return [item for item in items if item.state != LAPSED]


class QueryController(Controller):
    path = "/v1"
    tags = ("queries",)

    @get("/worklists/marriage", guards=[allow(Role.CLERK, Role.SUPERVISOR, Role.AUDITOR)], sync_to_thread=True)
    def marriage_worklist(
        self,
        request: AnyRequest,
        state: State,
        clock: NamedDependency[Clock],
        office: Annotated[str | None, Parameter(max_length=64, description="a clerk's own office by default")] = None,
        wait_for: WaitFor = None,
    ) -> Response[Worklist]:
        """Pending marriage applications and open divorces of an office, with the days their windows close."""
        principal = principal_of(request)
        if principal.role == Role.CLERK:
            if office not in (None, principal.office):
                raise Forbidden([Failure("wrong-office", "a clerk sees the worklist of their own office")])
            office = principal.office
        if office is None:
            raise InvalidInput([Failure("office-required", "name the office")])
        position = reached(state.read_side, "marriage", wait_for)
        items = marriage_worklist_items(state.read_side, office, local_date(clock.now()))
        return Response(Worklist(office=office, items=items), headers={VIEW_POSITION_HEADER: f"marriage={position}"})

    @get("/statistics/marital-status", guards=[allow(Role.SUPERVISOR, Role.AUDITOR)], sync_to_thread=True)
    def marital_status_counts(self, state: State, wait_for: WaitFor = None) -> Response[StatusCounts]:
        """How many persons known to the registry are in each marital status."""
        position = reached(state.read_side, "marriage", wait_for)
        rows = state.read_side.store.query("SELECT status, COUNT(*) FROM marital_status GROUP BY status")
        counts = {status: int(count) for status, count in rows}
        return Response(StatusCounts(counts=counts), headers={VIEW_POSITION_HEADER: f"marriage={position}"})
