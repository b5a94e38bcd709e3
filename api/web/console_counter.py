"""The clerk's counter: the office's worklist, marriage registration with its checklist, divorces, DV inquiry
review, and certificate reissue with a printable certificate. Same roles, offices and rules as the API."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from api.auth import allow
from api.context import principal_of, record_official_read
from api.controllers.divorces import divorce_read, visible_divorce
from api.controllers.dv import inquiry_read, visible_inquiry
from api.controllers.marriages import marriage_read, marriage_read_today
from api.pages import MAX_PAGE_SIZE
from api.parties import parties_of, person_from, visible_marriage
from api.schemas.marriage import MarriageApplicationCreate
from api.views import views_of
from api.web.pages import (
    AnyRequest,
    Form,
    confirm_page,
    confirmed,
    form_fingerprint,
    lang_of,
    me,
    render,
    see,
    text_field,
    ticked,
    web_act,
)
from api.web.portal import struct_from
from api.web.problems import failure_messages
from api.web.public import new_form_key
from projections.front_desk.queries import Page, inquiries_to_review
from projections.worklists.queries import open_marriage_items
from registry.common.actors import Role
from registry.common.clock import Clock, local_date
from registry.common.errors import NotEligible
from registry.keys import Purpose
from registry.marriage.marriage import APPLIED, REGISTERED
from registry.marriage.values import Attendance
from registry.system import Registry

CLERK = [allow(Role.CLERK)]
PAGE_SIZE = 10
CHECKS = ("present", "voluntary", "no_spouse", "no_kinship", "declaration")
DIVORCE_CHECKS = ("present", "voluntary", "agreement")


def attendance(form: dict[str, Any], party: FromPath[str]) -> Attendance:
    """What the clerk ticked for one party."""

    def seen(check: str) -> bool:
        return ticked(form, f"{party}_{check}")

    return Attendance(
        present=seen("present"), declares_voluntary=seen("voluntary"), signed_no_spouse_statement=seen("no_spouse"),
        signed_no_kinship_statement=seen("no_kinship"), signed_divorce_agreement=seen("agreement"),
        declaration_certified=seen("declaration"),
    )  # fmt: skip


def paged(items: list[Any], offset: int, limit: int = PAGE_SIZE) -> Page:
    return Page(items[offset : offset + limit], len(items), offset, limit)


class ConsoleHome(Controller):
    include_in_schema = False

    @get("/console", sync_to_thread=False)
    def home(self, request: AnyRequest) -> Redirect | Template:
        """Each role's first page."""
        principal = me(request)
        if principal is None:
            return Redirect(path="/sign-in?next=/console")
        first = {Role.CLERK: "/console/worklist", Role.DEPARTMENT: "/console/tasks", Role.AUDITOR: "/console/audit",
                 Role.PLACE_NAME_OFFICER: "/console/places"}.get(principal.role)  # fmt: skip
        return Redirect(path=first) if first else render(request, "console/home.html")


class CounterConsole(Controller):
    """A clerk acts for their own office; the rules and the office checks are the application's and the API's."""

    path = "/console"
    include_in_schema = False
    guards = CLERK

    @get("/worklist", sync_to_thread=True, dependencies={"view_position": views_of("marriage")})
    def worklist(
        self, request: AnyRequest, state: State, clock: NamedDependency[Clock], view_position: NamedDependency[int],
        offset: FromQuery[int] = 0, inquiries: FromQuery[int] = 0,
    ) -> Template:  # fmt: skip
        """Pending applications, open divorces (with the days their windows close) and inquiries to review."""
        office = principal_of(request).office
        # The console pages through the first MAX_PAGE_SIZE items, ten at a time.
        read_side = state.read_side
        items, _ = open_marriage_items(
            read_side.reads, office, local_date(clock.now()), read_side.worklist_rules, limit=MAX_PAGE_SIZE
        )
        listed = inquiries_to_review(state.read_side.reads, office, offset=max(inquiries, 0), limit=PAGE_SIZE)
        template = "console/worklist.html"
        if request.headers.get("hx-request") == "true":  # htmx asks for the lists it pages through, not the frame
            template = "console/worklist_lists.html"
        return render(request, template, office=office, items=paged(items, max(offset, 0)), inquiries=listed)

    @get("/marriages/new", sync_to_thread=False)
    def marriage_form(self, request: AnyRequest) -> Template:
        return render(request, "console/marriage_new.html", form_key=new_form_key())

    @post("/marriages", sync_to_thread=True, status_code=303)
    def marriage_file(
        self, request: AnyRequest, data: Form, registry: NamedDependency[Registry], clock: NamedDependency[Clock]
    ) -> Redirect:
        """File a couple's application at the clerk's office (the API's schema checks the fields)."""
        body: MarriageApplicationCreate = struct_from(
            {
                party: {
                    "document_number": text_field(data, f"{party}_number"),
                    "name": text_field(data, f"{party}_name"),
                }
                for party in ("party_a", "party_b")
            },
            MarriageApplicationCreate,
        )
        act = web_act(request, clock, data)
        result = registry.marriage.apply_for_marriage(
            act, party_a=person_from(body.party_a, act), party_b=person_from(body.party_b, act),
            request=form_fingerprint(request, data),
        )  # fmt: skip
        return see(f"/console/marriages/{result.aggregate_id}")

    @get("/marriages/{marriage_id:uuid}", sync_to_thread=True)
    def marriage(
        self,
        request: AnyRequest,
        marriage_id: FromPath[UUID],
        registry: NamedDependency[Registry],
        clock: NamedDependency[Clock],
    ) -> Template:
        return self._marriage_page(request, registry, clock, marriage_id)

    def _marriage_page(
        self, request: AnyRequest, registry: Registry, clock: Clock, marriage_id: FromPath[UUID], **extra: Any
    ) -> Template:
        marriage = visible_marriage(registry, request, marriage_id)
        record_official_read(request, registry, clock, what="marriage", target=f"marriage/{marriage_id}",
                             persons=parties_of(registry, marriage))  # fmt: skip
        body = marriage_read_today(registry, marriage, clock)
        return render(
            request, "console/marriage.html", marriage=body, pending=body.state == APPLIED,
            registered=marriage.state == REGISTERED, checks=CHECKS,
            own_office=marriage.office == principal_of(request).office, form_key=new_form_key(), **extra,
        )  # fmt: skip

    @post("/marriages/{marriage_id:uuid}/registration", sync_to_thread=True, status_code=303)
    def register(
        self, request: AnyRequest, marriage_id: FromPath[UUID], data: Form, registry: NamedDependency[Registry],
        clock: NamedDependency[Clock],
    ) -> Template | Redirect:  # fmt: skip
        """Register after a confirmation; a failed attempt is recorded as the refusal (regs art 10) and shows every
        failed condition at once."""
        if not confirmed(data):
            return confirm_page(
                request, data, question="console.register.confirm", cancel=f"/console/marriages/{marriage_id}"
            )
        try:
            registry.marriage.register_marriage(
                web_act(request, clock, data), marriage_id, attendance=(attendance(data, "a"), attendance(data, "b")),
                request=form_fingerprint(request, data),
            )  # fmt: skip
        except NotEligible as refusal:
            page = self._marriage_page(
                request, registry, clock, marriage_id, failures=failure_messages(refusal, lang_of(request))
            )
            page.status_code = 422
            return page
        return see(f"/console/marriages/{marriage_id}?done=registered")

    @post("/marriages/{marriage_id:uuid}/refusal", sync_to_thread=True, status_code=303)
    def refuse(
        self, request: AnyRequest, marriage_id: FromPath[UUID], data: Form, registry: NamedDependency[Registry],
        clock: NamedDependency[Clock],
    ) -> Template | Redirect:  # fmt: skip
        """Refuse for a reason the registry's checks cannot see (the clerk's own words), after a confirmation."""
        if not confirmed(data):
            return confirm_page(
                request, data, question="console.refuse.confirm", cancel=f"/console/marriages/{marriage_id}"
            )
        registry.marriage.refuse_marriage(
            web_act(request, clock, data), marriage_id, reason=text_field(data, "reason")[:1000],
            failed_conditions=[], request=form_fingerprint(request, data),
        )  # fmt: skip
        return see(f"/console/marriages/{marriage_id}?done=refused")

    @post("/marriages/{marriage_id:uuid}/certificate-reissues", sync_to_thread=True, status_code=303)
    def reissue(
        self, request: AnyRequest, marriage_id: FromPath[UUID], data: Form, registry: NamedDependency[Registry],
        clock: NamedDependency[Clock],
    ) -> Template | Redirect:  # fmt: skip
        """Reissue a lost or damaged certificate (the old number is replaced), then print it."""
        party, reason = text_field(data, "party"), text_field(data, "reason")
        if not confirmed(data):
            return confirm_page(
                request, data, question="console.reissue.confirm", cancel=f"/console/marriages/{marriage_id}"
            )
        registry.marriage.reissue_certificate(
            web_act(request, clock, data), marriage_id, party=party if party in ("a", "b") else "a",
            reason=reason if reason in ("lost", "damaged") else "lost", request=form_fingerprint(request, data),
        )  # fmt: skip
        return see(f"/console/marriages/{marriage_id}/certificates/{party}")

    @get("/marriages/{marriage_id:uuid}/certificates/{party:str}", sync_to_thread=True)
    def certificate(
        self, request: AnyRequest, marriage_id: FromPath[UUID], party: FromPath[str],
        registry: NamedDependency[Registry], clock: NamedDependency[Clock],
    ) -> Template:  # fmt: skip
        """A printable certificate (print CSS: the page prints as the certificate alone)."""
        marriage = visible_marriage(registry, request, marriage_id)
        record_official_read(request, registry, clock, what="certificate", target=f"marriage/{marriage_id}",
                             persons=parties_of(registry, marriage))  # fmt: skip
        body = marriage_read(marriage, registry.settings.keys[Purpose.CERTIFICATE_CODE])
        holder = "a" if party != "b" else "b"
        return render(request, "console/certificate.html", marriage=body, holder=holder,
                      number=body.certificates.get(holder), code=body.verification_codes.get(holder))  # fmt: skip

    @get("/marriages/{marriage_id:uuid}/divorce", sync_to_thread=False)
    def divorce_form(self, request: AnyRequest, marriage_id: FromPath[UUID]) -> Template:
        return render(request, "console/divorce_new.html", marriage_id=marriage_id, checks=DIVORCE_CHECKS,
                      form_key=new_form_key())  # fmt: skip

    @post("/marriages/{marriage_id:uuid}/divorce", sync_to_thread=True, status_code=303)
    def divorce_file(
        self, request: AnyRequest, marriage_id: FromPath[UUID], data: Form, registry: NamedDependency[Registry],
        clock: NamedDependency[Clock],
    ) -> Redirect:  # fmt: skip
        result = registry.marriage.file_divorce(
            web_act(request, clock, data), marriage_id=marriage_id,
            attendance=(attendance(data, "a"), attendance(data, "b")), request=form_fingerprint(request, data),
        )  # fmt: skip
        return see(f"/console/divorces/{result.aggregate_id}?done=filed")

    @get("/divorces/{divorce_id:uuid}", sync_to_thread=True)
    def divorce(
        self,
        request: AnyRequest,
        divorce_id: FromPath[UUID],
        registry: NamedDependency[Registry],
        clock: NamedDependency[Clock],
    ) -> Template:
        divorce = visible_divorce(registry, request, divorce_id)
        marriage = registry.marriage.marriage(divorce.marriage_id)
        record_official_read(request, registry, clock, what="divorce", target=f"divorce/{divorce_id}",
                             persons=parties_of(registry, marriage))  # fmt: skip
        body = divorce_read(divorce, clock, registry.marriage.calendar)
        return render(request, "console/divorce.html", divorce=body, checks=DIVORCE_CHECKS[:2],
                      in_window=body.state == "awaiting-registration", form_key=new_form_key())  # fmt: skip

    @post("/divorces/{divorce_id:uuid}/registration", sync_to_thread=True, status_code=303)
    def divorce_register(
        self, request: AnyRequest, divorce_id: FromPath[UUID], data: Form, registry: NamedDependency[Registry],
        clock: NamedDependency[Clock],
    ) -> Template | Redirect:  # fmt: skip
        """Register the divorce in its window, both present, after a confirmation."""
        if not confirmed(data):
            return confirm_page(request, data, question="console.divorce.register.confirm",
                                cancel=f"/console/divorces/{divorce_id}")  # fmt: skip
        registry.marriage.register_divorce(
            web_act(request, clock, data), divorce_id, attendance=(attendance(data, "a"), attendance(data, "b")),
            request=form_fingerprint(request, data),
        )  # fmt: skip
        return see(f"/console/divorces/{divorce_id}?done=registered")

    @get("/dv-inquiries/{inquiry_id:uuid}", sync_to_thread=True)
    def inquiry(
        self,
        request: AnyRequest,
        inquiry_id: FromPath[UUID],
        registry: NamedDependency[Registry],
        clock: NamedDependency[Clock],
    ) -> Template:
        """The inquiry's state for review; the clerk never sees whom it found anything about, nor what."""
        inquiry = visible_inquiry(registry, request, inquiry_id)
        record_official_read(request, registry, clock, what="dv-inquiry", target=f"dv-inquiry/{inquiry_id}",
                             persons=[inquiry.applicant_ref, inquiry.subject_ref])  # fmt: skip
        return render(request, "console/inquiry.html", inquiry=inquiry_read(inquiry), form_key=new_form_key())

    @post("/dv-inquiries/{inquiry_id:uuid}/{decision:str}", sync_to_thread=True, status_code=303)
    def inquiry_decide(
        self, request: AnyRequest, inquiry_id: FromPath[UUID], decision: FromPath[str], data: Form,
        registry: NamedDependency[Registry], clock: NamedDependency[Clock],
    ) -> Template | Redirect:  # fmt: skip
        """Approve (it runs at once, the result goes to the applicant alone) or refuse with the reason."""
        visible_inquiry(registry, request, inquiry_id)
        if decision not in ("approval", "refusal"):
            return see(f"/console/dv-inquiries/{inquiry_id}")
        if not confirmed(data):
            question = "console.inquiry.approve.confirm" if decision == "approval" else "console.inquiry.refuse.confirm"
            return confirm_page(request, data, question=question, cancel=f"/console/dv-inquiries/{inquiry_id}")
        act = web_act(request, clock, data)
        if decision == "approval":
            registry.dv_inquiries.approve(act, inquiry_id, request=form_fingerprint(request, data))
        else:
            registry.dv_inquiries.refuse(
                act, inquiry_id, reason=text_field(data, "reason")[:1000], request=form_fingerprint(request, data)
            )
        return see(f"/console/dv-inquiries/{inquiry_id}?done={decision}")
