"""RFC 9457 problem details: every error the API returns, mapped in one place."""

from __future__ import annotations

import re
from typing import Any

import structlog
from litestar import MediaType, Request, Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from api.feed_waits import TooManyHeld
from api.views import TooManyWaiting, ViewBehind
from registry.adapters.faults import store_not_migrated, store_unavailable
from registry.common.application import RefusalRecorded
from registry.common.errors import (
    CalendarMissing,
    ConcurrentChange,
    DomainError,
    Forbidden,
    IdempotencyKeyReused,
    InvalidInput,
    MalformedRequest,
    NotConfigured,
    NotEligible,
    NotFound,
    VersionMismatch,
    WrongState,
)
from registry.common.sealing import Unreadable

PROBLEM_JSON = "application/problem+json"
PROBLEM_TYPE_BASE = "/problems/"

STATUS_BY_ERROR: dict[type[DomainError], int] = {
    MalformedRequest: 400,
    ViewBehind: 503,
    TooManyWaiting: 503,
    TooManyHeld: 429,
    CalendarMissing: 503,  # the operator must configure that year's calendar; retrying soon will not help
    NotConfigured: 503,
    InvalidInput: 422,
    NotEligible: 422,
    IdempotencyKeyReused: 422,
    WrongState: 409,
    Unreadable: 409,  # sealed details: the record's state (sealed) allows no act that needs them
    ConcurrentChange: 409,
    VersionMismatch: 412,
    NotFound: 404,
    Forbidden: 403,
}

# The problem type of each status the framework itself raises (api/openapi.py documents them from here).
HTTP_PROBLEM_CODES = {
    401: "unauthenticated", 403: "forbidden", 404: "not-found", 405: "method-not-allowed", 413: "body-too-large",
    429: "too-many-requests",
}  # fmt: skip
STORE_PROBLEM_CODES = ("store-unavailable", "store-not-migrated")

log = structlog.get_logger("registry.api")


def status_for(error: type[DomainError]) -> int | None:
    """The status of an error class: its own, else its nearest base's (None: not mapped, a test refuses that)."""
    return next((STATUS_BY_ERROR[cls] for cls in error.__mro__ if cls in STATUS_BY_ERROR), None)


def problem(
    status: int, code: str, title: str, detail: str, errors: list[dict[str, str]] | None = None
) -> Response[Any]:
    body: dict[str, Any] = {"type": PROBLEM_TYPE_BASE + code, "title": title, "status": status, "detail": detail}
    if errors:
        body["errors"] = errors
    return Response(content=body, status_code=status, media_type=PROBLEM_JSON)


def domain_error_to_problem(_: Request[Any, Any, Any], error: DomainError) -> Response[Any]:
    """A single failed rule gives its own problem type; several give the error's type, each listed."""
    status = status_for(type(error)) or 422
    errors = [
        {
            "type": PROBLEM_TYPE_BASE + f.code,
            "code": f.code,
            "detail": f.detail,
            **({"party": f.subject} if f.subject else {}),
        }
        for f in error.failures
    ]
    code = error.failures[0].code if len(error.failures) == 1 else error.code
    response = problem(status, code, error.title, error.detail, errors)
    if isinstance(error, ViewBehind | TooManyWaiting | TooManyHeld):
        response.headers["Retry-After"] = "1"
    if isinstance(error, RefusalRecorded):  # the refusal is on record: where to read it back
        response.headers["ETag"] = f'"{error.result.version}"'
        response.headers["Registry-Log-Position"] = str(error.result.position)
    return response


def validation_to_problem(_: Request[Any, Any, Any], error: ValidationException) -> Response[Any]:
    """Bodies and parameters that do not match the schema: 400, each field named."""
    extra = error.extra if isinstance(error.extra, list) else []
    errors = [
        {
            "type": PROBLEM_TYPE_BASE + "invalid-field",
            "code": "invalid-field",
            **field_and_detail(str(item.get("key", "")), str(item.get("message", ""))),
        }
        for item in extra
        if isinstance(item, dict)
    ]
    return problem(400, MalformedRequest.code, "The request does not match the schema", str(error.detail), errors)


FIELD_IN_MESSAGE = re.compile(r"^`(?P<field>[^`]+)` (?P<detail>.+)$", re.DOTALL)


def field_and_detail(key: str, message: str) -> dict[str, str]:
    """The field's path and what is wrong with it.

    A check made by a body as a whole (api.schemas.common.Input) names its own field in backticks; the key is then
    the path of that body ("data" for the request body itself), and the field is joined to it.
    """
    named = FIELD_IN_MESSAGE.match(message)
    if named is None:
        return {"detail": message, "field": key}
    field = named["field"] if key in ("", "data") else f"{key}.{named['field']}"
    return {"detail": named["detail"], "field": field}


def http_to_problem(request: Request[Any, Any, Any], error: HTTPException) -> Response[Any]:
    if "path_template" not in request.scope and error.status_code in (404, 405):
        # No route matched, so no route middleware logged this request: log it here.
        log.info("request", method=request.method, route=None, status=error.status_code)
    if error.status_code >= 500:
        return unexpected_to_problem(request, error)
    code = HTTP_PROBLEM_CODES.get(error.status_code, "http-error")
    detail = body_too_large(request) if error.status_code == 413 else str(error.detail)
    response = problem(error.status_code, code, str(error.detail), detail)
    if isinstance(error, NotAuthorizedException):
        response.headers["WWW-Authenticate"] = 'Bearer realm="civil-registry"'
    if error.status_code == 429:
        response.headers.update(retry_headers(error))
    return response


def retry_headers(error: HTTPException) -> dict[str, str]:
    """The rate limiter's headers, and Retry-After: the seconds until its window resets (at least 1)."""
    headers = dict(error.headers or {})
    reset = headers.get("RateLimit-Reset", "60")
    headers["Retry-After"] = str(max(1, int(reset))) if reset.isdigit() else "60"
    return headers


def body_too_large(request: Request[Any, Any, Any]) -> str:
    """What the route accepts (api/limits.py)."""
    limit = request.route_handler.resolve_request_max_body_size()
    return f"the body is larger than this route accepts (at most {limit} bytes)"


STORE_RETRY_AFTER_SECONDS = 5


def unexpected_to_problem(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    """Never leak internals: log the exception type with the request id, answer a plain 500.

    A fault of the store itself (down, restarting, out of connections, not migrated) is a 503 the client may retry.
    """
    if store_unavailable(error) or store_not_migrated(error):
        return store_fault_to_problem(request, error)
    log.error("unhandled error", error_type=type(error).__name__, path=request.url.path, exc_info=error)
    return problem(HTTP_500_INTERNAL_SERVER_ERROR, "internal-error", "Internal error", "the error was logged")


def store_fault_to_problem(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    """The store cannot serve now: 503 with Retry-After. A command is all or nothing; repeated with the same
    Idempotency-Key it is applied once, even if this attempt was written just before the connection broke."""
    log.warning("store unavailable", error_type=type(error).__name__, path=request.url.path)
    if store_not_migrated(error):
        response = problem(
            503, STORE_PROBLEM_CODES[1], "The store is not migrated", "the operator must run `registry db migrate`"
        )
    else:
        response = problem(
            503, STORE_PROBLEM_CODES[0], "The store is unavailable", "the database cannot be reached now; try again"
        )
    response.headers["Retry-After"] = str(STORE_RETRY_AFTER_SECONDS)
    return response


def out_of_range_to_problem(_: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    """Numbers too large for the store, and bodies nested too deep to decode: the request is malformed."""
    detail = "a number is out of range" if isinstance(error, OverflowError) else "the body is nested too deeply"
    return problem(400, "malformed-request", "The request does not match the schema", detail)


EXCEPTION_HANDLERS: dict[type[Exception] | int, Any] = {
    OverflowError: out_of_range_to_problem,
    RecursionError: out_of_range_to_problem,
    DomainError: domain_error_to_problem,
    ValidationException: validation_to_problem,
    PermissionDeniedException: http_to_problem,
    HTTPException: http_to_problem,
    Exception: unexpected_to_problem,
}

__all__ = ["EXCEPTION_HANDLERS", "PROBLEM_JSON", "MediaType", "problem"]
