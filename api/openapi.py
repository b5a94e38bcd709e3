"""The OpenAPI document completed from the code that enforces it, so that a generated client can live by it.

Litestar documents each route's parameters, body and success. What else a route can answer is read here from the
same objects that make it answer so: its guards (api/auth.py: 401, 403, `x-roles`), the authentication middleware's
public paths (no security), its body (400, 413, 422), its path parameters (404), the helpers its handler calls
(`act_of`: a command with Idempotency-Key, 409 and 422; `expected_version`: If-Match and 412), its `views_of`
dependency (Registry-View-Position, wait_for's 503), the rate limits (429) and the store (503). Problem types come
from api/errors.py. Wired in with one plugin: `Litestar(plugins=[OpenAPIContract()], ...)`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from typing import Any, get_type_hints

from litestar.config.app import AppConfig
from litestar.handlers import HTTPRouteHandler
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import OpenAPI
from litestar.plugins import InitPlugin
from litestar.plugins.base import ReceiveRoutePlugin
from litestar.routes import BaseRoute, HTTPRoute

from api.auth import BearerAuthentication, RoleGuard
from api.context import IDEMPOTENCY_KEY, POSITION_HEADER
from api.controllers.places import STEPS
from api.errors import HTTP_PROBLEM_CODES, PROBLEM_JSON, PROBLEM_TYPE_BASE, STATUS_BY_ERROR, STORE_PROBLEM_CODES
from api.feed_waits import TooManyHeld
from api.openapi_parts import PROBLEM_SCHEMAS, body_example, header, link_parameters
from api.rate_limits import NOT_COUNTED
from api.schemas.common import Input
from api.views import VIEW_POSITION_HEADER, TooManyWaiting, ViewBehind
from registry.common.application import RegistryApplication
from registry.common.errors import MalformedRequest
from registry.deaths.services import DEADLINES
from registry.system import Registry

METHODS = ("get", "put", "post", "delete", "patch")


def application_names() -> list[str]:
    """The applications a registry holds (Registry's fields), each by the name the audit routes take."""
    hints = get_type_hints(Registry)
    return [t.name for t in hints.values() if isinstance(t, type) and issubclass(t, RegistryApplication)]


# Closed sets taken by path parameters, from the constants the handlers check them against.
PATH_ENUMS: dict[str, list[str]] = {
    "application": application_names(),
    "step": list(STEPS),
    "service": list(DEADLINES),
}


@dataclass(frozen=True)
class Operation:
    """What the code says about one operation: who may call it and what it reads."""

    method: str
    path: str
    handler: HTTPRouteHandler
    public: bool

    @property
    def function(self) -> Any:
        return getattr(self.handler.fn, "func", self.handler.fn)

    @property
    def names(self) -> tuple[str, ...]:
        """The names the handler's code refers to (which context helpers it calls)."""
        code = getattr(self.function, "__code__", None)
        return tuple(code.co_names) if code is not None else ()

    @property
    def other_successes(self) -> set[int]:
        """Successes besides the declared one: 200 for a record that existed (`result.created`), and the statuses
        of a table of outcomes the handler answers with (like STATUS_BY_OUTCOME)."""
        found = {200} if "created" in self.names else set()
        for name in self.names:
            table = getattr(self.function, "__globals__", {}).get(name)
            if isinstance(table, dict) and table and all(isinstance(s, int) for s in table.values()):
                found |= {status for status in table.values() if 200 <= status < 300}
        return found

    @property
    def roles(self) -> tuple[str, ...] | None:
        guards = [getattr(g, "func", g) for g in self.handler.resolve_guards()]
        role_guards = [g for g in guards if isinstance(g, RoleGuard)]
        return tuple(r.value for g in role_guards for r in g.roles) if role_guards else None

    @property
    def has_body(self) -> bool:
        return "data" in self.handler.parsed_fn_signature.parameters

    @property
    def is_command(self) -> bool:
        return self.method != "get" and "act_of" in self.names

    @property
    def reads_if_match(self) -> bool:
        return "expected_version" in self.names

    @property
    def waits_for_views(self) -> bool:
        return "view_position" in self.handler.resolve_dependencies()

    @property
    def touches_store(self) -> bool:
        """A sync handler in a worker thread, or an async one that sends its store work to one deliberately."""
        return bool(self.handler.sync_to_thread) or self.waits_for_views or "to_thread" in self.names

    @property
    def holds_requests(self) -> bool:
        """It may hold a request until there is something to answer (api/feed_waits.py)."""
        return "hold" in self.names

    def problem_types(self, has_parameters: bool) -> dict[int, list[str]]:
        """Each status the operation can answer with a problem, and the problem types it carries."""
        types: dict[int, list[str]] = {}
        codes = error_codes_by_status()

        def add(status: int, *extra: str) -> None:
            types.setdefault(status, []).extend(c for c in (*codes.get(status, ()), *extra) if c not in types[status])

        if not self.public:
            add(401, HTTP_PROBLEM_CODES[401])
        if self.roles is not None:
            add(403, HTTP_PROBLEM_CODES[403], *codes[403])
        if has_parameters or self.has_body or self.reads_if_match:
            add(400, "if-match-malformed") if self.reads_if_match else add(400)
        if self.has_body:
            add(413, HTTP_PROBLEM_CODES[413])
        if (self.has_body or has_parameters) and self.touches_store:  # what it is given can break a rule
            add(422)
        if has_parameters or self.has_body or self.is_command or self.waits_for_views:  # a body may name a record
            add(404, HTTP_PROBLEM_CODES[404])
        if self.is_command:
            add(409)
            add(422, "idempotency-key-malformed")
        if self.waits_for_views:
            add(422, "wait-for-beyond-log-head")
        if self.reads_if_match:
            add(412)
        if not NOT_COUNTED.match(self.path):
            add(429, HTTP_PROBLEM_CODES[429])
        if self.holds_requests:
            add(429, TooManyHeld.code)
        if self.touches_store:
            add(503, *STORE_PROBLEM_CODES)
        return {status: sorted(types[status]) for status in sorted(types)}


def error_codes_by_status() -> dict[int, list[str]]:
    """The problem type of each domain error, by the status api/errors.py answers it with."""
    by_status: dict[int, list[str]] = {}
    for error, status in STATUS_BY_ERROR.items():
        by_status.setdefault(status, []).append(error.code)
    by_status[400] = [MalformedRequest.code]
    by_status[429] = [c for c in by_status[429] if c != TooManyHeld.code]
    by_status[503] = [c for c in by_status[503] if c not in (ViewBehind.code, TooManyWaiting.code)]
    return by_status


STATUS_TITLES = {
    400: "The request does not match the schema",
    401: "No valid bearer token",
    403: "The caller's role or office may not do this",
    404: "No such record (or not visible to the caller)",
    409: "The record's state does not allow this, or it changed concurrently",
    412: "If-Match names another version of the record",
    413: "The body is larger than this route accepts",
    422: "The request breaks a rule; `errors` lists every failed condition",
    429: "Too many requests; retry after Retry-After seconds",
    503: "The store or the read models cannot serve now; retry after Retry-After seconds",
}


class OpenAPIContract(InitPlugin, ReceiveRoutePlugin):
    """Completes the document Litestar generates from the routes' guards, bodies, parameters and helpers."""

    def __init__(self) -> None:
        self.routes: list[HTTPRoute] = []
        self.public_paths: list[re.Pattern[str]] = []

    def on_app_init(self, app_config: AppConfig) -> AppConfig:
        for middleware in app_config.middleware:
            if getattr(middleware, "middleware", None) is BearerAuthentication:
                self.public_paths = [re.compile(p) for p in middleware.kwargs["exclude"]]  # type: ignore[union-attr]
        if app_config.openapi_config is not None:
            app_config.openapi_config = ContractConfig.completing(app_config.openapi_config, self)
        return app_config

    def receive_route(self, route: BaseRoute) -> None:
        if isinstance(route, HTTPRoute):
            self.routes.append(route)

    def operations(self) -> Iterator[Operation]:
        for route in self.routes:
            for method, (handler, _) in route.route_handler_map.items():
                if method.lower() in METHODS and handler.resolve_include_in_schema():
                    yield Operation(method.lower(), route.path_format or "/", handler, self.is_public(route, handler))

    def is_public(self, route: HTTPRoute, handler: HTTPRouteHandler) -> bool:
        if handler.opt.get("exclude_from_auth"):
            return True
        return any(pattern.search(route.path) for pattern in self.public_paths)

    def complete(self, document: dict[str, Any]) -> dict[str, Any]:
        """The document with every operation's problems, headers, security, roles, enums, examples and links."""
        document.setdefault("components", {}).setdefault("schemas", {}).update(PROBLEM_SCHEMAS)
        closed_bodies(document["components"]["schemas"])
        paths = document.get("paths", {})
        for operation in self.operations():
            documented = paths.get(operation.path, {}).get(operation.method)
            if documented is not None:
                complete_operation(document, operation, documented)
        add_links(paths)
        return document


def complete_operation(document: dict[str, Any], operation: Operation, documented: dict[str, Any]) -> None:
    parameters = documented.setdefault("parameters", [])
    for parameter in parameters:
        if parameter["in"] == "path" and parameter["name"] in PATH_ENUMS:
            parameter["schema"] = {"type": "string", "enum": PATH_ENUMS[parameter["name"]]}
    parameters.extend(request_headers(operation))
    documented["security"] = [] if operation.public else [{"bearer": []}]
    describe_roles(documented, operation)
    responses = documented.setdefault("responses", {})
    responses.pop("400", None)  # Litestar's own, not the problem the registry sends
    for status, types in operation.problem_types(has_parameters=bool(parameters)).items():
        responses[str(status)] = problem_response(status, types)
    declared = next((response for status, response in responses.items() if status.startswith("2")), None)
    for status in sorted(operation.other_successes):
        if declared is not None:
            responses.setdefault(str(status), dict(declared))  # the same record; the description says when
    for status, response in responses.items():
        if status.startswith("2"):
            response["headers"] = success_headers(operation, status)
    body = documented.get("requestBody", {}).get("content", {}).get("application/json")
    if body is not None:
        body["example"] = body_example(document, body["schema"])


def describe_roles(documented: dict[str, Any], operation: Operation) -> None:
    roles = operation.roles
    if operation.public:
        sentence = "Public: no token is needed."
    elif roles is None:
        sentence = "Any caller with a valid bearer token."
    else:
        documented["x-roles"] = list(roles)
        sentence = f"Roles: {', '.join(roles)}."
    documented["description"] = f"{documented.get('description', '').strip()}\n\n{sentence}".strip()


def request_headers(operation: Operation) -> list[dict[str, Any]]:
    headers = []
    if operation.reads_if_match:
        headers.append({
            "name": "If-Match", "in": "header", "required": False,
            "description": 'The ETag of the version this command expects (like "3"); another version answers 412.',
            "schema": {"type": "string"},
        })  # fmt: skip
    if operation.is_command:
        headers.append({
            "name": "Idempotency-Key", "in": "header", "required": False,
            "description": "Repeated with the same body, the first answer is returned and nothing is written again; "
                           "with another body, 422 idempotency-key-reused.",
            "schema": {"type": "string", "pattern": IDEMPOTENCY_KEY.pattern},
        })  # fmt: skip
    return headers


def success_headers(operation: Operation, status: str) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if operation.is_command or "{" in operation.path:
        headers["ETag"] = header("The record's version, for If-Match", pattern=r'^"\d+"$')
    if operation.is_command:
        headers[POSITION_HEADER] = header("The log position this command reached (wait_for on lists)", "integer")
        headers["Idempotent-Replayed"] = header("`true` when this is the first answer to the same Idempotency-Key")
    if status == "201":
        headers["Location"] = header("Where the created record is read")
    if operation.waits_for_views:
        headers[VIEW_POSITION_HEADER] = header(
            "The log position the views reflect, as <application>=<position>", pattern=r"^[a-z_]+=\d+$"
        )
    return headers


def problem_response(status: int, types: list[str]) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": f"{STATUS_TITLES.get(status, 'Problem')}. Problem types: {', '.join(types) or 'a rule code'}"
        + (" or the code of the one rule that failed" if status in (409, 422) else "")
        + ".",
        "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        "x-problem-types": [PROBLEM_TYPE_BASE + code for code in types],
    }
    headers: dict[str, Any] = {}
    if status in (429, 503):
        headers["Retry-After"] = header("Seconds to wait before retrying", "integer")
    if status == 401:
        headers["WWW-Authenticate"] = header("The bearer scheme and realm")
    if status == 422:  # a refusal that is itself on record says where it is
        headers["ETag"] = header("The record's version after the refusal was recorded")
        headers[POSITION_HEADER] = header("The log position the recorded refusal reached", "integer")
    if headers:
        response["headers"] = headers
    return response


def closed_bodies(schemas: dict[str, Any]) -> None:
    """Request bodies reject unknown fields (api.schemas.common.Input forbids them): say so."""
    closed = {cls.__name__ for cls in subclasses(Input)}
    for name, schema in schemas.items():
        if schema.get("title", name) in closed and schema.get("type") == "object":
            schema["additionalProperties"] = False


def subclasses(cls: type[Any]) -> Iterator[type[Any]]:
    for sub in cls.__subclasses__():
        yield sub
        yield from subclasses(sub)


def add_links(paths: dict[str, Any]) -> None:
    """From each create (201) operation to every operation on the record it created, by its id."""
    for path, item in paths.items():
        for method in METHODS:
            created = item.get(method, {}).get("responses", {}).get("201")
            if created is None:
                continue
            links = {
                f"{target['operationId']}": {"operationId": target["operationId"], "parameters": parameters}
                for target, parameters in link_parameters(paths, path)
            }
            if links:
                created["links"] = links


@dataclass
class ContractConfig(OpenAPIConfig):
    """The app's OpenAPIConfig, whose document is completed by an OpenAPIContract."""

    contract: OpenAPIContract | None = field(default=None)

    @classmethod
    def completing(cls, config: OpenAPIConfig, contract: OpenAPIContract) -> ContractConfig:
        deprecated = ("enabled_endpoints", "root_schema_site")  # filled in by OpenAPIConfig itself; passing them warns
        values = {f.name: getattr(config, f.name) for f in fields(config) if f.init and f.name not in deprecated}
        values["use_handler_docstrings"] = True  # a handler's docstring says what the operation does
        return cls(**values, contract=contract)

    def to_openapi_schema(self) -> OpenAPI:
        base = super().to_openapi_schema()
        return CompletedOpenAPI(**{f.name: getattr(base, f.name) for f in fields(base)}, contract=self.contract)


@dataclass
class CompletedOpenAPI(OpenAPI):
    """An OpenAPI object whose dictionary form is completed by its contract."""

    contract: OpenAPIContract | None = None

    @property
    def _exclude_fields(self) -> set[str]:
        return {*super()._exclude_fields, "contract"}

    def to_schema(self) -> dict[str, Any]:
        schema = super().to_schema()
        return self.contract.complete(schema) if self.contract is not None else schema
