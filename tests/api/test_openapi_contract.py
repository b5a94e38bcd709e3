"""The served OpenAPI document says what the API does (issue 16).

The statuses are found by calling every operation, not read from the post-processor (api/openapi.py): each
operation is called with no token, with a role its guard refuses, with an unknown field in its body and with the
example of its body, by a role it allows, on ids that do not exist; whatever it answers must be documented, as a
problem document when it is an error. One store is enough: the document and these answers do not depend on it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date
from typing import Any

import jsonschema_rs
import pytest
from litestar.testing import TestClient

from api.app import create_app
from api.auth import RoleGuard
from api.errors import PROBLEM_JSON
from registry.common.actors import Role
from registry.common.clock import FixedClock
from registry.system import Registry
from tests.api.conftest import TODAY, Tokens
from tests.conftest import migrated_sqlite_registry
from tests.support import OFFICE, local_noon, resident_id

METHODS = ("get", "put", "post", "delete", "patch")
AnyClient = TestClient  # type: ignore[type-arg]


@pytest.fixture(scope="module")
def walked_registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    yield from migrated_sqlite_registry(tmp_path_factory.mktemp("contract") / "var")


@pytest.fixture(scope="module")
def api(walked_registry: Registry) -> Iterator[AnyClient]:
    app = create_app(registry=walked_registry, clock=FixedClock(local_noon(TODAY)))
    with TestClient(app) as client:
        yield client


@pytest.fixture(scope="module")
def document(api: AnyClient) -> dict[str, Any]:
    served: dict[str, Any] = api.get("/schema/openapi.json").json()
    return served


def operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method in METHODS:
            if method in item:
                yield method, path, item[method]


def concrete(path: str, operation: dict[str, Any]) -> str:
    """The path with an unknown id for each uuid parameter and the first value of each closed set."""
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "path":
            schema = parameter["schema"]
            value = schema["enum"][0] if "enum" in schema else str(uuid.uuid4())
            path = path.replace("{" + parameter["name"] + "}", value)
    return path


def header_for(tokens: Tokens, role: Role) -> dict[str, str]:
    if role is Role.CITIZEN:
        return tokens.citizen(resident_id(date(1970, 5, 5), "male"))
    return tokens.header(role, f"{role.value}-1", OFFICE)


def callers(tokens: Tokens, operation: dict[str, Any]) -> dict[str, dict[str, str]]:
    """No token; a role the operation refuses (if any); a role it allows."""
    allowed = [Role(role) for role in operation.get("x-roles", [])]
    refused = [role for role in Role if allowed and role not in allowed]
    found = {"anonymous": {}, "allowed": header_for(tokens, allowed[0] if allowed else Role.CLERK)}
    if refused:
        found["refused"] = header_for(tokens, refused[0])
    return found


def bodies(operation: dict[str, Any]) -> list[Any]:
    content = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if content is None:
        return [None]
    example = content["example"]
    unknown = {**example, "an_unknown_field": 1} if isinstance(example, dict) else {"an_unknown_field": 1}
    return [example, unknown]


def undocumented_answers(
    api: AnyClient, tokens: Tokens, method: str, path: str, operation: dict[str, Any]
) -> Iterator[str]:
    url = concrete(path, operation)
    for caller, headers in callers(tokens, operation).items():
        for body in bodies(operation):
            response = api.request(method.upper(), url, headers=headers, json=body)
            status = str(response.status_code)
            documented = operation["responses"].get(status)
            if documented is None:
                yield f"{method.upper()} {path} as {caller}: {status} {response.text[:160]}"
            elif response.status_code >= 400 and PROBLEM_JSON not in documented.get("content", {}):
                yield f"{method.upper()} {path}: {status} is not documented as a problem"


def test_every_status_an_operation_answers_is_documented(
    api: AnyClient, document: dict[str, Any], walked_registry: Registry
) -> None:
    tokens = Tokens(walked_registry)

    missing = [
        line
        for method, path, operation in operations(document)
        for line in undocumented_answers(api, tokens, method, path, operation)
    ]

    assert not missing, "answers the OpenAPI does not document:\n" + "\n".join(missing)


def test_an_error_answer_is_the_problem_document_the_openapi_describes(
    api: AnyClient, document: dict[str, Any]
) -> None:
    response = api.post("/v1/marriages", json={})
    schema = {"$ref": "#/components/schemas/Problem", "components": document["components"]}

    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    assert jsonschema_rs.validator_for(schema).is_valid(response.json())


def test_every_request_body_has_an_example_that_validates_against_its_schema(document: dict[str, Any]) -> None:
    failures = []
    for method, path, operation in operations(document):
        content = operation.get("requestBody", {}).get("content", {}).get("application/json")
        if content is None:
            continue
        schema = {**content["schema"], "components": document["components"]}
        if "example" not in content or not jsonschema_rs.validator_for(schema).is_valid(content["example"]):
            failures.append(f"{method.upper()} {path}")

    assert not failures


def test_each_operation_names_the_roles_its_guard_lets_in(api: AnyClient, document: dict[str, Any]) -> None:
    guarded = {
        (method.lower(), route.path_format): [r.value for g in handler.guards or [] if isinstance(g, RoleGuard)
                                              for r in g.roles]
        for route in api.app.routes
        for method, (handler, _) in getattr(route, "route_handler_map", {}).items()
    }  # fmt: skip

    for method, path, operation in operations(document):
        roles = guarded.get((method, path)) or None
        if roles is not None:
            assert operation["x-roles"] == roles, f"{method} {path}"
            assert f"Roles: {', '.join(roles)}." in operation["description"]


@pytest.mark.parametrize("path", ["/health", "/ready", "/.well-known/jwks.json", "/v1/certificates/verification"])
def test_a_public_route_asks_for_no_token(document: dict[str, Any], path: str) -> None:
    assert all(operation["security"] == [] for operation in document["paths"][path].values())


def test_every_other_route_asks_for_a_bearer_token(document: dict[str, Any]) -> None:
    for method, path, operation in operations(document):
        if path.startswith("/v1/") and path != "/v1/certificates/verification":
            assert operation["security"] == [{"bearer": []}], f"{method} {path}"


def test_request_bodies_say_that_unknown_fields_are_refused(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    for method, path, operation in operations(document):
        content = operation.get("requestBody", {}).get("content", {}).get("application/json")
        if content is not None and "$ref" in content["schema"]:
            schema = schemas[content["schema"]["$ref"].rsplit("/", 1)[1]]
            assert schema.get("additionalProperties") is False, f"{method} {path}"


def test_closed_sets_in_paths_are_enums_from_the_code(document: dict[str, Any]) -> None:
    step = next(
        p["schema"] for p in document["paths"]["/v1/place-names/{place_id}/{step}"]["post"]["parameters"]
        if p["name"] == "step"
    )  # fmt: skip
    assert {"review", "notice", "approval"} <= set(step["enum"])


def test_commands_document_if_match_and_idempotency_key_and_answer_etag(document: dict[str, Any]) -> None:
    register = document["paths"]["/v1/marriages/{marriage_id}/registration"]["post"]
    headers = {p["name"] for p in register["parameters"] if p["in"] == "header"}

    assert {"If-Match", "Idempotency-Key"} <= headers
    assert {"ETag", "Registry-Log-Position"} <= set(register["responses"]["200"]["headers"])
    assert "412" in register["responses"] and "Retry-After" in register["responses"]["503"]["headers"]


def test_a_create_links_to_the_operations_on_the_record_it_created(document: dict[str, Any]) -> None:
    links = document["paths"]["/v1/marriages"]["post"]["responses"]["201"]["links"]
    targets = {link["operationId"] for link in links.values()}
    registration = document["paths"]["/v1/marriages/{marriage_id}/registration"]["post"]["operationId"]

    assert registration in targets
    assert all(link["parameters"] == {"marriage_id": "$response.body#/id"} for link in links.values())
