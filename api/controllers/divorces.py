"""Divorce by agreement: filing, withdrawal during cooling-off, and registration."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from api.auth import allow
from api.context import (
    AnyRequest,
    act_of,
    answer,
    expected_version,
    record_official_read,
    request_fingerprint,
)
from api.parties import MARRIAGE_READERS as READERS
from api.parties import attendance_from, parties_of, visible_marriage
from api.schemas.marriage import (
    DivorceApplicationCreate,
    DivorceRead,
    DivorceRegistrationCommand,
    DivorceWithdrawalCommand,
)
from registry.common.actors import Role
from registry.common.application import CommandResult
from registry.common.clock import Clock, local_date
from registry.common.errors import CalendarMissing
from registry.common.workdays import WorkingCalendar
from registry.marriage.divorce import UNDETERMINED, DivorceApplication
from registry.system import Registry


def divorce_read(divorce: DivorceApplication, clock: Clock, calendar: WorkingCalendar) -> DivorceRead:
    """The state today and every window date the calendars can tell; an unknown one is null, with the reason."""
    windows = divorce.windows(calendar)
    try:
        state = divorce.state_on(local_date(clock.now()), calendar)
    except CalendarMissing:
        state = UNDETERMINED
    return DivorceRead(
        id=divorce.id,
        version=divorce.version,
        marriage_id=divorce.marriage_id,
        office=divorce.office,
        state=state,
        received_on=divorce.received_on,
        withdrawal_deadline=windows.withdrawal_deadline,
        registration_opens=windows.registration_opens,
        registration_deadline=windows.registration_deadline,
        deadlines_pending=windows.pending,
        withdrawn_by=divorce.withdrawn_by,
        withdrawn_on=divorce.withdrawn_on,
        registered_on=divorce.registered_on,
        certificates=dict(divorce.certificates),
    )


def visible_divorce(registry: Registry, request: AnyRequest, divorce_id: UUID) -> DivorceApplication:
    """A citizen sees a divorce application only if they are a party to the marriage."""
    divorce = registry.marriage.divorce(divorce_id)
    visible_marriage(registry, request, divorce.marriage_id)
    return divorce


def divorce_answer(registry: Registry, clock: Clock, result: CommandResult, status: int = 200) -> Response[Any]:
    divorce = registry.marriage.subject_of(result, DivorceApplication)
    location = f"/v1/divorces/{divorce.id}" if status == 201 else None
    return answer(
        divorce_read(divorce, clock, registry.marriage.calendar),
        version=divorce.version,
        result=result,
        status=status,
        location=location,
    )


class DivorceController(Controller):
    """Divorce by agreement with the cooling-off period of Civil Code art. 1077."""

    path = "/v1/divorces"
    tags = ("marriage",)

    @post("/", guards=[allow(Role.CLERK)], sync_to_thread=True, status_code=201)
    def file(
        self,
        request: AnyRequest,
        data: JSONBody[DivorceApplicationCreate],
        registry: NamedDependency[Registry],
        clock: NamedDependency[Clock],
    ) -> Response[DivorceRead]:
        """Both parties apply together; the 30-day cooling-off period starts on receipt."""
        result = registry.marriage.file_divorce(
            act_of(request, clock),
            marriage_id=data.marriage_id,
            attendance=(attendance_from(data.party_a), attendance_from(data.party_b)),
            request=request_fingerprint(request, data),
        )
        return divorce_answer(registry, clock, result, status=201)

    @get("/{divorce_id:uuid}", guards=[allow(*READERS)], sync_to_thread=True)
    def read(
        self,
        request: AnyRequest,
        divorce_id: FromPath[UUID],
        registry: NamedDependency[Registry],
        clock: NamedDependency[Clock],
    ) -> Response[DivorceRead]:
        """A divorce application with its state today and the dates its windows close."""
        divorce = visible_divorce(registry, request, divorce_id)
        marriage = registry.marriage.marriage(divorce.marriage_id)
        record_official_read(
            request,
            registry,
            clock,
            what="divorce",
            target=f"divorce/{divorce_id}",
            persons=parties_of(registry, marriage),
        )
        return answer(divorce_read(divorce, clock, registry.marriage.calendar), version=divorce.version)

    @post(
        "/{divorce_id:uuid}/withdrawal", guards=[allow(Role.CLERK, Role.CITIZEN)], sync_to_thread=True, status_code=200
    )
    def withdraw(
        self,
        request: AnyRequest,
        divorce_id: FromPath[UUID],
        data: JSONBody[DivorceWithdrawalCommand],
        registry: NamedDependency[Registry],
        clock: NamedDependency[Clock],
    ) -> Response[DivorceRead]:
        """Either party withdraws within 30 days of receipt, at the office that received the application: its clerk
        records the withdrawal naming the party. A party who tries it here is told which office to go to."""
        visible_divorce(registry, request, divorce_id)
        result = registry.marriage.withdraw_divorce(
            act_of(request, clock),
            divorce_id,
            party=data.party,
            expected_version=expected_version(request),
            request=request_fingerprint(request, data),
        )
        return divorce_answer(registry, clock, result)

    @post("/{divorce_id:uuid}/registration", guards=[allow(Role.CLERK)], sync_to_thread=True, status_code=200)
    def register(
        self,
        request: AnyRequest,
        divorce_id: FromPath[UUID],
        data: JSONBody[DivorceRegistrationCommand],
        registry: NamedDependency[Registry],
        clock: NamedDependency[Clock],
    ) -> Response[DivorceRead]:
        """Both return in person to the same office within the 30 days after cooling-off."""
        result = registry.marriage.register_divorce(
            act_of(request, clock),
            divorce_id,
            attendance=(attendance_from(data.party_a), attendance_from(data.party_b)),
            expected_version=expected_version(request),
            request=request_fingerprint(request, data),
        )
        return divorce_answer(registry, clock, result)
