"""Lists and counts, read from projections (each answer says the log position it reflects)."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, Response, get
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import Parameter

from api.auth import allow
from api.context import AnyRequest, principal_of
from api.pages import PAGE_SIZE, After, Limit
from api.schemas.audit import StatusCounts, Worklist, WorklistItem
from api.views import VIEW_POSITION_HEADER, views_of
from projections.marital_status.queries import status_counts
from projections.worklists.queries import open_marriage_items
from registry.common.actors import Role
from registry.common.clock import Clock, local_date
from registry.common.errors import Failure, Forbidden


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
        read_side = state.read_side
        entries, next_after = open_marriage_items(
            read_side.reads, office, local_date(clock.now()), read_side.worklist_rules, limit=limit, after=after
        )
        items = msgspec.convert(entries, list[WorklistItem], from_attributes=True)
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
        counts = status_counts(state.read_side.reads)
        return Response(StatusCounts(counts=counts), headers={VIEW_POSITION_HEADER: f"marriage={view_position}"})
