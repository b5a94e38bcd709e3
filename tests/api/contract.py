"""The /v1 contract as a set of promises: operations, their parameters, and every field of their request bodies and
successful responses. A promise in the committed reference (docs/openapi/v1.json) that the served document no longer
makes is a breaking change.

Refresh the reference after a compatible change (one that only adds): `.venv/bin/python -m tests.api.contract`.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from litestar.testing import TestClient

from api.app import create_app
from registry.system import open_registry
from tests.conftest import sqlite_settings

REFERENCE = Path(__file__).parents[2] / "docs" / "openapi" / "v1.json"
METHODS = ("get", "put", "post", "delete", "patch")
DEPTH = 8  # nesting followed into a schema (the registry's deepest body is 4 levels)


def served_document() -> dict[str, Any]:
    """The OpenAPI document a registry on the embedded default serves at /schema/openapi.json."""
    with tempfile.TemporaryDirectory() as data_dir:
        registry = open_registry(sqlite_settings(Path(data_dir)))
        try:
            with TestClient(create_app(registry=registry)) as client:
                document: dict[str, Any] = client.get("/schema/openapi.json").json()
        finally:
            registry.close()
    return document


def promises(document: dict[str, Any]) -> set[str]:
    """Every operation, parameter, request field and success-response field the document promises, one line each."""
    found: set[str] = set()
    for path, item in document.get("paths", {}).items():
        for method in METHODS:
            if method not in item:
                continue
            operation, name = item[method], f"{method.upper()} {path}"
            found.add(name)
            found |= {f"{name} parameter {p['in']} {p['name']}" for p in operation.get("parameters", [])}
            for body in operation.get("requestBody", {}).get("content", {}).values():
                found |= {f"{name} request {field}" for field in fields(document, body.get("schema", {}))}
            for status, response in operation.get("responses", {}).items():
                if status.startswith("2"):
                    for content in response.get("content", {}).values():
                        found |= {f"{name} {status} {field}" for field in fields(document, content.get("schema", {}))}
    return found


def fields(document: dict[str, Any], schema: dict[str, Any], prefix: str = "", depth: int = 0) -> Iterator[str]:
    """The dotted names of a schema's properties, through $ref, arrays and unions (`a.b[].c`)."""
    if depth > DEPTH:
        return
    if "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    for variant in schema.get("oneOf", []) + schema.get("anyOf", []) + schema.get("allOf", []):
        yield from fields(document, variant, prefix, depth + 1)
    if "items" in schema:
        yield from fields(document, schema["items"], prefix + "[]", depth + 1)
    for name, child in schema.get("properties", {}).items():
        path = f"{prefix}.{name}" if prefix else name
        yield path
        yield from fields(document, child, path, depth + 1)


if __name__ == "__main__":
    REFERENCE.parent.mkdir(parents=True, exist_ok=True)
    REFERENCE.write_text(json.dumps(served_document(), ensure_ascii=False, indent=1, sort_keys=True) + "\n")
    print(f"wrote {REFERENCE}: {len(promises(json.loads(REFERENCE.read_text())))} promises")
