"""Building blocks of the completed OpenAPI document (api/openapi.py): the problem schema, headers, request-body
examples made from the schemas' own field examples, and the links from a create to the record it created."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

PROBLEM_SCHEMAS: dict[str, Any] = {
    "Problem": {
        "title": "Problem",
        "description": "RFC 9457 problem details (application/problem+json), as api/errors.py sends them.",
        "type": "object",
        "required": ["type", "title", "status", "detail"],
        "properties": {
            "type": {"type": "string", "description": "/problems/<code>: the rule violated, stable"},
            "title": {"type": "string"},
            "status": {"type": "integer"},
            "detail": {"type": "string"},
            "instance": {"type": "string"},
            "errors": {"type": "array", "items": {"$ref": "#/components/schemas/ProblemError"}},
        },
    },
    "ProblemError": {
        "title": "ProblemError",
        "description": "One failed condition: its problem type and code, what is wrong, and where.",
        "type": "object",
        "required": ["type", "code", "detail"],
        "properties": {
            "type": {"type": "string"},
            "code": {"type": "string"},
            "detail": {"type": "string"},
            "field": {"type": "string", "description": "the body's field, as a dotted path"},
            "party": {"type": "string", "description": "the party the condition is about"},
        },
    },
}

PATH_PARAMETER = re.compile(r"\{([^}]+)\}")


def header(description: str, kind: str = "string", pattern: str | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": kind}
    if pattern is not None:
        schema["pattern"] = pattern
    return {"description": description, "required": False, "schema": schema}


def resolved(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def body_example(document: dict[str, Any], schema: dict[str, Any], depth: int = 0) -> Any:
    """A value that satisfies the schema, made from its fields' own examples (msgspec Meta(examples=...)), enums
    and defaults; only required fields are filled in."""
    schema = resolved(document, schema)
    for variant in schema.get("oneOf", []) + schema.get("anyOf", []):
        if resolved(document, variant).get("type") != "null":
            return body_example(document, variant, depth + 1)
    if "examples" in schema:
        return schema["examples"][0]
    if "enum" in schema or "const" in schema:
        return schema["enum"][0] if "enum" in schema else schema["const"]
    if "default" in schema:
        return schema["default"]
    kind = schema.get("type")
    kind = next(k for k in kind if k != "null") if isinstance(kind, list) else kind
    if kind == "object":
        properties = schema.get("properties", {})
        return {name: body_example(document, properties[name], depth + 1) for name in schema.get("required", [])}
    if kind == "array":
        return [body_example(document, schema.get("items", {}), depth + 1)] * schema.get("minItems", 0)
    return scalar_example(kind, schema)


FORMAT_EXAMPLES = {
    "date": "2026-11-22",
    "date-time": "2026-11-22T10:00:00+08:00",
    "uuid": "00000000-0000-4000-8000-000000000000",
}


def scalar_example(kind: Any, schema: dict[str, Any]) -> Any:
    if kind == "boolean":
        return True
    if kind in ("integer", "number"):
        return schema.get("minimum", 1)
    if schema.get("format") in FORMAT_EXAMPLES:
        return FORMAT_EXAMPLES[schema["format"]]
    return "x" * max(1, schema.get("minLength", 1))


def link_parameters(paths: dict[str, Any], collection: str) -> Iterator[tuple[dict[str, Any], dict[str, str]]]:
    """Each operation on one record of a collection, with the created record's id as its one path parameter."""
    for path, item in paths.items():
        if not path.startswith(collection + "/{"):
            continue
        names = PATH_PARAMETER.findall(path)
        if len(names) != 1:
            continue
        for operation in item.values():
            if isinstance(operation, dict) and "operationId" in operation:
                yield operation, {names[0]: "$response.body#/id"}
