"""Bearer JWT authentication and role guards; object-level checks live with each controller."""

from __future__ import annotations

import functools
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import jwt
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult, DefineMiddleware
from litestar.types import ASGIApp

from registry.common.actors import Actor, Role

ISSUER = "civil-registry"
AUDIENCE = "civil-registry/330782"
ALGORITHM = "HS256"
CLOCK_SKEW_SECONDS = 60


@dataclass(frozen=True)
class Principal:
    """The authenticated caller: subject, role, office or department, scopes."""

    subject: str
    role: Role
    office: str
    scopes: tuple[str, ...] = ()

    @property
    def actor(self) -> Actor:
        return Actor(id=self.subject, role=self.role.value, office=self.office)


def mint_token(secret: bytes, *, subject: str, role: Role, office: str = "", ttl_seconds: int = 8 * 3600) -> str:
    """A signed token for a subject (a citizen's subject is their person reference, never an id number)."""
    now = int(time.time())
    claims = {
        "iss": ISSUER, "aud": AUDIENCE, "sub": subject, "role": role.value, "office": office, "iat": now,
        "exp": now + ttl_seconds,
    }  # fmt: skip
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def read_token(secret: bytes, token: str, *, max_lifetime_seconds: float = 12 * 3600) -> Principal:
    """The principal of a valid token; a token is verified once and then reused until it expires."""
    principal, issued, expires = _verified(secret, token)
    now = time.time()
    if expires <= now:
        raise NotAuthorizedException(detail="invalid bearer token: expired")
    if expires - issued > max_lifetime_seconds:
        raise NotAuthorizedException(detail="invalid bearer token: its lifetime is longer than this registry allows")
    return principal


@functools.lru_cache(maxsize=4096)
def _verified(secret: bytes, token: str) -> tuple[Principal, float, float]:
    try:
        claims: dict[str, Any] = jwt.decode(
            token, secret, algorithms=[ALGORITHM], issuer=ISSUER, audience=AUDIENCE, leeway=CLOCK_SKEW_SECONDS,
            options={"require": ["exp", "iat", "sub", "iss", "aud"]},
        )  # fmt: skip
        role = Role(claims.get("role", ""))
    except (jwt.PyJWTError, ValueError):
        raise NotAuthorizedException(detail="invalid bearer token") from None
    office, scopes, subject = claims.get("office") or "", claims.get("scopes", []), claims.get("sub")
    if not isinstance(office, str) or not isinstance(subject, str) or not subject.strip():
        raise NotAuthorizedException(detail="invalid bearer token: sub and office must be text")
    if not isinstance(scopes, list) or not all(isinstance(scope, str) for scope in scopes):
        raise NotAuthorizedException(detail="invalid bearer token: scopes must be a list of text")
    if role not in (Role.SUPERVISOR, Role.AUDITOR, Role.CITIZEN, Role.OPERATOR) and not office:
        raise NotAuthorizedException(detail=f"a {role.value} token must name an office")
    principal = Principal(subject=subject, role=role, office=office, scopes=tuple(scopes))
    return principal, float(claims["iat"]), float(claims["exp"])


class BearerAuthentication(AbstractAuthenticationMiddleware):
    """Reads `Authorization: Bearer <JWT>` into request.user."""

    def __init__(self, app: ASGIApp, secret: bytes, max_lifetime_seconds: float, exclude: Sequence[str]) -> None:
        super().__init__(app, exclude=list(exclude))
        self.secret = secret
        self.max_lifetime_seconds = max_lifetime_seconds

    async def authenticate_request(self, connection: ASGIConnection[Any, Any, Any, Any]) -> AuthenticationResult:
        header = connection.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise NotAuthorizedException(detail="a bearer token is required")
        principal = read_token(self.secret, token.strip(), max_lifetime_seconds=self.max_lifetime_seconds)
        return AuthenticationResult(user=principal, auth=token)


def bearer_authentication(
    secret: bytes, max_lifetime_seconds: float, also_exclude: Sequence[str] = ()
) -> DefineMiddleware:
    """also_exclude: paths that authenticate otherwise (the web pages, by session)."""
    return DefineMiddleware(
        BearerAuthentication,
        secret=secret,
        max_lifetime_seconds=max_lifetime_seconds,
        exclude=[
            "^/health$",
            "^/ready$",
            "^/schema",
            "^/.well-known/",
            "^/v1/certificates/verification$",
            *also_exclude,
        ],
    )


@dataclass(frozen=True)
class RoleGuard:
    """Lets only its roles call a handler; the OpenAPI document names them from the same object (api/openapi.py).

    OPTIONS is let through: it is never authenticated (a browser's preflight carries no token) and its answer, made
    by the framework, says only which methods the route has.
    """

    roles: tuple[Role, ...]

    async def __call__(self, connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        if connection.scope.get("method") == "OPTIONS":
            return
        principal = connection.scope.get("user")
        if principal is None:
            raise NotAuthorizedException(detail="a bearer token is required")
        if not isinstance(principal, Principal) or principal.role not in self.roles:
            raise PermissionDeniedException(detail=f"this operation is for: {', '.join(r.value for r in self.roles)}")


def allow(*roles: Role) -> Any:
    """A guard that lets only the given roles call a handler (and documents them on the route)."""
    return RoleGuard(roles)
