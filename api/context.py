"""What every controller needs from a request: the act, preconditions, and the headers of a command's answer."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.datastructures import State

from api.auth import Principal
from api.logging import request_id_of
from api.schemas.common import IdentityDocumentIn
from registry.common.actors import Act, Role
from registry.common.application import CommandResult, fingerprint
from registry.common.clock import Clock, local_date
from registry.common.errors import Failure, InvalidInput, MalformedRequest, VersionMismatch
from registry.common.identity import validated_document_key
from registry.common.ids import PersonKeys
from registry.system import Registry

IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9_\-:.]{8,128}$")
ETAG = re.compile(r'^"(0|[1-9]\d{0,17})"$')
WEAK_ETAG = re.compile(r'^W/"\d+"$')
POSITION_HEADER = "Registry-Log-Position"

AnyRequest = Request[Principal, Any, State]


def provide_registry(state: State) -> Registry:
    registry: Registry = state.registry
    return registry


def provide_clock(state: State) -> Clock:
    clock: Clock = state.clock
    return clock


def principal_of(request: AnyRequest) -> Principal:
    principal: Principal = request.user
    return principal


def act_of(request: AnyRequest, clock: Clock) -> Act:
    """The act a request performs: its principal, the clock's time, its request id and idempotency key."""
    key = request.headers.get("idempotency-key")
    if key is not None and not IDEMPOTENCY_KEY.match(key):
        raise InvalidInput(
            [Failure("idempotency-key-malformed", "Idempotency-Key must be 8-128 of A-Z a-z 0-9 _ - : .")]
        )
    return Act(
        by=principal_of(request).actor, at=clock.now(), request_id=request_id_of(request.scope), idempotency_key=key
    )


def request_fingerprint(request: AnyRequest, body: msgspec.Struct | None = None) -> str:
    """Operation and canonical body: the same request retried has the same fingerprint."""
    encoded = msgspec.json.encode(body) if body is not None else b""
    return fingerprint(request.method, request.url.path, encoded)


def expected_version(request: AnyRequest) -> int | None:
    """The version named by If-Match (an ETag this API gave out), if any."""
    header = request.headers.get("if-match")
    if header is None or header.strip() == "*":
        return None
    if WEAK_ETAG.match(header.strip()):
        raise VersionMismatch(detail="If-Match uses the strong comparison: a weak ETag never matches")
    match = ETAG.match(header.strip())
    if match is None:
        raise MalformedRequest([Failure("if-match-malformed", 'If-Match must be an ETag from this API, like "3"')])
    return int(match.group(1))


def answer(
    body: msgspec.Struct,
    *,
    version: int,
    result: CommandResult | None = None,
    status: int = 200,
    location: str | None = None,
) -> Response[Any]:
    """A record with its ETag; after a command, also the log position it reached (for read-your-writes)."""
    headers = {"ETag": f'"{version}"'}
    if result is not None:
        headers[POSITION_HEADER] = str(result.position)
        if result.replayed:
            headers["Idempotent-Replayed"] = "true"
    if location is not None:
        headers["Location"] = location
    return Response(content=body, status_code=status, headers=headers)


def record_official_read(
    request: AnyRequest, registry: Registry, clock: Clock, *, what: str, target: str, persons: Sequence[str] = ()
) -> None:
    """An official's read of a person's records is itself recorded: who, when, whose (keyed hashes), which route.

    A citizen reading their own records is not an official's read; everyone else's reads are.
    """
    if principal_of(request).role == Role.CITIZEN:
        return
    route = str(request.scope.get("path_template") or request.url.path)
    registry.oversight.record_read(
        act_of(request, clock), what=what, target=target, person_refs=list(persons), route=f"{request.method} {route}"
    )


def next_of_kin_ref(request: AnyRequest, act: Act, person_keys: PersonKeys, document: IdentityDocumentIn | None) -> str:
    """Who a family's application is for: a citizen applies as themselves; a clerk names the applicant's document."""
    principal = principal_of(request)
    if principal.role == Role.CITIZEN:
        return principal.subject
    if document is None:
        raise InvalidInput([Failure("applicant-document-required", "a clerk gives the applicant's identity document")])
    key = validated_document_key(
        document.document_type, document.document_number, document.nationality, today=local_date(act.at)
    )
    return person_keys.ref(key)
