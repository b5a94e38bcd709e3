"""Eco-burial rewards over HTTP: the schedule, a family's claim, its decision and payment, the statistics."""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar.testing import TestClient

from registry.common.actors import Role
from tests.api.conftest import Tokens
from tests.deaths_support import CITY, ELSEWHERE, resident_id_of
from tests.support import resident_id

Client = TestClient  # type: ignore[type-arg]


def registered_death(client: Client, tokens: Tokens) -> str:
    hospital = tokens.header(Role.HOSPITAL, "doctor-1", "330782-hospital-1")
    body = {"deceased": {"document_number": resident_id_of(CITY), "name": "王大"},
            "certificate_kind": "medical", "certificate_number": "浙医死证2026-9", "died_on": "2026-10-01",
            "place": "义乌市中心医院", "in_city": True}  # fmt: skip
    death_id: str = client.post("/v1/deaths", json=body, headers=hospital).json()["id"]
    return death_id


def claim_body(death_id: str, kind: str = "ash-scattering") -> dict[str, Any]:
    return {"death_id": death_id,
            "claimant": {"name": "王小明", "relationship": "child", "payout_account": "6222000000000000"},
            "cremation": {"number": "火化2026-1", "crematorium": "义乌市殡仪馆", "cremated_on": "2026-10-03"},
            "burial": {"kind": kind, "place": "义乌市骨灰撒散区", "buried_on": "2026-10-10"}}  # fmt: skip


def civil_affairs_clerk(tokens: Tokens) -> dict[str, str]:
    """A clerk of the office citizens' claims go to by default."""
    return tokens.header(Role.CLERK, "clerk-9", "330782-civil-affairs")


def test_a_family_claims_and_follows_its_reward_to_payment(client: Client, tokens: Tokens) -> None:
    son = tokens.citizen(resident_id(date(1970, 5, 5), "male"))
    filed = client.post("/v1/reward-claims", json=claim_body(registered_death(client, tokens)), headers=son)
    assert filed.status_code == 201, filed.text
    claim = filed.json()
    assert (claim["amount_fen"], claim["state"]) == (600_000, "filed")
    assert "6222000000000000" not in filed.text
    stranger = tokens.citizen(resident_id(date(1980, 1, 1), "male"))
    assert client.get(f"/v1/reward-claims/{claim['id']}", headers=stranger).status_code == 404
    assert client.post(f"/v1/reward-claims/{claim['id']}/approval", json={}, headers=son).status_code == 403
    office = civil_affairs_clerk(tokens)
    client.post(f"/v1/reward-claims/{claim['id']}/approval", json={}, headers=office)
    paid = client.post(f"/v1/reward-claims/{claim['id']}/payment", json={"note": "PAY-2026-0001"}, headers=office)
    assert paid.json()["state"] == "paid"
    followed = client.get(f"/v1/reward-claims/{claim['id']}", headers=son).json()
    assert (followed["state"], followed["payment_reference"]) == ("paid", "PAY-2026-0001")
    position = paid.headers["registry-log-position"]
    stats = client.get(f"/v1/statistics/eco-burial?wait_for={position}", headers=tokens.supervisor).json()
    assert stats["ledger"] == [{"month": "2026-11", "burial_kind": "ash-scattering", "approved_fen": 600_000,
                                "paid_fen": 600_000, "recovered_fen": 0}]  # fmt: skip
    assert stats["uptake"][0]["share_by_kind"] == {"ash-scattering": 1.0}


def test_only_a_supervisor_changes_the_schedule_and_the_new_amount_applies_from_its_date(
    client: Client, tokens: Tokens
) -> None:
    entry = {"effective_from": "2026-10-01", "amounts_fen": {"ash-scattering": 700_000}, "reason": "2026 budget"}
    assert client.post("/v1/reward-schedule/entries", json=entry, headers=tokens.clerk).status_code == 403
    added = client.post("/v1/reward-schedule/entries", json=entry, headers=tokens.supervisor)
    assert added.status_code == 201 and len(added.json()["entries"]) == 2
    son = tokens.citizen(resident_id(date(1970, 5, 5), "male"))
    claim = client.post("/v1/reward-claims", json=claim_body(registered_death(client, tokens)), headers=son).json()
    assert claim["amount_fen"] == 700_000


def test_a_traditional_burial_and_a_second_claim_are_refused_without_naming_the_first(
    client: Client, tokens: Tokens
) -> None:
    son = tokens.citizen(resident_id(date(1970, 5, 5), "male"))
    death_id = registered_death(client, tokens)
    traditional = client.post("/v1/reward-claims", json=claim_body(death_id, "traditional-cemetery"), headers=son)
    assert (traditional.status_code, traditional.json()["type"]) == (422, "/problems/burial-not-eco")
    first = client.post("/v1/reward-claims", json=claim_body(death_id), headers=son).json()
    second = client.post("/v1/reward-claims", json=claim_body(death_id, "tree-burial"), headers=son)
    assert (second.status_code, second.json()["type"]) == (422, "/problems/reward-already-claimed")
    assert first["id"] not in second.text  # another family's claim is not named


def test_a_reward_is_approved_and_paid_only_by_the_claims_office(client: Client, tokens: Tokens) -> None:
    son = tokens.citizen(resident_id(date(1970, 5, 5), "male"))
    claim = client.post("/v1/reward-claims", json=claim_body(registered_death(client, tokens)), headers=son).json()
    assert (claim["office"], claim["eligible_as"], claim["amount_on"]) == (
        "330782-civil-affairs", "local-household", "2026-10-10",
    )  # fmt: skip
    approval = f"/v1/reward-claims/{claim['id']}/approval"
    other_office = client.post(approval, json={}, headers=tokens.clerk)
    assert (other_office.status_code, other_office.json()["type"]) == (403, "/problems/claim-office")
    assert client.post(approval, json={}, headers=tokens.supervisor).status_code == 403  # a supervisor of no office
    office_supervisor = tokens.header(Role.SUPERVISOR, "supervisor-2", "330782-civil-affairs")
    assert client.post(approval, json={}, headers=office_supervisor).json()["state"] == "approved"
    payment = f"/v1/reward-claims/{claim['id']}/payment"
    assert client.post(payment, json={"note": "PAY-1"}, headers=tokens.clerk).status_code == 403
    assert client.post(payment, json={"note": "PAY-1"}, headers=civil_affairs_clerk(tokens)).status_code == 200


def test_a_clerks_claim_is_decided_at_the_clerks_office(client: Client, tokens: Tokens) -> None:
    body = {**claim_body(registered_death(client, tokens))}
    body["claimant"] = {**body["claimant"], "document": {"document_number": resident_id(date(1970, 5, 5), "male")}}
    claim = client.post("/v1/reward-claims", json=body, headers=tokens.clerk).json()
    assert claim["office"] == "330782001"
    assert (
        client.post(f"/v1/reward-claims/{claim['id']}/approval", json={}, headers=tokens.other_clerk).status_code == 403
    )
    assert client.post(f"/v1/reward-claims/{claim['id']}/approval", json={}, headers=tokens.clerk).status_code == 200


def test_a_claim_for_a_deceased_without_a_city_household_is_refused(client: Client, tokens: Tokens) -> None:
    hospital = tokens.header(Role.HOSPITAL, "doctor-1", "330782-hospital-1")
    body = {"deceased": {"document_number": resident_id_of(ELSEWHERE), "name": "李四"},
            "certificate_kind": "medical", "certificate_number": "浙医死证2026-10", "died_on": "2026-10-01",
            "place": "义乌市中心医院", "in_city": True}  # fmt: skip
    death_id = client.post("/v1/deaths", json=body, headers=hospital).json()["id"]
    son = tokens.citizen(resident_id(date(1970, 5, 5), "male"))
    refused = client.post("/v1/reward-claims", json=claim_body(death_id), headers=son)
    assert (refused.status_code, refused.json()["type"]) == (422, "/problems/reward-not-eligible")
