"""Marital status look-ups: the identity number travels in the body, never in the URL."""

from __future__ import annotations

from litestar import Controller, post
from litestar.di import NamedDependency
from litestar.params import JSONBody

from api.auth import allow
from api.context import AnyRequest, principal_of, record_official_read
from api.limits import SMALL_BODY_MAX
from api.schemas.marriage import MaritalStatusQuery, MaritalStatusRead
from registry.common.actors import Role
from registry.common.clock import Clock, local_date
from registry.common.errors import NotFound
from registry.common.identity import validated_document_key
from registry.system import Registry


class PersonController(Controller):
    path = "/v1/persons"
    tags = ("persons",)

    @post(
        "/marital-status",
        guards=[allow(Role.CLERK, Role.SUPERVISOR, Role.AUDITOR, Role.CITIZEN)],
        sync_to_thread=True,
        status_code=200,
        request_max_body_size=SMALL_BODY_MAX,
    )
    def marital_status(
        self,
        request: AnyRequest,
        data: JSONBody[MaritalStatusQuery],
        registry: NamedDependency[Registry],
        clock: NamedDependency[Clock],
    ) -> MaritalStatusRead:
        """A person's marital status as this registry knows it (a citizen may ask only about themselves)."""
        key = validated_document_key(
            data.document_type, data.document_number, data.nationality, today=local_date(clock.now())
        )
        principal = principal_of(request)
        ref = registry.marriage.person_keys.ref(key)
        if principal.role == Role.CITIZEN and ref != principal.subject:
            raise NotFound()
        record_official_read(request, registry, clock, what="marital-status", target="person", persons=[ref])
        status = registry.marriage.marital_status(key)
        if status is None:
            return MaritalStatusRead(status="unmarried", since=None, current_marriage_id=None, marriages_known=0)
        current = status.current_marriage
        return MaritalStatusRead(
            status=status.status,
            since=status.since,
            current_marriage_id=current.marriage_id if current else None,
            marriages_known=len(status.marriages),
        )
