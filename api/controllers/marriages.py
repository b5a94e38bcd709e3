"""Marriage applications, registrations, refusals, certificate reissues and court judgments."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, Parameter

from api.auth import allow
from api.certificates import verification_code
from api.context import (
    AnyRequest,
    act_of,
    answer,
    expected_version,
    record_official_read,
    request_fingerprint,
)
from api.parties import MARRIAGE_READERS as READERS
from api.parties import attendance_from, parties_of, party_read, person_from, visible_marriage
from api.schemas.marriage import (
    CertificateReissueCommand,
    CourtJudgmentCommand,
    JudgmentRead,
    MarriageApplicationCreate,
    MarriageFromExchangeCreate,
    MarriageRead,
    MarriageRefusalCommand,
    MarriageRegistrationCommand,
    RecordedFromRead,
)
from registry.common.actors import Role
from registry.common.application import CommandResult
from registry.common.clock import Clock, local_date
from registry.keys import Purpose
from registry.marriage.marriage import Marriage
from registry.marriage.values import CourtJudgment
from registry.system import Registry


def marriage_read(marriage: Marriage, code_key: bytes, state: str | None = None) -> MarriageRead:
    """The record; state: as it stands on the day read (default: as recorded)."""
    judgment = marriage.judgment
    return MarriageRead(
        id=marriage.id,
        version=marriage.version,
        state=state or marriage.state,
        office=marriage.office,
        party_a=party_read(marriage.party_a),
        party_b=party_read(marriage.party_b),
        registered_on=marriage.registered_on,
        ended_on=marriage.ended_on,
        certificates=dict(marriage.certificates),
        verification_codes={p: verification_code(code_key, number) for p, number in marriage.certificates.items()},
        replaced_certificates=list(marriage.replaced_certificates),
        refusal_reason=marriage.refusal_reason,
        pending_divorce_id=marriage.pending_divorce_id,
        judgment=JudgmentRead(court=judgment.court, judgment_number=judgment.number, effective_on=judgment.effective_on)
        if judgment
        else None,
        recorded_from=RecordedFromRead(jurisdiction=marriage.origin, marriage=marriage.origin_reference)
        if marriage.origin
        else None,
    )


def marriage_state_today(registry: Registry, marriage: Marriage, clock: Clock) -> str:
    """The state on today's date: an application left open past REGISTRY_APPLICATION_LAPSE_DAYS reads as lapsed."""
    return registry.marriage.marriage_state_on(marriage, local_date(clock.now()))


def marriage_read_today(registry: Registry, marriage: Marriage, clock: Clock) -> MarriageRead:
    state = marriage_state_today(registry, marriage, clock)
    return marriage_read(marriage, registry.settings.keys[Purpose.CERTIFICATE_CODE], state)


def marriage_answer(registry: Registry, result: CommandResult, status: int = 200) -> Response[Any]:
    marriage = registry.marriage.subject_of(result, Marriage)
    location = f"/v1/marriages/{marriage.id}" if status == 201 else None
    return answer(
        marriage_read(marriage, registry.settings.keys[Purpose.CERTIFICATE_CODE]),
        version=marriage.version,
        result=result,
        status=status,
        location=location,
    )


class MarriageController(Controller):
    """Marriage registration (Civil Code arts 1046-1049) at any office."""

    path = "/v1/marriages"
    tags = ("marriage",)

    @post("/", guards=[allow(Role.CLERK)], sync_to_thread=True, status_code=201)
    def apply(
        self,
        request: AnyRequest,
        data: JSONBody[MarriageApplicationCreate],
        registry: NamedDependency[Registry],
        clock: NamedDependency[Clock],
    ) -> Response[MarriageRead]:
        """File a couple's marriage application at the clerk's office."""
        act = act_of(request, clock)
        result = registry.marriage.apply_for_marriage(
            act,
            party_a=person_from(data.party_a, act),
            party_b=person_from(data.party_b, act),
            request=request_fingerprint(request, data),
        )
        return marriage_answer(registry, result, status=201)

    @post("/from-exchange", guards=[allow(Role.CLERK)], sync_to_thread=True, status_code=201)
    def record_from_exchange(
        self,
        request: AnyRequest,
        data: JSONBody[MarriageFromExchangeCreate],
        registry: NamedDependency[Registry],
        clock: NamedDependency[Clock],
    ) -> Response[MarriageRead]:
        """Record here a marriage another province registered, from its record in the exchange, so that the couple
        may divorce by agreement at this office (201; 200 when it was recorded before)."""
        act = act_of(request, clock)
        result = registry.marriage.record_from_exchange(
            act,
            party_a=person_from(data.party_a, act),
            party_b=person_from(data.party_b, act),
            request=request_fingerprint(request, data),
        )
        return marriage_answer(registry, result, status=201 if result.created else 200)

    @get("/{marriage_id:uuid}", guards=[allow(*READERS)], sync_to_thread=True)
    def read(
        self,
        request: AnyRequest,
        marriage_id: FromPath[UUID],
        registry: NamedDependency[Registry],
        clock: NamedDependency[Clock],
        version: Annotated[
            int | None, Parameter(ge=1, le=1_000_000_000, description="show the record as it was at this version")
        ] = None,
    ) -> Response[MarriageRead]:
        """A marriage record, now or at an earlier version."""
        marriage = visible_marriage(registry, request, marriage_id, version)
        record_official_read(
            request,
            registry,
            clock,
            what="marriage",
            target=f"marriage/{marriage_id}",
            persons=parties_of(registry, marriage),
        )
        return answer(marriage_read_today(registry, marriage, clock), version=marriage.version)

    @post("/{marriage_id:uuid}/registration", guards=[allow(Role.CLERK)], sync_to_thread=True, status_code=200)
    def register(
        self,
        request: AnyRequest,
        marriage_id: FromPath[UUID],
        data: JSONBody[MarriageRegistrationCommand],
        registry: NamedDependency[Registry],
        clock: NamedDependency[Clock],
    ) -> Response[MarriageRead]:
        """Register the marriage: every condition is checked today, and a refusal lists each failed one."""
        result = registry.marriage.register_marriage(
            act_of(request, clock),
            marriage_id,
            attendance=(attendance_from(data.party_a), attendance_from(data.party_b)),
            expected_version=expected_version(request),
            request=request_fingerprint(request, data),
        )
        return marriage_answer(registry, result)

    @post("/{marriage_id:uuid}/refusal", guards=[allow(Role.CLERK)], sync_to_thread=True, status_code=200)
    def refuse(
        self,
        request: AnyRequest,
        marriage_id: FromPath[UUID],
        data: JSONBody[MarriageRefusalCommand],
        registry: NamedDependency[Registry],
        clock: NamedDependency[Clock],
    ) -> Response[MarriageRead]:
        """Refuse to register, with the reason."""
        result = registry.marriage.refuse_marriage(
            act_of(request, clock),
            marriage_id,
            reason=data.reason,
            failed_conditions=data.failed_conditions,
            expected_version=expected_version(request),
            request=request_fingerprint(request, data),
        )
        return marriage_answer(registry, result)

    @post("/{marriage_id:uuid}/certificate-reissues", guards=[allow(Role.CLERK)], sync_to_thread=True, status_code=200)
    def reissue(
        self,
        request: AnyRequest,
        marriage_id: FromPath[UUID],
        data: JSONBody[CertificateReissueCommand],
        registry: NamedDependency[Registry],
        clock: NamedDependency[Clock],
    ) -> Response[MarriageRead]:
        """Reissue a lost or damaged certificate under a new number."""
        result = registry.marriage.reissue_certificate(
            act_of(request, clock),
            marriage_id,
            party=data.party,
            reason=data.reason,
            expected_version=expected_version(request),
            request=request_fingerprint(request, data),
        )
        return marriage_answer(registry, result)

    @post("/{marriage_id:uuid}/judgments", guards=[allow(Role.COURT)], sync_to_thread=True, status_code=200)
    def judgment(
        self,
        request: AnyRequest,
        marriage_id: FromPath[UUID],
        data: JSONBody[CourtJudgmentCommand],
        registry: NamedDependency[Registry],
        clock: NamedDependency[Clock],
    ) -> Response[MarriageRead]:
        """Record a court divorce (no cooling-off), or a declaration that the marriage is void or annulled."""
        result = registry.marriage.record_judgment(
            act_of(request, clock),
            marriage_id,
            kind=data.kind,
            judgment=CourtJudgment(court=data.court, number=data.judgment_number, effective_on=data.effective_on),
            reason=data.reason,
            expected_version=expected_version(request),
            request=request_fingerprint(request, data),
        )
        return marriage_answer(registry, result)
