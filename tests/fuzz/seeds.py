"""Records of every kind, filed through the API before the fuzz run, so reads and follow-up commands meet real ids."""

from __future__ import annotations

from datetime import date
from typing import Any

import requests

from tests.api.conftest import Tokens
from tests.deaths_support import CITY, resident_id_of
from tests.support import resident_id

PRESENT = {
    "present": True,
    "declares_voluntary": True,
    "signed_no_spouse_statement": True,
    "signed_no_kinship_statement": True,
}
AGREED = {**PRESENT, "signed_divorce_agreement": True}


def created(client: requests.Session, path: str, body: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
    """The record a command answered with; a seed that fails stops the run (the fuzz would then test nothing)."""
    response = client.post(path, json=body, headers=headers)
    assert response.status_code in (200, 201), f"{path}: {response.status_code} {response.text}"
    result: dict[str, Any] = response.json()
    return result


def couple() -> dict[str, Any]:
    return {
        "party_a": {"document_number": resident_id(date(1995, 3, 3), "male"), "name": "王伟"},
        "party_b": {"document_number": resident_id(date(1996, 4, 4), "female"), "name": "李娜"},
    }


def dv_record_of(subject: dict[str, Any]) -> dict[str, Any]:
    """A court's criminal judgment against a person, as a DV source files it."""
    return {"subject": subject, "category": "criminal-judgment", "document_number": "(2024)浙0782刑初88号",
            "issued_on": "2024-05-01"}  # fmt: skip


def death_certificate() -> dict[str, Any]:
    """A hospital's medical death certificate for a resident of the city."""
    return {"deceased": {"document_number": resident_id_of(CITY), "name": "王大"}, "certificate_kind": "medical",
            "certificate_number": "浙医死证2026-9", "died_on": "2026-10-01", "place": "义乌市中心医院",
            "in_city": True}  # fmt: skip


def bundle_application(death_id: str) -> dict[str, Any]:
    applicant = {"name": "王小明", "relationship": "child", "contact_phone": "13800000000",
                 "payout_account": "6222000000000000"}  # fmt: skip
    return {"death_id": death_id, "facts": {}, "applicant": applicant}


def eco_burial_claim(death_id: str) -> dict[str, Any]:
    return {"death_id": death_id,
            "claimant": {"name": "王小明", "relationship": "child", "payout_account": "6222000000000000"},
            "cremation": {"number": "火化2026-1", "crematorium": "义乌市殡仪馆", "cremated_on": "2026-10-03"},
            "burial": {"kind": "ash-scattering", "place": "义乌市骨灰撒散区", "buried_on": "2026-10-10"}}  # fmt: skip


def seed_marriages(
    client: requests.Session, callers: dict[str, dict[str, str]], tokens: Tokens
) -> dict[str, list[str]]:
    """A pending marriage with a DV record and an inquiry about its man; a registered marriage with a divorce."""
    clerk = callers["clerk"]
    pending_couple = couple()
    pending = created(client, "/v1/marriages", pending_couple, clerk)
    man = pending_couple["party_a"]
    dv_record = created(client, "/v1/dv-records", dv_record_of(man), callers["dv-source"])
    inquiry = {"marriage_id": pending["id"], "subject": man, "truthfulness_pledge_signed": True,
               "confidentiality_pledge_signed": True}  # fmt: skip
    woman = tokens.citizen(pending_couple["party_b"]["document_number"])
    dv_inquiry = created(client, "/v1/dv-inquiries", inquiry, woman)
    filed = created(client, "/v1/marriages", couple(), clerk)
    registration = {"party_a": PRESENT, "party_b": PRESENT}
    registered = created(client, f"/v1/marriages/{filed['id']}/registration", registration, clerk)
    divorce = created(client, "/v1/divorces", {"marriage_id": registered["id"], "party_a": AGREED, "party_b": AGREED},
                      clerk)  # fmt: skip
    return {
        "marriage_id": [pending["id"], registered["id"]],
        "divorce_id": [divorce["id"]],
        "record_id": [dv_record["id"]],
        "inquiry_id": [dv_inquiry["id"]],
    }


def seed_deaths(client: requests.Session, callers: dict[str, dict[str, str]]) -> dict[str, list[str]]:
    """A death a hospital registered, the family's bundle case and its eco-burial reward claim."""
    death = created(client, "/v1/deaths", death_certificate(), callers["hospital"])
    bundle = created(client, "/v1/bundle-cases", bundle_application(death["id"]), callers["citizen"])
    reward_claim = created(client, "/v1/reward-claims", eco_burial_claim(death["id"]), callers["citizen"])
    return {
        "death_id": [death["id"]],
        "case_id": [bundle["id"]],
        "service": [task["service"] for task in bundle["tasks"]],
        "claim_id": [reward_claim["id"]],
    }


def seed_places(client: requests.Session, callers: dict[str, dict[str, str]]) -> dict[str, list[str]]:
    """A proposed road name under review."""
    officer = callers["place-name-officer"]
    road = created(client, "/v1/place-names", {"name": "丹溪路", "kind": "road", "origin_and_meaning": "纪念朱丹溪"},
                   officer)  # fmt: skip
    created(client, f"/v1/place-names/{road['id']}/review", {"note": "符合规范"}, officer)
    return {"place_id": [road["id"]], "road_id": [road["id"]], "step": ["review", "notice", "approval"]}


def seed_records(client: requests.Session, callers: dict[str, dict[str, str]], tokens: Tokens) -> dict[str, list[str]]:
    """Real values for each path parameter, by name: ids of seeded records, and the closed sets they name."""
    seeded = {**seed_marriages(client, callers, tokens), **seed_deaths(client, callers), **seed_places(client, callers)}
    seeded["application"] = list(tokens.registry.applications())
    seeded["aggregate_id"] = [value for name, values in seeded.items() if name.endswith("_id") for value in values]
    return seeded
