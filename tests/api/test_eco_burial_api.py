"""Eco-burial rewards over HTTP: the schedule, a family's claim, its decision and payment, the statistics."""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar.testing import TestClient

from registry.common.actors import Role
from tests.api.conftest import Tokens
from tests.support import resident_id

Client = TestClient  # type: ignore[type-arg]


def registered_death(client: Client, tokens: Tokens) -> str:
    hospital = tokens.header(Role.HOSPITAL, "doctor-1", "330782-hospital-1")
    body = {"deceased": {"document_number": resident_id(date(1940, 1, 1), "male"), "name": "王大"},
            "certificate_kind": "medical", "certificate_number": "浙医死证2026-9", "died_on": "2026-10-01",
            "place": "义乌市中心医院", "in_city": True}  # fmt: skip
    death_id: str = client.post("/v1/deaths", json=body, headers=hospital).json()["id"]
    return death_id


def claim_body(death_id: str, kind: str = "ash-scattering") -> dict[str, Any]:
    return {"death_id": death_id,
            "claimant": {"name": "王小明", "relationship": "child", "payout_account": "6222000000000000"},
            "cremation": {"number": "火化2026-1", "crematorium": "义乌市殡仪馆", "cremated_on": "2026-10-03"},
            "burial": {"kind": kind, "place": "义乌市骨灰撒散区", "buried_on": "2026-10-10"}}  # fmt: skip


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
    client.post(f"/v1/reward-claims/{claim['id']}/approval", json={}, headers=tokens.clerk)
    paid = client.post(f"/v1/reward-claims/{claim['id']}/payment", json={"note": "PAY-2026-0001"}, headers=tokens.clerk)
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
