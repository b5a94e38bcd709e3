"""The post-death service over HTTP: certificates, the family's one application, departments' tasks."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from typing import Any

from litestar.testing import TestClient

from registry.common.actors import Role
from registry.common.clock import FixedClock
from registry.deaths.services import DeceasedFacts
from tests.api.conftest import Tokens
from tests.deaths_support import CITY, resident_id_of
from tests.support import resident_id

Client = TestClient  # type: ignore[type-arg]


def certificate(number: str, place: str = "义乌市中心医院") -> dict[str, Any]:
    return {
        "deceased": {"document_number": number, "name": "王大"},
        "certificate_kind": "medical",
        "certificate_number": "浙医死证2026-0001",
        "died_on": "2026-11-20",
        "place": place,
        "in_city": True,
    }


def test_a_death_is_registered_once_and_later_certificates_are_recognised(client: Client, tokens: Tokens) -> None:
    hospital = tokens.header(Role.HOSPITAL, "doctor-1", "330782-hospital-1")
    number = resident_id(date(1940, 1, 1), "male")
    first = client.post("/v1/deaths", json=certificate(number), headers=hospital)
    assert (first.status_code, first.json()["outcome"], first.json()["funeral_fee_waived"]) == (201, "registered", True)
    again = client.post("/v1/deaths", json=certificate(number), headers=tokens.clerk)
    assert (again.status_code, again.json()["id"]) == (200, first.json()["id"])
    conflicting = client.post("/v1/deaths", json=certificate(number, place="家中"), headers=tokens.clerk)
    assert (conflicting.status_code, conflicting.json()["review_pending"]) == (202, True)
    review = {"decision": "keep", "reason": "the hospital certificate is right"}
    assert client.post(f"/v1/deaths/{first.json()['id']}/review", json=review, headers=tokens.clerk).status_code == 403
    resolved = client.post(f"/v1/deaths/{first.json()['id']}/review", json=review, headers=tokens.supervisor)
    assert resolved.json()["review_pending"] is False
    assert number not in first.text


def test_the_family_applies_once_and_follows_every_task(client: Client, tokens: Tokens, clock: FixedClock) -> None:
    hospital = tokens.header(Role.HOSPITAL, "doctor-1", "330782-hospital-1")
    death = client.post("/v1/deaths", json=certificate(resident_id(date(1940, 1, 1), "male")), headers=hospital).json()
    son = resident_id(date(1970, 5, 5), "male")
    body = {"death_id": death["id"], "facts": {"pension": True},
            "applicant": {"name": "王小明", "relationship": "child", "contact_phone": "13800000000",
                          "payout_account": "6222000000000000"}}  # fmt: skip
    applied = client.post("/v1/bundle-cases", json=body, headers=tokens.citizen(son))
    assert applied.status_code == 201, applied.text
    case = applied.json()
    services = {t["service"]: t for t in case["tasks"]}
    assert set(services) == {"household-registration-cancellation", "pension-settlement", "funeral-fee-waiver"}
    assert services["household-registration-cancellation"]["due_on"] == "2026-11-24"
    assert case["payout_account_masked"].count("*") > 0 and "6222000000000000" not in applied.text
    stranger = tokens.citizen(resident_id(date(1980, 1, 1), "male"))
    assert client.get(f"/v1/bundle-cases/{case['id']}", headers=stranger).status_code == 404
    police = tokens.header(Role.DEPARTMENT, "officer-9", "police")
    funeral = tokens.header(Role.DEPARTMENT, "staff-2", "funeral-service")
    task = f"/v1/bundle-cases/{case['id']}/tasks/household-registration-cancellation"
    assert client.post(f"{task}/completion", json={"note": "户销1"}, headers=funeral).status_code == 403
    clock.advance(timedelta(days=4))
    position = client.post(f"{task}/acknowledgement", json={}, headers=police).headers["registry-log-position"]
    worklist = client.get(f"/v1/worklists/department?wait_for={position}&overdue_only=true", headers=police).json()
    assert [t["service"] for t in worklist["tasks"]] == ["household-registration-cancellation"]
    done = client.post(f"{task}/completion", json={"note": "户销2026-1"}, headers=police)
    assert done.status_code == 200
    followed = client.get(f"/v1/bundle-cases/{case['id']}", headers=tokens.citizen(son)).json()
    state = {t["service"]: (t["state"], t["reference"]) for t in followed["tasks"]}
    assert state["household-registration-cancellation"] == ("completed", "户销2026-1")
    again = client.post("/v1/bundle-cases", json=body, headers=tokens.citizen(son))
    assert (again.status_code, again.json()["type"]) == (409, "/problems/bundle-already-applied")


def test_a_benefit_paid_after_the_death_is_flagged(client: Client, tokens: Tokens) -> None:
    hospital = tokens.header(Role.HOSPITAL, "doctor-1", "330782-hospital-1")
    death = client.post("/v1/deaths", json=certificate(resident_id(date(1940, 1, 1), "male")), headers=hospital).json()
    desk = tokens.header(Role.DEPARTMENT, "staff-5", "social-security")
    payment = {"benefit": "pension", "paid_for": "2026-11-21", "amount_fen": 210000}
    response = client.post(f"/v1/deaths/{death['id']}/benefit-payments", json=payment, headers=desk)
    assert (response.json()["flagged_for_recovery"], response.json()["payable_until"]) == (True, "2026-11-20")


def test_a_welfare_allowance_is_flagged_only_for_a_month_after_the_month_of_death(
    client: Client, tokens: Tokens
) -> None:
    hospital = tokens.header(Role.HOSPITAL, "doctor-1", "330782-hospital-1")
    death = client.post("/v1/deaths", json=certificate(resident_id(date(1940, 1, 1), "male")), headers=hospital).json()
    desk = tokens.header(Role.DEPARTMENT, "staff-7", "civil-affairs")
    answers = [
        client.post(f"/v1/deaths/{death['id']}/benefit-payments", headers=desk,
                    json={"benefit": "subsistence-allowance", "paid_for": paid_for, "amount_fen": 80000}).json()
        for paid_for in ("2026-11-30", "2026-12-01")
    ]  # fmt: skip
    assert [(a["flagged_for_recovery"], a["payable_until"]) for a in answers] == [
        (False, "2026-11-30"), (True, "2026-11-30"),
    ]  # fmt: skip
    wrong_code = {"benefit": "Subsistence Allowance", "paid_for": "2026-11-30", "amount_fen": 80000}
    assert client.post(f"/v1/deaths/{death['id']}/benefit-payments", json=wrong_code, headers=desk).status_code == 400


def test_the_facts_body_takes_every_fact_the_domain_knows_and_nothing_else(client: Client, tokens: Tokens) -> None:
    hospital = tokens.header(Role.HOSPITAL, "doctor-1", "330782-hospital-1")
    death = client.post("/v1/deaths", json=certificate(resident_id(date(1940, 1, 1), "male")), headers=hospital).json()
    son = tokens.citizen(resident_id(date(1970, 5, 5), "male"))
    applicant = {"name": "王小明", "relationship": "child", "contact_phone": "13800000000",
                 "payout_account": "6222000000000000"}  # fmt: skip
    unknown = {"death_id": death["id"], "applicant": applicant, "facts": {"pension": True, "yacht": True}}
    assert client.post("/v1/bundle-cases", json=unknown, headers=son).status_code == 400
    every = {field.name: True for field in dataclasses.fields(DeceasedFacts)}
    applied = client.post("/v1/bundle-cases", json={"death_id": death["id"], "applicant": applicant, "facts": every},
                          headers=son)  # fmt: skip
    assert applied.status_code == 201, applied.text
    assert {"pension-settlement", "driving-licence-cancellation", "eco-burial-reward"} <= {
        t["service"] for t in applied.json()["tasks"]
    }


def kin_application(death_id: str) -> dict[str, Any]:
    return {"death_id": death_id, "facts": {},
            "applicant": {"name": "王小明", "relationship": "child", "contact_phone": "13800000000",
                          "payout_account": "6222000000000000"}}  # fmt: skip


def test_a_clerks_registration_waits_for_a_supervisor_before_anything_follows(client: Client, tokens: Tokens) -> None:
    entered = client.post("/v1/deaths", json=certificate(resident_id(date(1940, 1, 1), "male")), headers=tokens.clerk)
    assert (entered.status_code, entered.json()["state"], entered.json()["outcome"]) == (
        201, "awaiting-confirmation", "awaiting-confirmation",
    )  # fmt: skip
    assert entered.json()["funeral_fee_waived"] is False
    death_id = entered.json()["id"]
    son = tokens.citizen(resident_id(date(1970, 5, 5), "male"))
    early = client.post("/v1/bundle-cases", json=kin_application(death_id), headers=son)
    assert (early.status_code, early.json()["type"]) == (409, "/problems/death-awaiting-confirmation")
    decision = {"reason": "certificate checked with the hospital"}
    for not_allowed in (tokens.clerk, tokens.header(Role.HOSPITAL, "doctor-1", "330782-hospital-1")):
        assert client.post(f"/v1/deaths/{death_id}/confirmation", json=decision, headers=not_allowed).status_code == 403
    owed = client.get(f"/v1/worklists/death-decisions?wait_for={entered.headers['registry-log-position']}",
                      headers=tokens.supervisor).json()  # fmt: skip
    assert [(d["death_id"], d["kind"]) for d in owed["decisions"]] == [(death_id, "confirmation")]
    assert client.get("/v1/worklists/death-decisions", headers=tokens.clerk).status_code == 403
    confirmed = client.post(f"/v1/deaths/{death_id}/confirmation", json=decision, headers=tokens.supervisor)
    assert (confirmed.status_code, confirmed.json()["state"], confirmed.json()["funeral_fee_waived"]) == (
        200, "in-effect", True,
    )  # fmt: skip
    assert client.post("/v1/bundle-cases", json=kin_application(death_id), headers=son).status_code == 201


def test_a_supervisor_rejects_a_clerks_registration_with_a_reason(client: Client, tokens: Tokens) -> None:
    entered = client.post("/v1/deaths", json=certificate(resident_id(date(1940, 1, 1), "male")), headers=tokens.clerk)
    death_id = entered.json()["id"]
    without = client.post(f"/v1/deaths/{death_id}/rejection", json={}, headers=tokens.supervisor)
    assert without.status_code == 400
    rejected = client.post(f"/v1/deaths/{death_id}/rejection", json={"reason": "another person's certificate"},
                           headers=tokens.supervisor)  # fmt: skip
    assert (rejected.json()["state"], rejected.json()["rejection_reason"]) == (
        "rejected", "another person's certificate",
    )  # fmt: skip
    again = client.post(f"/v1/deaths/{death_id}/confirmation", json={"reason": "x"}, headers=tokens.supervisor)
    assert (again.status_code, again.json()["type"]) == (409, "/problems/death-rejected")


def test_only_the_issuer_of_a_certificate_or_a_clerk_registers_a_death(client: Client, tokens: Tokens) -> None:
    hospital = tokens.header(Role.HOSPITAL, "doctor-1", "330782-hospital-1")
    police = tokens.header(Role.POLICE, "officer-1", "330782-police")
    on_police_form = {**certificate(resident_id(date(1940, 1, 1), "male")), "certificate_kind": "police"}
    wrong = client.post("/v1/deaths", json=on_police_form, headers=hospital)
    assert (wrong.status_code, wrong.json()["type"]) == (403, "/problems/certificate-not-issued-by-reporter")
    right = client.post("/v1/deaths", json=on_police_form, headers=police)
    assert (right.status_code, right.json()["state"]) == (201, "in-effect")
    department = tokens.header(Role.DEPARTMENT, "staff-5", "social-security")
    assert client.post("/v1/deaths", json=certificate(resident_id(date(1941, 1, 1), "male")),
                       headers=department).status_code == 403  # fmt: skip


def test_a_resident_who_died_elsewhere_and_is_cremated_here_gets_the_waiver_task(
    client: Client, tokens: Tokens
) -> None:
    police = tokens.header(Role.POLICE, "officer-1", "330102-police")
    body = {**certificate(resident_id_of(CITY)), "certificate_kind": "police", "place": "杭州市", "in_city": False}
    death = client.post("/v1/deaths", json=body, headers=police).json()
    assert death["funeral_fee_waived"] is False
    son = tokens.citizen(resident_id(date(1970, 5, 5), "male"))
    application = {**kin_application(death["id"]), "facts": {"cremated_at_city_funeral_home": True}}
    case = client.post("/v1/bundle-cases", json=application, headers=son).json()
    assert "funeral-fee-waiver" in {t["service"] for t in case["tasks"]}
    funeral = tokens.header(Role.DEPARTMENT, "staff-2", "funeral-service")
    done = client.post(f"/v1/bundle-cases/{case['id']}/tasks/funeral-fee-waiver/completion",
                       json={"note": "火化2026-31"}, headers=funeral)  # fmt: skip
    assert done.status_code == 200
    waived = client.get(f"/v1/deaths/{death['id']}", headers=tokens.clerk).json()
    assert (waived["funeral_fee_waived"], waived["funeral_fee_basis"]) == (
        True,
        "resident-cremated-at-city-funeral-home",
    )
