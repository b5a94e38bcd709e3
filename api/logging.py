"""Structured logs: JSON when not on a terminal, one line per request, never personal data in clear."""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid
from typing import Any

import structlog
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID_HEADER = b"x-request-id"
CLIENT_REQUEST_ID_HEADER = b"x-client-request-id"
# A client's own request id is kept (apart from ours) only if it cannot carry an identity number: no run of six
# digits or more, nothing but letters, digits and hyphens.
SAFE_REQUEST_ID = re.compile(r"^(?!.*[0-9]{6})[A-Za-z0-9\-]{8,64}$")


def configure_logging(log_format: str = "auto") -> None:
    """Console renderer on a terminal (or when asked), JSON lines otherwise."""
    console = log_format == "console" or (log_format == "auto" and sys.stderr.isatty())
    renderer: Any = structlog.dev.ConsoleRenderer() if console else structlog.processors.JSONRenderer()
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.INFO),
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
        cache_logger_on_first_use=False,
    )


def request_id_of(scope: Scope) -> str:
    return str(scope.get("state", {}).get("request_id", ""))


class RequestLogMiddleware:
    """Gives each request the registry's own id and logs one line when it ends.

    A client's X-Request-ID is never used as the registry's id (a client could then forge or collide with the ids
    in events and logs); a safe one is kept beside it as client_request_id and echoed in X-Client-Request-ID.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.log = structlog.get_logger("registry.request")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(REQUEST_ID_HEADER, b"").decode("latin-1")
        client_request_id = given if SAFE_REQUEST_ID.match(given) else None
        request_id = uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                echoed = [(CLIENT_REQUEST_ID_HEADER, client_request_id.encode())] if client_request_id else []
                message["headers"] = [*message.get("headers", []), (REQUEST_ID_HEADER, request_id.encode()), *echoed]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception as error:  # answered by the app's exception handlers further out
            status = getattr(error, "status_code", 500)
            raise
        finally:
            principal = scope.get("user")
            route = scope.get("path_template") or scope.get("path", "")
            self.log.info(
                "request",
                request_id=request_id,
                client_request_id=client_request_id,
                actor=getattr(principal, "subject", None),
                role=getattr(getattr(principal, "role", None), "value", None),
                office=getattr(principal, "office", None),
                method=scope.get("method"),
                route=route,
                status=status,
                duration_ms=round((time.perf_counter() - started) * 1000, 2),
            )
