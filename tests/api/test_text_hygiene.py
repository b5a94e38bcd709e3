"""Text in request bodies: control and invisible characters refused with the field named, text kept in NFC."""

from __future__ import annotations

from datetime import date

import pytest

from registry.system import Registry
from tests.api.conftest import Tokens
from tests.api.test_marriage_api import Client, couple, file, party

REFUSED = {
    "NUL": "\x00",
    "BEL": "\x07",
    "LF": "\n",
    "ESC": "\x1b",
    "DEL": "\x7f",
    "right-to-left override": "\u202e",
    "zero-width space": "\u200b",
}


def log_head(registry: Registry) -> int:
    return registry.marriage.recorder.max_notification_id() or 0


@pytest.mark.parametrize("character", REFUSED.values(), ids=REFUSED.keys())
def test_a_name_with_a_control_or_invisible_character_is_refused_naming_the_field(
    client: Client, tokens: Tokens, registry: Registry, character: str
) -> None:
    body = couple()
    body["party_b"]["name"] = f"李{character}娜"
    before = log_head(registry)
    response = client.post("/v1/marriages", json=body, headers=tokens.clerk)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert [error["field"] for error in response.json()["errors"]] == ["party_b.name"]
    assert log_head(registry) == before


@pytest.mark.parametrize("character", REFUSED.values(), ids=REFUSED.keys())
def test_a_refusal_reason_with_a_control_or_invisible_character_is_refused_naming_the_field(
    client: Client, tokens: Tokens, registry: Registry, character: str
) -> None:
    marriage = file(client, tokens)
    before = log_head(registry)
    response = client.post(
        f"/v1/marriages/{marriage['id']}/refusal", json={"reason": f"absent{character}again"}, headers=tokens.clerk
    )
    assert response.status_code == 400, response.text
    assert [error["field"] for error in response.json()["errors"]] == ["reason"]
    assert "U+" in response.json()["errors"][0]["detail"]
    assert log_head(registry) == before
    assert client.get(f"/v1/marriages/{marriage['id']}", headers=tokens.clerk).json()["state"] == "applied"


@pytest.mark.parametrize("name", ["𠮷田", "阿依古丽·买买提", "Jean·Dupont"])
def test_rare_cjk_and_the_middle_dot_are_kept_exactly(client: Client, tokens: Tokens, name: str) -> None:
    body = couple()
    body["party_a"]["name"] = name
    marriage = file(client, tokens, body)
    assert marriage["party_a"]["name"] == name
    read = client.get(f"/v1/marriages/{marriage['id']}", headers=tokens.clerk).json()
    assert read["party_a"]["name"] == name


def test_a_decomposed_name_is_stored_in_nfc(client: Client, tokens: Tokens) -> None:
    body = {"party_a": party(date(1995, 3, 3), "male", "Jose\u0301"), "party_b": couple()["party_b"]}
    marriage = file(client, tokens, body)
    read = client.get(f"/v1/marriages/{marriage['id']}", headers=tokens.clerk).json()
    assert read["party_a"]["name"] == "Jos\u00e9"


def test_a_decomposed_refusal_reason_is_stored_in_nfc(client: Client, tokens: Tokens) -> None:
    marriage = file(client, tokens)
    refused = client.post(
        f"/v1/marriages/{marriage['id']}/refusal", json={"reason": "absence re\u0301pe\u0301te\u0301e"},
        headers=tokens.clerk,
    )  # fmt: skip
    assert refused.json()["refusal_reason"] == "absence r\u00e9p\u00e9t\u00e9e"


def test_a_refused_character_in_a_nested_list_names_the_field(client: Client, tokens: Tokens) -> None:
    marriage = file(client, tokens)
    response = client.post(
        f"/v1/marriages/{marriage['id']}/refusal", json={"reason": "absent", "failed_conditions": ["ok", "bad\x00"]},
        headers=tokens.clerk,
    )  # fmt: skip
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "failed_conditions"


def test_certificate_verification_refuses_a_control_character_as_malformed(client: Client) -> None:
    response = client.post("/v1/certificates/verification", json={"certificate": "J1\x00", "code": "ABCDEFGHJK"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "certificate"
