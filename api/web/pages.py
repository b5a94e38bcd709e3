"""What every page handler shares: rendering in the reader's language, forms, acts, confirmations, and errors."""

from __future__ import annotations

import re
from typing import Annotated, Any
from urllib.parse import quote

import structlog
from litestar import Request, Response
from litestar.enums import RequestEncodingType
from litestar.exceptions import HTTPException, NotAuthorizedException, PermissionDeniedException, ValidationException
from litestar.params import Body
from litestar.response import Redirect, Template

from api.auth import Principal
from api.context import IDEMPOTENCY_KEY
from api.errors import status_for
from api.logging import request_id_of
from api.web.i18n import DEFAULT_LANGUAGE, HTML_LANG, LANGUAGES, label, translator
from api.web.problems import failure_messages
from api.web.session import CSRF_FIELD, LANGUAGE_COOKIE
from registry.common.actors import Act
from registry.common.application import fingerprint
from registry.common.clock import Clock
from registry.common.errors import DomainError

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
AnyRequest = Request[Any, Any, Any]
# Fields of a form that are not part of what it asks for.
CONTROL_FIELDS = (CSRF_FIELD, "confirmed", "form_key")
log = structlog.get_logger("registry.web")


def lang_of(request: AnyRequest) -> str:
    chosen = request.cookies.get(LANGUAGE_COOKIE, DEFAULT_LANGUAGE)
    return chosen if chosen in LANGUAGES else DEFAULT_LANGUAGE


def me(request: AnyRequest) -> Principal | None:
    user = request.scope.get("user")
    return user if isinstance(user, Principal) else None


def back_link(request: AnyRequest) -> str:
    """Where "back" goes from an error page: the page the form was on, if it is on this site."""
    referer = request.headers.get("referer", "")
    origin = f"{request.url.scheme}://{request.url.netloc}"
    return safe_next(referer[len(origin) :] if referer.startswith(origin + "/") else "", "/")


def render(request: AnyRequest, template: str, *, status_code: int = 200, **context: Any) -> Template:
    """A page in the reader's language, with who is signed in and what the frame needs."""
    lang = lang_of(request)
    session = request.scope.get("session")
    signed_in_as = session.get("label", "") if isinstance(session, dict) and me(request) else ""
    return Template(
        template_name=template,
        status_code=status_code,
        context={
            "lang": lang, "html_lang": HTML_LANG[lang], "_": translator(lang),
            "label": lambda prefix, value: label(prefix, value, lang), "me": me(request),
            "signed_in_as": signed_in_as, "path": request.url.path, **context,
        },
    )  # fmt: skip


def text_field(form: dict[str, Any], name: str) -> str:
    """One text field of a form, stripped ("" when absent); a repeated field counts by its last value."""
    value = form.get(name, "")
    if isinstance(value, list):
        value = value[-1] if value else ""
    return str(value).strip()


def ticked(form: dict[str, Any], name: str) -> bool:
    return text_field(form, name) in ("on", "yes", "true", "1")


def web_act(request: AnyRequest, clock: Clock, form: dict[str, Any]) -> Act:
    """The act of a form: the signed-in person, now, the request, and the form's own key so that a form sent twice
    (a double click, a retry after a lost answer) acts once."""
    principal = me(request)
    if principal is None:
        raise NotAuthorizedException()
    key = text_field(form, "form_key")
    return Act(
        by=principal.actor, at=clock.now(), request_id=request_id_of(request.scope),
        idempotency_key=key if IDEMPOTENCY_KEY.match(key) else None,
    )  # fmt: skip


def form_fingerprint(request: AnyRequest, form: dict[str, Any]) -> str:
    """The same form sent again has the same fingerprint (control fields left out)."""
    fields = sorted((k, str(v)) for k, v in form.items() if k not in CONTROL_FIELDS)
    return fingerprint(request.method, request.url.path, repr(fields))


def confirmed(form: dict[str, Any]) -> bool:
    return text_field(form, "confirmed") == "yes"


def confirm_page(request: AnyRequest, form: dict[str, Any], *, question: str, cancel: str) -> Template:
    """The step before an irreversible act: what will happen, the same form again, and Confirm / Cancel."""
    hidden = {k: v for k, v in form.items() if k not in (CSRF_FIELD, "confirmed")}
    return render(request, "confirm.html", question=question, hidden=hidden, action=request.url.path,
                  cancel=cancel)  # fmt: skip


def see(url: str) -> Redirect:
    """After a form: go to the record (303, so that reloading the page does not send the form again)."""
    return Redirect(path=url, status_code=303)


SAFE_NEXT = re.compile(r"^/(?![/\\])[\w\-/.?=&%]*$")


def safe_next(target: str | None, default: str) -> str:
    """Only a path on this site (no open redirect to another)."""
    return target if target and SAFE_NEXT.match(target) else default


# -- errors, as pages -------------------------------------------------------------------------------------------


def domain_error_page(request: AnyRequest, error: DomainError) -> Response[Any]:
    status = status_for(type(error)) or 422
    reasons = failure_messages(error, lang_of(request))
    return render(
        request, "problem.html", status_code=status, reasons=reasons, code=error.code, back=back_link(request)
    )


def sign_in_first(request: AnyRequest, _: Exception) -> Response[Any]:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return Redirect(path=f"/sign-in?next={quote(target if request.method == 'GET' else request.url.path)}")


def forbidden_page(request: AnyRequest, error: PermissionDeniedException) -> Response[Any]:
    if me(request) is None and "CSRF" not in str(error.detail):
        return sign_in_first(request, error)
    key = "problem.csrf" if "CSRF" in str(error.detail) else "problem.forbidden"
    return render(request, "problem.html", status_code=403, message_key=key, reasons=[])


def http_error_page(request: AnyRequest, error: HTTPException) -> Response[Any]:
    if error.status_code >= 500:
        return unexpected_page(request, error)
    key = "problem.not_found" if error.status_code in (404, 405) else "problem.title"
    return render(request, "problem.html", status_code=error.status_code, message_key=key, reasons=[])


def invalid_form_page(request: AnyRequest, error: ValidationException) -> Response[Any]:
    return render(request, "problem.html", status_code=400, message_key="problem.title", reasons=[],
                  code="malformed-request")  # fmt: skip


def unexpected_page(request: AnyRequest, error: Exception) -> Response[Any]:
    log.error("unhandled error", error_type=type(error).__name__, path=request.url.path, exc_info=error)
    return render(request, "problem.html", status_code=500, message_key="problem.internal", reasons=[])


PAGE_EXCEPTION_HANDLERS: dict[type[Exception] | int, Any] = {
    DomainError: domain_error_page,
    NotAuthorizedException: sign_in_first,
    PermissionDeniedException: forbidden_page,
    ValidationException: invalid_form_page,
    HTTPException: http_error_page,
    Exception: unexpected_page,
}
