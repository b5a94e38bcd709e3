"""Pages anyone may open: the front page, the language switch, signing in and out, certificate verification."""

from __future__ import annotations

import secrets
from typing import Any

from litestar import Controller, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from api.auth import Principal
from api.controllers.exchange import certificate_statement
from api.web.i18n import LANGUAGES
from api.web.pages import AnyRequest, Form, lang_of, render, safe_next, see, text_field
from api.web.session import language_cookie, start_session
from registry.common.actors import Role
from registry.common.clock import Clock, local_date
from registry.common.errors import Failure, InvalidInput
from registry.common.identity import RESIDENT_ID, validated_document_key
from registry.settings import Settings
from registry.system import Registry

# Who may sign in to the console, and the offices a development sign-in offers first.
CONSOLE_ROLES = (Role.CLERK, Role.DEPARTMENT, Role.PLACE_NAME_OFFICER, Role.AUDITOR, Role.SUPERVISOR)
OFFICE_OPTIONAL = (Role.AUDITOR, Role.SUPERVISOR)


def development_sign_in(settings: Settings) -> bool:
    """The development sign-in exists on the embedded default only (never where PostgreSQL holds real records)."""
    return not settings.uses_postgres


def home_of(principal: Principal) -> str:
    return "/portal" if principal.role == Role.CITIZEN else "/console"


def new_form_key() -> str:
    return f"web-{secrets.token_urlsafe(18)}"


class PublicPages(Controller):
    """The front page, signing in and out, the language, and certificate verification (no sign-in)."""

    include_in_schema = False

    @get("/", sync_to_thread=False)
    def home(self, request: AnyRequest) -> Template:
        return render(request, "home.html")

    @get("/language", sync_to_thread=False)
    def language(self, request: AnyRequest, to: FromQuery[str] = "zh", next: FromQuery[str] = "/") -> Redirect:
        """Switch the pages' language (a cookie; nothing about the person)."""
        chosen = to if to in LANGUAGES else lang_of(request)
        settings: Settings = request.app.state.registry.settings
        return Redirect(path=safe_next(next, "/"), cookies=[language_cookie(settings, chosen)])

    @get("/sign-in", sync_to_thread=False)
    def sign_in(self, request: AnyRequest, registry: NamedDependency[Registry], next: FromQuery[str] = "") -> Template:
        settings = registry.settings
        return render(
            request, "sign_in.html", development=development_sign_in(settings), oidc=settings.oidc_issuer is not None,
            next=safe_next(next, ""), roles=[role.value for role in CONSOLE_ROLES],
        )  # fmt: skip

    @post("/sign-in/citizen", sync_to_thread=False, status_code=303)
    def sign_in_citizen(
        self, request: AnyRequest, data: Form, registry: NamedDependency[Registry], clock: NamedDependency[Clock]
    ) -> Redirect:
        """Development: a citizen's session for a valid resident identity number (only its keyed hash is kept)."""
        settings = registry.settings
        if not development_sign_in(settings):
            raise InvalidInput([Failure("not-configured", "the development sign-in exists on the embedded store only")])
        number = text_field(data, "id_number")
        key = validated_document_key(RESIDENT_ID, number, "CHN", today=local_date(clock.now()))
        principal = Principal(subject=registry.marriage.person_keys.ref(key), role=Role.CITIZEN, office="")
        start_session(request, principal, "*" * 14 + number[-4:], settings.web_session_hours)
        return see(safe_next(text_field(data, "next"), "/portal"))

    @post("/sign-in/official", sync_to_thread=False, status_code=303)
    def sign_in_official(self, request: AnyRequest, data: Form, registry: NamedDependency[Registry]) -> Redirect:
        """Development: a console session for a role and office."""
        settings = registry.settings
        if not development_sign_in(settings):
            raise InvalidInput([Failure("not-configured", "the development sign-in exists on the embedded store only")])
        try:
            role = Role(text_field(data, "role"))
        except ValueError:
            role = Role.CITIZEN
        office, subject = text_field(data, "office"), text_field(data, "staff_id") or f"dev-{role.value}"
        if role not in CONSOLE_ROLES:
            raise InvalidInput([Failure("forbidden", "choose a console role")])
        if role not in OFFICE_OPTIONAL and not office:
            raise InvalidInput([Failure("office-required", "a clerk, department or officer names an office")])
        principal = Principal(subject=subject[:64], role=role, office=office[:64])
        start_session(request, principal, f"{subject[:64]} · {office[:64] or role.value}", settings.web_session_hours)
        return see(safe_next(text_field(data, "next"), "/console"))

    @post("/sign-out", sync_to_thread=False, status_code=303)
    def sign_out(self, request: AnyRequest) -> Redirect:
        request.clear_session()
        return see("/")

    @get("/verify", sync_to_thread=False)
    def verify_form(self, request: AnyRequest) -> Template:
        return render(request, "verify.html", statement=None)

    @post("/verify", sync_to_thread=True, status_code=200)
    def verify(
        self, request: AnyRequest, data: Form, state: State, registry: NamedDependency[Registry],
        clock: NamedDependency[Clock],
    ) -> Template:  # fmt: skip
        """The same signed statement as POST /v1/certificates/verification, shown as a page."""
        certificate, code = text_field(data, "certificate")[:40], text_field(data, "code")[:16]
        statement: dict[str, Any] = certificate_statement(registry, state.read_side.store, clock, certificate, code)
        return render(request, "verify.html", statement=statement)
