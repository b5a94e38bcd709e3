"""Request bodies are bounded per route: a command 64 KiB, a certificate check or a lookup 4 KiB; 413 beyond."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from registry.common.actors import Role
from registry.system import Registry
from tests.api.conftest import Tokens
from tests.api.test_marriage_api import Client, couple

KIB = 1024


def padded(body: dict[str, Any], size: int) -> bytes:
    """The body as JSON, padded with insignificant whitespace to exactly size bytes."""
    text = json.dumps(body).encode()
    return text[:-1] + b" " * (size - len(text)) + b"}"


def chunks(body: bytes, size: int = 8 * KIB) -> Iterator[bytes]:
    """The body streamed without a Content-Length (chunked), as a client that does not announce it sends it."""
    for start in range(0, len(body), size):
        yield body[start : start + size]


def assert_too_large(response: Any) -> None:
    assert response.status_code == 413, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["type"] == "/problems/body-too-large"


def test_a_command_body_over_64_kib_is_413_and_writes_nothing(
    client: Client, tokens: Tokens, registry: Registry
) -> None:
    headers = {**tokens.clerk, "Content-Type": "application/json"}
    assert_too_large(client.post("/v1/marriages", content=padded(couple(), 64 * KIB + 1), headers=headers))
    assert (registry.marriage.recorder.max_notification_id() or 0) == 0


def test_a_command_body_streamed_without_its_length_is_bounded_too(
    client: Client, tokens: Tokens, registry: Registry
) -> None:
    headers = {**tokens.clerk, "Content-Type": "application/json"}
    body = padded(couple(), 200 * KIB)
    assert_too_large(client.post("/v1/marriages", content=chunks(body), headers=headers))
    assert (registry.marriage.recorder.max_notification_id() or 0) == 0


def test_a_command_body_within_64_kib_is_read(client: Client, tokens: Tokens) -> None:
    headers = {**tokens.clerk, "Content-Type": "application/json"}
    response = client.post("/v1/marriages", content=padded(couple(), 64 * KIB), headers=headers)
    assert response.status_code == 201, response.text


def test_a_certificate_check_over_4_kib_is_413(client: Client) -> None:
    body = padded({"certificate": "J330782001-2026-000001", "code": "ABCDEFGHJK"}, 4 * KIB + 1)
    headers = {"Content-Type": "application/json"}
    assert_too_large(client.post("/v1/certificates/verification", content=body, headers=headers))


def test_a_marital_status_lookup_over_4_kib_is_413(client: Client, tokens: Tokens) -> None:
    body = padded({"document_number": couple()["party_a"]["document_number"]}, 4 * KIB + 1)
    headers = {**tokens.clerk, "Content-Type": "application/json"}
    assert_too_large(client.post("/v1/persons/marital-status", content=body, headers=headers))


def test_a_place_name_review_with_every_reason_at_full_length_fits_its_route(client: Client, tokens: Tokens) -> None:
    """Twenty reasons of 1000 characters, written as JSON escapes (6 bytes each), are over 64 KiB but allowed."""
    reasons = {f"条目{index}": "理" * 1000 for index in range(20)}
    body = json.dumps({"note": "ok", "no_link_reasons": reasons}).encode()  # ensure_ascii: \\uXXXX per character
    assert len(body) > 64 * KIB
    officer = tokens.header(Role.PLACE_NAME_OFFICER, "officer-1", "330782-civil-affairs")
    response = client.post(
        "/v1/place-names/00000000-0000-0000-0000-000000000001/review", content=body,
        headers={**officer, "Content-Type": "application/json"},
    )  # fmt: skip
    assert response.status_code == 404, response.text  # read and decoded: only then is the place found missing
