"""Identity documents through the HTTP API: every type of regs art 8, ASCII numbers, designated offices.

The store of these tests designates the clerk's office 330782001 for couples with a party who is not a mainland
resident; 330782002 (the other clerk's) is not designated.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from litestar.testing import TestClient

from registry.common.identity import resident_id_check_character
from tests.api.conftest import Tokens
from tests.support import OFFICE, resident_id

Client = TestClient  # type: ignore[type-arg]

FULL_WIDTH = {c: c + 0xFEE0 for c in range(0x30, 0x3A)}
ARABIC_INDIC = {c: c - 0x30 + 0x0660 for c in range(0x30, 0x3A)}
PRESENT = {"present": True, "declares_voluntary": True, "signed_no_spouse_statement": True,
           "signed_no_kinship_statement": True}  # fmt: skip


@pytest.fixture
def store_env(store_env: dict[str, str]) -> dict[str, str]:
    return {**store_env, "REGISTRY_DESIGNATED_OFFICES": OFFICE}


def gb11643(first_17: str) -> str:
    return first_17 + resident_id_check_character(first_17)


def mainland_man() -> dict[str, Any]:
    return {"document_number": resident_id(date(1994, 6, 6), "male"), "name": "王伟"}


STATED = {"birth_date": "1996-04-04", "sex": "female"}
OTHER_PARTIES: dict[str, dict[str, Any]] = {
    "hk-macao-resident-permit": {"document_number": gb11643("81000019960404002"), "name": "陈美玲"},
    "taiwan-resident-permit": {"document_number": gb11643("83000019960404002"), "name": "林怡君"},
    "chinese-passport": {"document_number": "EA1234567", "name": "黄丽", **STATED},
    "foreign-passport": {"document_number": "M12345678", "nationality": "KOR", "name": "Kim", **STATED},
    # the 2023 card: issued in Jiangsu (32) to a Korean national (410)
    "foreign-permanent-residence-card": {
        "document_number": gb11643("93241019960404002"),
        "nationality": "KOR",
        "name": "Kim",
        **STATED,
    },
}


def file(client: Client, headers: dict[str, str], party_b: dict[str, Any]) -> Any:
    return client.post("/v1/marriages", json={"party_a": mainland_man(), "party_b": party_b}, headers=headers)


@pytest.mark.parametrize("document_type", sorted(OTHER_PARTIES))
def test_a_designated_office_files_and_registers_each_type_of_document(
    client: Client, tokens: Tokens, document_type: str
) -> None:
    filed = file(client, tokens.clerk, {"document_type": document_type, **OTHER_PARTIES[document_type]})
    assert filed.status_code == 201, filed.text
    party_b = filed.json()["party_b"]
    assert (party_b["document_type"], party_b["birth_year"], party_b["sex"]) == (document_type, 1996, "female")
    marriage = filed.json()["id"]
    without = client.post(f"/v1/marriages/{marriage}/registration", json={"party_a": PRESENT, "party_b": PRESENT},
                          headers=tokens.clerk)  # fmt: skip
    assert without.status_code == 422
    assert [(e["code"], e["party"]) for e in without.json()["errors"]] == [("certified-declaration-missing", "b")]
    assert client.get(f"/v1/marriages/{marriage}", headers=tokens.clerk).json()["state"] == "refused"
    certified = {**PRESENT, "declaration_certified": True}
    again = file(client, tokens.clerk, {"document_type": document_type, **OTHER_PARTIES[document_type]}).json()["id"]
    registered = client.post(f"/v1/marriages/{again}/registration", json={"party_a": PRESENT, "party_b": certified},
                             headers=tokens.clerk)  # fmt: skip
    assert registered.status_code == 200, registered.text


def test_an_office_not_designated_refuses_to_file_a_couple_with_a_foreigner(client: Client, tokens: Tokens) -> None:
    party_b = {"document_type": "foreign-passport", **OTHER_PARTIES["foreign-passport"]}
    refused = file(client, tokens.other_clerk, party_b)
    assert refused.status_code == 422
    assert refused.json()["type"] == "/problems/office-not-designated"


def test_a_residence_permit_number_given_as_a_resident_number_is_refused(client: Client, tokens: Tokens) -> None:
    party_b = {"document_type": "resident-id", "document_number": OTHER_PARTIES["taiwan-resident-permit"]
               ["document_number"], "name": "林怡君"}  # fmt: skip
    refused = file(client, tokens.clerk, party_b)
    assert refused.status_code == 422
    assert refused.json()["type"] == "/problems/document-number-is-a-taiwan-resident-permit"


def test_a_resident_number_with_a_division_code_that_never_existed_is_refused(client: Client, tokens: Tokens) -> None:
    party_b = {"document_number": gb11643("33079919960404002"), "name": "李娜"}
    refused = file(client, tokens.clerk, party_b)
    assert refused.status_code == 422
    assert refused.json()["type"] == "/problems/identity-number-division-unknown"


def test_a_number_in_full_width_digits_is_the_same_person_as_in_ascii(client: Client, tokens: Tokens) -> None:
    man = mainland_man()
    filed = client.post("/v1/marriages", headers=tokens.clerk, json={
        "party_a": {**man, "document_number": man["document_number"].translate(FULL_WIDTH)},
        "party_b": {"document_number": resident_id(date(1996, 4, 4), "female"), "name": "李娜"},
    })  # fmt: skip
    assert filed.status_code == 201, filed.text
    registered = client.post(f"/v1/marriages/{filed.json()['id']}/registration",
                             json={"party_a": PRESENT, "party_b": PRESENT}, headers=tokens.clerk)  # fmt: skip
    assert registered.status_code == 200
    status = client.post("/v1/persons/marital-status", json={"document_number": man["document_number"]},
                         headers=tokens.clerk)  # fmt: skip
    assert status.json()["status"] == "married"
    as_typed = client.post("/v1/persons/marital-status",
                           json={"document_number": man["document_number"].translate(FULL_WIDTH)},
                           headers=tokens.clerk)  # fmt: skip
    assert as_typed.json() == status.json()


def test_a_number_in_digits_of_another_script_is_refused(client: Client, tokens: Tokens) -> None:
    number = resident_id(date(1996, 4, 4), "female").translate(ARABIC_INDIC)
    refused = file(client, tokens.clerk, {"document_number": number, "name": "李娜"})
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["field"] == "party_b.document_number"
    lookup = client.post("/v1/persons/marital-status", json={"document_number": number}, headers=tokens.clerk)
    assert lookup.status_code == 400


def test_an_unknown_document_type_is_refused_by_the_schema(client: Client, tokens: Tokens) -> None:
    refused = file(client, tokens.clerk, {"document_type": "driving-licence", "document_number": "X1", "name": "李"})
    assert refused.status_code == 400
