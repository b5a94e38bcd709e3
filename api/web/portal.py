"""The citizen portal: my marital status and records, my divorce, my DV inquiry, the family's bundle and reward,
and addresses. Every read and act goes through the API's own helpers and checks, as the signed-in citizen."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from api.auth import allow
from api.controllers.burial import claim_read, file_claim, visible_claim
from api.controllers.deaths import apply_for_bundle, bundle_read, visible_case
from api.controllers.divorces import divorce_read, visible_divorce
from api.controllers.dv import RESULT_NOTICE, file_inquiry, inquiry_read, visible_inquiry
from api.controllers.marriages import marriage_read_today, marriage_state_today
from api.pages import MAX_PAGE_SIZE
from api.parties import visible_marriage
from api.schemas.burial import ClaimCreate
from api.schemas.deaths import BundleCreate
from api.schemas.dv import DvInquiryCreate
from api.web.pages import (
    AnyRequest,
    Form,
    form_fingerprint,
    me,
    render,
    see,
    text_field,
    ticked,
    web_act,
)
from api.web.public import new_form_key
from projections.addresses.queries import AddressSearch, address_versions
from projections.front_desk.queries import records_of
from registry.common.actors import Role
from registry.common.clock import Clock, local_date
from registry.common.errors import Failure, InvalidInput, MalformedRequest, NotFound
from registry.common.identity import RESIDENT_ID, validated_document_key
from registry.deaths.services import DeceasedFacts
from registry.marriage.marriage import APPLIED
from registry.system import Registry

CITIZEN = [allow(Role.CITIZEN)]
FACTS = [name for name in DeceasedFacts.__dataclass_fields__]
RELATIONSHIPS = ("spouse", "child", "parent", "sibling", "grandchild", "other-relative")
BURIAL_KINDS = ("sea-burial", "ash-scattering", "tree-burial", "flower-burial", "lawn-burial", "wall-niche")


def struct_from(form: dict[str, Any], kind: type[msgspec.Struct]) -> Any:
    """A form checked against the API's own schema (the same bounds and patterns as a JSON body)."""
    try:
        return msgspec.convert(form, kind, strict=False)
    except msgspec.ValidationError as error:
        raise MalformedRequest([Failure("malformed-request", str(error))]) from None


def subject_ref(request: AnyRequest) -> str:
    principal = me(request)
    assert principal is not None  # the CITIZEN guard ran first
    return principal.subject


def listed_record(registry: Registry, request: AnyRequest, kind: str, record_id: UUID) -> dict[str, Any] | None:
    """A record of the citizen's list with its state today, read through the API's visibility check."""
    try:
        if kind == "marriage":
            return {
                "state": marriage_state_today(
                    registry, visible_marriage(registry, request, record_id), request.app.state.clock
                ),
                "url": f"/portal/marriages/{record_id}",
            }
        if kind == "divorce":
            divorce = visible_divorce(registry, request, record_id)
            state = divorce_read(divorce, request.app.state.clock, registry.marriage.calendar).state
            return {"state": state, "url": f"/portal/divorces/{record_id}"}
        if kind == "dv-inquiry":
            return {
                "state": visible_inquiry(registry, request, record_id).state,
                "url": f"/portal/dv-inquiries/{record_id}",
            }
        if kind == "bundle-case":
            case = visible_case(registry, request, record_id)
            return {"state": "completed" if case.completed else "open", "url": f"/portal/bundle-cases/{record_id}"}
        if kind == "reward-claim":
            return {
                "state": visible_claim(registry, request, record_id).state,
                "url": f"/portal/reward-claims/{record_id}",
            }
    except NotFound:
        return None
    return None


class CitizenPortal(Controller):
    """Only the signed-in citizen's own records; to them anyone else's do not exist."""

    path = "/portal"
    include_in_schema = False
    guards = CITIZEN

    @get("/", sync_to_thread=True)
    def home(self, request: AnyRequest, state: State, registry: NamedDependency[Registry]) -> Template:
        ref = subject_ref(request)
        status = registry.marriage.status_of(ref)
        records = []
        for listed in records_of(state.read_side.store, ref):
            shown = listed_record(registry, request, listed.kind, UUID(listed.record_id))
            if shown is not None:
                records.append({"kind": listed.kind, "opened_on": listed.opened_on, **shown})
        return render(request, "portal/home.html", status=status, records=records)

    @get("/marriages/{marriage_id:uuid}", sync_to_thread=True)
    def marriage(
        self,
        request: AnyRequest,
        marriage_id: FromPath[UUID],
        registry: NamedDependency[Registry],
        clock: NamedDependency[Clock],
    ) -> Template:
        marriage = visible_marriage(registry, request, marriage_id)
        body = marriage_read_today(registry, marriage, clock)
        return render(request, "portal/marriage.html", marriage=body, pending=body.state == APPLIED)

    @get("/divorces/{divorce_id:uuid}", sync_to_thread=True)
    def divorce(
        self,
        request: AnyRequest,
        divorce_id: FromPath[UUID],
        registry: NamedDependency[Registry],
        clock: NamedDependency[Clock],
    ) -> Template:
        divorce = visible_divorce(registry, request, divorce_id)
        body = divorce_read(divorce, clock, registry.marriage.calendar)
        return render(request, "portal/divorce.html", divorce=body, cooling_off=body.state == "cooling-off")

    @get("/marriages/{marriage_id:uuid}/dv-inquiry", sync_to_thread=True)
    def inquiry_form(
        self,
        request: AnyRequest,
        marriage_id: FromPath[UUID],
        registry: NamedDependency[Registry],
        clock: NamedDependency[Clock],
    ) -> Template:
        marriage = visible_marriage(registry, request, marriage_id)
        if marriage_state_today(registry, marriage, clock) != APPLIED:
            raise InvalidInput([Failure("marriage-application-not-pending", "the application is no longer pending")])
        return render(request, "portal/inquiry_new.html", marriage_id=marriage_id, form_key=new_form_key())

    @post("/marriages/{marriage_id:uuid}/dv-inquiry", sync_to_thread=True, status_code=303)
    def inquiry_file(
        self, request: AnyRequest, marriage_id: FromPath[UUID], data: Form, registry: NamedDependency[Registry],
        clock: NamedDependency[Clock],
    ) -> Redirect:  # fmt: skip
        """File an inquiry about the other party of my pending application, with both signed pledges."""
        body = struct_from(
            {
                "marriage_id": str(marriage_id),
                "subject": {
                    "document_number": text_field(data, "subject_number"),
                    "name": text_field(data, "subject_name"),
                },
                "truthfulness_pledge_signed": ticked(data, "truthfulness"),
                "confidentiality_pledge_signed": ticked(data, "confidentiality"),
            },
            DvInquiryCreate,
        )
        result = file_inquiry(registry, web_act(request, clock, data), body, form_fingerprint(request, data))
        return see(f"/portal/dv-inquiries/{result.aggregate_id}")

    @get("/dv-inquiries/{inquiry_id:uuid}", sync_to_thread=True)
    def inquiry(self, request: AnyRequest, inquiry_id: FromPath[UUID], registry: NamedDependency[Registry]) -> Template:
        """Where my inquiry stands; never its result (that is one page only, and each reading is recorded)."""
        inquiry = inquiry_read(visible_inquiry(registry, request, inquiry_id))
        return render(request, "portal/inquiry.html", inquiry=inquiry)

    @get("/dv-inquiries/{inquiry_id:uuid}/result", sync_to_thread=True)
    def inquiry_result(
        self,
        request: AnyRequest,
        inquiry_id: FromPath[UUID],
        registry: NamedDependency[Registry],
        clock: NamedDependency[Clock],
    ) -> Template:
        """The result, for the applicant alone; the reading is recorded like the API's."""
        visible_inquiry(registry, request, inquiry_id)
        found = registry.dv_inquiries.read_result(
            web_act(request, clock, {}), inquiry_id, reader_ref=subject_ref(request)
        )
        records = [{"category": r["category"], "year": r["year"]} for r in found["records"]]
        return render(request, "portal/inquiry_result.html", records=records, notice=RESULT_NOTICE)

    @get("/bundle-cases/new", sync_to_thread=False)
    def bundle_form(self, request: AnyRequest) -> Template:
        return render(
            request, "portal/bundle_new.html", facts=FACTS, relationships=RELATIONSHIPS, form_key=new_form_key()
        )

    @post("/bundle-cases", sync_to_thread=True, status_code=303)
    def bundle_apply(
        self, request: AnyRequest, data: Form, registry: NamedDependency[Registry], clock: NamedDependency[Clock]
    ) -> Redirect:
        """One application for the whole bundle; the deceased is named by their identity number."""
        death_id = death_named(registry, text_field(data, "deceased_number"), local_date(clock.now()))
        body = struct_from(
            {
                "death_id": str(death_id),
                "applicant": {
                    "name": text_field(data, "name"), "relationship": text_field(data, "relationship"),
                    "contact_phone": text_field(data, "contact_phone"),
                    "payout_account": text_field(data, "payout_account"),
                },
                "facts": {fact: ticked(data, fact) for fact in FACTS},
            },
            BundleCreate,
        )  # fmt: skip
        result = apply_for_bundle(
            registry, request, web_act(request, clock, data), body, form_fingerprint(request, data)
        )
        return see(f"/portal/bundle-cases/{result.aggregate_id}")

    @get("/bundle-cases/{case_id:uuid}", sync_to_thread=True)
    def bundle(
        self,
        request: AnyRequest,
        case_id: FromPath[UUID],
        registry: NamedDependency[Registry],
        clock: NamedDependency[Clock],
    ) -> Template:
        case = bundle_read(visible_case(registry, request, case_id), local_date(clock.now()))
        return render(request, "portal/bundle.html", case=case)

    @get("/reward-claims/new", sync_to_thread=False)
    def claim_form(self, request: AnyRequest) -> Template:
        return render(
            request, "portal/claim_new.html", relationships=RELATIONSHIPS, kinds=BURIAL_KINDS, form_key=new_form_key()
        )

    @post("/reward-claims", sync_to_thread=True, status_code=303)
    def claim_file(
        self, request: AnyRequest, data: Form, registry: NamedDependency[Registry], clock: NamedDependency[Clock]
    ) -> Redirect:
        """A next of kin's claim for an eco-burial (one reward per deceased)."""
        death_id = death_named(registry, text_field(data, "deceased_number"), local_date(clock.now()))
        body = struct_from(
            {
                "death_id": str(death_id),
                "claimant": {
                    "name": text_field(data, "name"), "relationship": text_field(data, "relationship"),
                    "payout_account": text_field(data, "payout_account"),
                },
                "cremation": {
                    "number": text_field(data, "cremation_number"), "crematorium": text_field(data, "crematorium"),
                    "cremated_on": text_field(data, "cremated_on"),
                },
                "burial": {
                    "kind": text_field(data, "burial_kind"), "place": text_field(data, "burial_place"),
                    "buried_on": text_field(data, "buried_on"),
                },
            },
            ClaimCreate,
        )  # fmt: skip
        result = file_claim(registry, request, web_act(request, clock, data), body, form_fingerprint(request, data))
        return see(f"/portal/reward-claims/{result.aggregate_id}")

    @get("/reward-claims/{claim_id:uuid}", sync_to_thread=True)
    def claim(self, request: AnyRequest, claim_id: FromPath[UUID], registry: NamedDependency[Registry]) -> Template:
        return render(request, "portal/claim.html", claim=claim_read(visible_claim(registry, request, claim_id)))

    @get("/addresses", sync_to_thread=True)
    def addresses(
        self, request: AnyRequest, state: State, clock: NamedDependency[Clock], road: FromQuery[str] = "",
        number: FromQuery[str] = "", valid_on: FromQuery[date | None] = None,
    ) -> Template:  # fmt: skip
        """An address as it is now, or as it was valid on a date."""
        rows = None
        if road.strip():
            search = AddressSearch(road=road.strip()[:40], number=number.strip()[:12] or None, valid_on=valid_on)
            rows, _ = address_versions(state.read_side.store, local_date(clock.now()), search, limit=MAX_PAGE_SIZE)
        return render(request, "portal/addresses.html", rows=rows, road=road, number=number, valid_on=valid_on)


def death_named(registry: Registry, number: str, today: date) -> UUID:
    """The registered death of the person with this resident identity number (NotFound when there is none)."""
    death_id = registry.deaths.death_id_of(validated_document_key(RESIDENT_ID, number, "CHN", today=today))
    if death_id is None:
        raise NotFound(detail="no death registered for that person")
    return death_id
