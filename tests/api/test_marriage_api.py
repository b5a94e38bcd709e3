"""The marriage API through the real app: status codes, problem details, ETags, idempotency and access."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from litestar.testing import TestClient

from registry.common.clock import FixedClock
from tests.api.conftest import Tokens
from tests.support import OFFICE, resident_id

Client = TestClient  # type: ignore[type-arg]


@pytest.fixture
def store_env(store_env: dict[str, str]) -> dict[str, str]:
    """The clerks' office is designated for couples with a party who is not a mainland resident (regs art 2)."""
    return {**store_env, "REGISTRY_DESIGNATED_OFFICES": OFFICE}


def party(birth: date, sex: str, name: str) -> dict[str, Any]:
    return {"document_number": resident_id(birth, sex), "name": name}


def couple() -> dict[str, Any]:
    return {"party_a": party(date(1995, 3, 3), "male", "王伟"), "party_b": party(date(1996, 4, 4), "female", "李娜")}


PRESENT = {
    "present": True,
    "declares_voluntary": True,
    "signed_no_spouse_statement": True,
    "signed_no_kinship_statement": True,
}
REGISTRATION = {"party_a": PRESENT, "party_b": PRESENT}


def file(client: Client, tokens: Tokens, body: dict[str, Any] | None = None) -> dict[str, Any]:
    response = client.post("/v1/marriages", json=body or couple(), headers=tokens.clerk)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def registered(client: Client, tokens: Tokens) -> tuple[dict[str, Any], dict[str, Any]]:
    body = couple()
    marriage = file(client, tokens, body)
    response = client.post(f"/v1/marriages/{marriage['id']}/registration", json=REGISTRATION, headers=tokens.clerk)
    assert response.status_code == 200, response.text
    return response.json(), body


def test_filing_returns_the_application_with_location_etag_and_log_position(client: Client, tokens: Tokens) -> None:
    response = client.post("/v1/marriages", json=couple(), headers=tokens.clerk)
    assert response.status_code == 201
    body = response.json()
    assert response.headers["location"] == f"/v1/marriages/{body['id']}"
    assert response.headers["etag"] == '"1"'
    assert int(response.headers["registry-log-position"]) >= 1
    assert (body["state"], body["office"]) == ("applied", "330782001")
    assert body["party_a"]["document_number_masked"].count("*") == 14


def test_registering_issues_two_certificates(client: Client, tokens: Tokens) -> None:
    marriage, _ = registered(client, tokens)
    assert marriage["state"] == "registered"
    assert marriage["certificates"] == {"a": "J330782001-2026-000001", "b": "J330782001-2026-000002"}


def test_a_failed_registration_is_422_naming_every_failed_condition_and_is_recorded_as_the_refusal(
    client: Client, tokens: Tokens
) -> None:
    body = couple()
    body["party_b"] = party(date(2010, 1, 1), "female", "小红")
    marriage = file(client, tokens, body)
    absent = {"present": False, "declares_voluntary": True}
    response = client.post(
        f"/v1/marriages/{marriage['id']}/registration",
        json={"party_a": PRESENT, "party_b": absent},
        headers=tokens.clerk,
    )
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["type"] == "/problems/not-eligible"
    assert [(e["party"], e["code"]) for e in problem["errors"]] == [
        ("b", "party-not-present"),
        ("b", "under-legal-age"),
        ("b", "no-spouse-statement-missing"),
        ("b", "kinship-statement-missing"),
    ]
    recorded = client.get(f"/v1/marriages/{marriage['id']}", headers=tokens.clerk)
    assert recorded.json()["state"] == "refused" and recorded.headers["etag"] == response.headers["etag"] == '"2"'
    assert "registry-log-position" in response.headers


def test_a_single_failed_rule_is_the_problem_type(client: Client, tokens: Tokens) -> None:
    _, body = registered(client, tokens)
    again = {"party_a": body["party_a"], "party_b": party(date(1997, 1, 1), "female", "赵敏")}
    second = file(client, tokens, again)
    response = client.post(f"/v1/marriages/{second['id']}/registration", json=REGISTRATION, headers=tokens.clerk)
    assert (response.status_code, response.json()["type"]) == (422, "/problems/party-already-married")


def test_a_wrong_check_character_is_422_and_never_echoes_the_number(client: Client, tokens: Tokens) -> None:
    body = couple()
    number = body["party_a"]["document_number"]
    body["party_a"]["document_number"] = number[:17] + ("0" if number[17] != "0" else "1")
    response = client.post("/v1/marriages", json=body, headers=tokens.clerk)
    assert (response.status_code, response.json()["type"]) == (422, "/problems/identity-number-check-character-wrong")
    assert number[:17] not in response.text


def test_unknown_fields_and_oversized_strings_are_400(client: Client, tokens: Tokens) -> None:
    body = couple()
    body["party_a"]["nickname"] = "x"
    assert client.post("/v1/marriages", json=body, headers=tokens.clerk).status_code == 400
    body = couple()
    body["party_a"]["name"] = "名" * 65
    response = client.post("/v1/marriages", json=body, headers=tokens.clerk)
    assert response.status_code == 400 and response.json()["type"] == "/problems/malformed-request"


def test_no_token_is_401_and_a_wrong_role_is_403(client: Client, tokens: Tokens) -> None:
    assert client.post("/v1/marriages", json=couple()).status_code == 401
    assert client.post("/v1/marriages", json=couple(), headers={"Authorization": "Bearer nonsense"}).status_code == 401
    assert client.post("/v1/marriages", json=couple(), headers=tokens.auditor).status_code == 403


def test_a_clerk_of_another_office_cannot_register(client: Client, tokens: Tokens) -> None:
    marriage = file(client, tokens)
    response = client.post(
        f"/v1/marriages/{marriage['id']}/registration", json=REGISTRATION, headers=tokens.other_clerk
    )
    assert (response.status_code, response.json()["type"]) == (403, "/problems/wrong-office")


def test_a_citizen_sees_their_own_marriage_and_no_other(client: Client, tokens: Tokens) -> None:
    marriage, body = registered(client, tokens)
    own = client.get(f"/v1/marriages/{marriage['id']}", headers=tokens.citizen(body["party_b"]["document_number"]))
    assert own.status_code == 200
    stranger = tokens.citizen(resident_id(date(1980, 1, 1), "male"))
    assert client.get(f"/v1/marriages/{marriage['id']}", headers=stranger).status_code == 404


def test_registering_twice_is_409(client: Client, tokens: Tokens) -> None:
    marriage, _ = registered(client, tokens)
    response = client.post(f"/v1/marriages/{marriage['id']}/registration", json=REGISTRATION, headers=tokens.clerk)
    assert (response.status_code, response.json()["type"]) == (409, "/problems/marriage-registered")


def test_a_stale_if_match_is_412(client: Client, tokens: Tokens) -> None:
    marriage = file(client, tokens)
    headers = {**tokens.clerk, "If-Match": '"7"'}
    response = client.post(f"/v1/marriages/{marriage['id']}/registration", json=REGISTRATION, headers=headers)
    assert response.status_code == 412
    headers["If-Match"] = '"1"'
    assert (
        client.post(f"/v1/marriages/{marriage['id']}/registration", json=REGISTRATION, headers=headers).status_code
        == 200
    )


def test_a_retry_with_the_same_idempotency_key_returns_the_first_result(client: Client, tokens: Tokens) -> None:
    body = couple()
    headers = {**tokens.clerk, "Idempotency-Key": "file-0001-abcd"}
    first = client.post("/v1/marriages", json=body, headers=headers)
    again = client.post("/v1/marriages", json=body, headers=headers)
    assert again.status_code == 201 and again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    other = client.post("/v1/marriages", json=couple(), headers=headers)
    assert (other.status_code, other.json()["type"]) == (422, "/problems/idempotency-key-reused")


def test_marital_status_is_looked_up_with_the_number_in_the_body(client: Client, tokens: Tokens) -> None:
    _, body = registered(client, tokens)
    query = {"document_number": body["party_a"]["document_number"]}
    response = client.post("/v1/persons/marital-status", json=query, headers=tokens.clerk)
    assert response.status_code == 200 and response.json()["status"] == "married"
    nobody = client.post(
        "/v1/persons/marital-status",
        json={"document_number": resident_id(date(1970, 1, 1), "male")},
        headers=tokens.clerk,
    )
    assert nobody.json()["status"] == "unmarried"


def test_divorce_by_agreement_through_the_api(client: Client, tokens: Tokens, clock: FixedClock) -> None:
    marriage, body = registered(client, tokens)
    agreed = {**PRESENT, "signed_divorce_agreement": True}
    filed = client.post(
        "/v1/divorces", json={"marriage_id": marriage["id"], "party_a": agreed, "party_b": agreed}, headers=tokens.clerk
    )
    assert filed.status_code == 201 and filed.json()["state"] == "cooling-off"
    divorce_id = filed.json()["id"]
    early = client.post(f"/v1/divorces/{divorce_id}/registration", json=REGISTRATION, headers=tokens.clerk)
    assert (early.status_code, early.json()["type"]) == (409, "/problems/divorce-cooling-off")
    clock.advance(timedelta(days=31))
    done = client.post(f"/v1/divorces/{divorce_id}/registration", json=REGISTRATION, headers=tokens.clerk)
    assert done.status_code == 200 and done.json()["state"] == "registered"
    status = client.post(
        "/v1/persons/marital-status", json={"document_number": body["party_b"]["document_number"]}, headers=tokens.clerk
    )
    assert status.json()["status"] == "divorced"


def test_a_divorce_reaching_a_year_without_a_calendar_states_no_date_it_cannot_know(
    client: Client, tokens: Tokens, clock: FixedClock
) -> None:
    marriage, _ = registered(client, tokens)
    clock.advance(timedelta(days=23))  # 15 December 2026: day 30 is in 2027
    agreed = {**PRESENT, "signed_divorce_agreement": True}
    filed = client.post(
        "/v1/divorces", json={"marriage_id": marriage["id"], "party_a": agreed, "party_b": agreed}, headers=tokens.clerk
    )
    body = filed.json()
    assert filed.status_code == 201 and body["state"] == "cooling-off"
    assert (body["withdrawal_deadline"], body["registration_deadline"]) == (None, None)
    assert "2027" in body["deadlines_pending"]
    position = filed.headers["registry-log-position"]
    worklist = client.get(f"/v1/worklists/marriage?wait_for={position}", headers=tokens.clerk).json()["items"]
    [item] = [i for i in worklist if i["record_id"] == body["id"]]
    assert (item["state"], item["withdrawal_deadline"]) == ("cooling-off", None)
    clock.advance(timedelta(days=31))  # 15 January 2027: whether day 30 was extended depends on 2027
    refused = client.post(f"/v1/divorces/{body['id']}/withdrawal", json={"party": "a"}, headers=tokens.clerk)
    assert (refused.status_code, refused.json()["type"]) == (503, "/problems/working-calendar-missing")
    assert "retry-after" not in refused.headers
    assert client.get(f"/v1/divorces/{body['id']}", headers=tokens.clerk).json()["state"] == "undetermined"


def test_a_citizen_cannot_withdraw_online_and_is_sent_to_the_office_that_received_the_application(
    client: Client, tokens: Tokens
) -> None:
    marriage, body = registered(client, tokens)
    agreed = {**PRESENT, "signed_divorce_agreement": True}
    filed = client.post(
        "/v1/divorces", json={"marriage_id": marriage["id"], "party_a": agreed, "party_b": agreed}, headers=tokens.clerk
    ).json()
    citizen = tokens.citizen(body["party_b"]["document_number"])
    response = client.post(f"/v1/divorces/{filed['id']}/withdrawal", json={}, headers=citizen)
    problem = response.json()
    assert (response.status_code, problem["type"]) == (403, "/problems/withdrawal-at-the-receiving-office")
    assert OFFICE in problem["detail"]
    after = client.get(f"/v1/divorces/{filed['id']}", headers=tokens.clerk).json()
    assert (after["state"], after["version"], after["withdrawn_by"]) == ("cooling-off", filed["version"], None)


def test_a_withdrawal_is_recorded_only_by_a_clerk_of_the_office_that_received_the_application(
    client: Client, tokens: Tokens
) -> None:
    marriage, _ = registered(client, tokens)
    agreed = {**PRESENT, "signed_divorce_agreement": True}
    filed = client.post(
        "/v1/divorces", json={"marriage_id": marriage["id"], "party_a": agreed, "party_b": agreed}, headers=tokens.clerk
    ).json()
    url = f"/v1/divorces/{filed['id']}/withdrawal"
    elsewhere = client.post(url, json={"party": "b"}, headers=tokens.other_clerk)
    assert (elsewhere.status_code, elsewhere.json()["type"]) == (403, "/problems/wrong-office")
    unnamed = client.post(url, json={}, headers=tokens.clerk)
    assert (unnamed.status_code, unnamed.json()["type"]) == (422, "/problems/party-required")
    recorded = client.post(url, json={"party": "b"}, headers=tokens.clerk)
    assert recorded.status_code == 200
    assert (recorded.json()["state"], recorded.json()["withdrawn_by"]) == ("withdrawn", "b")


def test_only_a_court_records_a_judgment(client: Client, tokens: Tokens) -> None:
    marriage, _ = registered(client, tokens)
    judgment = {
        "kind": "annulled",
        "court": "义乌市人民法院",
        "judgment_number": "(2026)浙0782民初9号",
        "effective_on": "2026-11-22",
    }
    assert (
        client.post(f"/v1/marriages/{marriage['id']}/judgments", json=judgment, headers=tokens.clerk).status_code == 403
    )
    response = client.post(f"/v1/marriages/{marriage['id']}/judgments", json=judgment, headers=tokens.court)
    assert response.status_code == 200 and response.json()["state"] == "annulled"


def test_a_reissued_certificate_gets_a_new_number(client: Client, tokens: Tokens) -> None:
    marriage, _ = registered(client, tokens)
    response = client.post(
        f"/v1/marriages/{marriage['id']}/certificate-reissues",
        json={"party": "a", "reason": "lost"},
        headers=tokens.other_clerk,
    )
    assert response.status_code == 200
    assert response.json()["certificates"]["a"] == "J330782002-2026-000001"
    assert response.json()["replaced_certificates"] == ["J330782001-2026-000001"]


def test_an_earlier_version_of_a_record_can_be_read(client: Client, tokens: Tokens) -> None:
    marriage, _ = registered(client, tokens)
    response = client.get(f"/v1/marriages/{marriage['id']}?version=1", headers=tokens.auditor)
    assert response.json()["state"] == "applied" and response.headers["etag"] == '"1"'


def test_malformed_requests_are_400_and_never_500(client: Client, tokens: Tokens) -> None:
    marriage = file(client, tokens)
    deep = "[" * 3000 + '"x"' + "]" * 3000
    nested = client.post("/v1/marriages", content=('{"party_a": ' + deep + "}").encode(),
                         headers={**tokens.clerk, "Content-Type": "application/json"})  # fmt: skip
    assert nested.status_code == 400
    huge = client.get(f"/v1/marriages/{marriage['id']}?version={2**63}", headers=tokens.clerk)
    assert huge.status_code == 400
    headers = {**tokens.clerk, "If-Match": "not-an-etag"}
    assert (
        client.post(f"/v1/marriages/{marriage['id']}/registration", json=REGISTRATION, headers=headers).status_code
        == 400
    )


def test_if_match_compares_strongly_so_a_weak_etag_is_412(client: Client, tokens: Tokens) -> None:
    marriage = file(client, tokens)
    headers = {**tokens.clerk, "If-Match": 'W/"1"'}
    assert (
        client.post(f"/v1/marriages/{marriage['id']}/registration", json=REGISTRATION, headers=headers).status_code
        == 412
    )


def test_a_version_the_record_never_had_is_404(client: Client, tokens: Tokens) -> None:
    marriage = file(client, tokens)
    assert client.get(f"/v1/marriages/{marriage['id']}?version=9", headers=tokens.clerk).status_code == 404


def test_short_document_numbers_are_masked_too(client: Client, tokens: Tokens) -> None:
    body = couple()
    body["party_b"] = {"document_type": "foreign-passport", "document_number": "E12345678", "nationality": "KOR",
                       "name": "Kim", "birth_date": "1995-05-05", "sex": "female"}  # fmt: skip
    response = client.post("/v1/marriages", json=body, headers=tokens.clerk)
    assert response.json()["party_b"]["document_number_masked"] == "*******78"


def test_a_client_request_id_is_kept_apart_and_never_becomes_the_registrys_own(client: Client, tokens: Tokens) -> None:
    number = resident_id(date(1984, 7, 18), "male")
    unsafe = client.get("/health", headers={"X-Request-ID": number})
    assert unsafe.headers["x-request-id"] != number and "x-client-request-id" not in unsafe.headers
    safe = client.get("/health", headers={"X-Request-ID": "portal-abc-def"})
    assert safe.headers["x-request-id"] != "portal-abc-def"
    assert safe.headers["x-client-request-id"] == "portal-abc-def"


def test_a_marriage_no_other_registry_reports_cannot_be_recorded_from_the_exchange(
    client: Client, tokens: Tokens
) -> None:
    body = couple()
    refused = client.post("/v1/marriages/from-exchange", json=body, headers=tokens.clerk)
    assert (refused.status_code, refused.json()["type"]) == (422, "/problems/no-marriage-in-exchange")
    citizen = tokens.citizen(body["party_a"]["document_number"])
    assert client.post("/v1/marriages/from-exchange", json=body, headers=citizen).status_code == 403


def test_an_application_left_open_past_its_lapse_days_reads_lapsed_leaves_the_worklist_and_is_not_registered(
    client: Client, tokens: Tokens, clock: FixedClock
) -> None:
    """REGISTRY_APPLICATION_LAPSE_DAYS (default 30): day 30 still pending, day 31 lapsed (409 application-lapsed)."""
    filed = client.post("/v1/marriages", json=couple(), headers=tokens.clerk)
    marriage, position = filed.json(), filed.headers["registry-log-position"]
    clock.advance(timedelta(days=30))
    assert client.get(f"/v1/marriages/{marriage['id']}", headers=tokens.clerk).json()["state"] == "applied"
    items = client.get(f"/v1/worklists/marriage?wait_for={position}", headers=tokens.clerk).json()["items"]
    assert [i["state"] for i in items if i["record_id"] == marriage["id"]] == ["applied"]
    clock.advance(timedelta(days=1))
    assert client.get(f"/v1/marriages/{marriage['id']}", headers=tokens.clerk).json()["state"] == "lapsed"
    items = client.get("/v1/worklists/marriage", headers=tokens.clerk).json()["items"]
    assert [i for i in items if i["record_id"] == marriage["id"]] == []
    refused = client.post(f"/v1/marriages/{marriage['id']}/registration", json=REGISTRATION, headers=tokens.clerk)
    assert (refused.status_code, refused.json()["type"]) == (409, "/problems/application-lapsed")
    assert "lapsed on" in refused.json()["detail"]
