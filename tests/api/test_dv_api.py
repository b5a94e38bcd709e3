"""The DV register and inquiry over HTTP: every role against every endpoint, and nothing leaks."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import psycopg
from litestar.testing import TestClient

from registry.common.actors import Role
from registry.system import Registry
from tests.api.conftest import Tokens
from tests.support import resident_id

Client = TestClient  # type: ignore[type-arg]
COURT_AUTHORITY = "330782-court"
PLEDGED = {"truthfulness_pledge_signed": True, "confidentiality_pledge_signed": True}


class Scene:
    """A pending marriage application, a court's DV record about the man, and the woman's inquiry about him."""

    def __init__(self, client: Client, tokens: Tokens, *, approve: bool = False) -> None:
        self.client, self.tokens = client, tokens
        self.man = {"document_number": resident_id(date(1990, 1, 1), "male"), "name": "赵刚"}
        self.woman = {"document_number": resident_id(date(1992, 2, 2), "female"), "name": "钱芳"}
        filed = client.post("/v1/marriages", json={"party_a": self.man, "party_b": self.woman}, headers=tokens.clerk)
        self.marriage_id = filed.json()["id"]
        record = {"subject": self.man, "category": "criminal-judgment", "document_number": "(2024)浙0782刑初88号",
                  "issued_on": "2024-05-01"}  # fmt: skip
        self.record_id = client.post("/v1/dv-records", json=record, headers=self.role("dv-source")).json()["id"]
        inquiry = {
            "marriage_id": self.marriage_id,
            "subject": self.man,
            **PLEDGED,
        }
        self.inquiry_id = client.post("/v1/dv-inquiries", json=inquiry, headers=self.role("applicant")).json()["id"]
        if approve:
            client.post(f"/v1/dv-inquiries/{self.inquiry_id}/approval", headers=tokens.clerk)

    def role(self, name: str) -> dict[str, str]:
        tokens = self.tokens
        return {
            "clerk": tokens.clerk,
            "other-clerk": tokens.other_clerk,
            "supervisor": tokens.supervisor,
            "court": tokens.court,
            "auditor": tokens.auditor,
            "applicant": tokens.citizen(self.woman["document_number"]),
            "subject": tokens.citizen(self.man["document_number"]),
            "stranger": tokens.citizen(resident_id(date(1980, 8, 8), "male")),
            "dv-source": tokens.header(Role.DV_SOURCE, "judge-7", COURT_AUTHORITY),
            "other-dv-source": tokens.header(Role.DV_SOURCE, "officer-3", "330782-police"),
        }[name]


ROLES = ["clerk", "other-clerk", "supervisor", "court", "auditor", "applicant", "subject", "stranger", "dv-source",
         "other-dv-source"]  # fmt: skip


def calls(scene: Scene) -> dict[str, Callable[[dict[str, str]], Any]]:
    c, m = scene.client, scene.man
    record, inquiry = f"/v1/dv-records/{scene.record_id}", f"/v1/dv-inquiries/{scene.inquiry_id}"
    new_record = {"subject": m, "category": "administrative-detention", "document_number": "义公拘字[2026]1号",
                  "issued_on": "2026-03-01"}  # fmt: skip
    new_inquiry = {"marriage_id": scene.marriage_id, "applicant_party": "b", "subject": m,
                   **PLEDGED}  # fmt: skip
    return {
        "add record": lambda h: c.post("/v1/dv-records", json=new_record, headers=h),
        "read record": lambda h: c.get(record, headers=h),
        "revoke record": lambda h: c.post(f"{record}/revocation", json={"reason": "wrong person"}, headers=h),
        "seal record": lambda h: c.post(f"{record}/sealing", json={"reason": "expunged"}, headers=h),
        "file inquiry": lambda h: c.post("/v1/dv-inquiries", json=new_inquiry, headers=h),
        "read inquiry": lambda h: c.get(inquiry, headers=h),
        "approve inquiry": lambda h: c.post(f"{inquiry}/approval", headers=h),
        "refuse inquiry": lambda h: c.post(f"{inquiry}/refusal", json={"reason": "incomplete"}, headers=h),
        "read result": lambda h: c.get(f"{inquiry}/result", headers=h),
    }


EXPECTED = {
    #                  clerk other super court audit appl  subj  strng dvsrc otherdv
    "add record":      [403, 403, 403, 403, 403, 403, 403, 403, 201, 201],
    "read record":     [403, 403, 403, 403, 403, 403, 403, 403, 200, 404],
    "revoke record":   [403, 403, 403, 403, 403, 403, 403, 403, 200, 404],
    "seal record":     [403, 403, 403, 403, 403, 403, 403, 403, 200, 404],
    "file inquiry":    [201, 403, 403, 403, 403, 201, 422, 404, 403, 403],
    "read inquiry":    [200, 404, 403, 403, 200, 200, 404, 404, 403, 403],
    "approve inquiry": [200, 404, 403, 403, 403, 403, 403, 403, 403, 403],
    "refuse inquiry":  [200, 404, 403, 403, 403, 403, 403, 403, 403, 403],
    "read result":     [403, 403, 403, 403, 403, 200, 404, 404, 403, 403],
}  # fmt: skip


def test_every_role_against_every_dv_endpoint(client: Client, tokens: Tokens) -> None:
    seen: dict[str, list[int]] = {}
    leaks = []
    for endpoint in EXPECTED:
        seen[endpoint] = []
        for role in ROLES:
            scene = Scene(client, tokens, approve=endpoint == "read result")
            response = calls(scene)[endpoint](scene.role(role))
            seen[endpoint].append(response.status_code)
            if response.status_code >= 400:
                body = response.text
                if scene.man["name"] in body or scene.man["document_number"][:14] in body or "Traceback" in body:
                    leaks.append((endpoint, role, body))
    assert seen == EXPECTED
    assert leaks == []


def test_the_applicant_reads_category_and_year_and_the_clerk_sees_only_that_it_was_answered(
    client: Client, tokens: Tokens
) -> None:
    scene = Scene(client, tokens, approve=True)
    result = client.get(f"/v1/dv-inquiries/{scene.inquiry_id}/result", headers=scene.role("applicant")).json()
    assert (result["outcome"], result["records"]) == (
        "records-found",
        [{"category": "criminal-judgment", "year": 2024}],
    )
    clerk_view = client.get(f"/v1/dv-inquiries/{scene.inquiry_id}", headers=tokens.clerk)
    assert clerk_view.json()["state"] == "answered"
    assert "criminal" not in clerk_view.text


def test_a_sealed_record_shows_its_authority_nothing_but_that_it_is_sealed(client: Client, tokens: Tokens) -> None:
    scene = Scene(client, tokens)
    sealed = client.post(
        f"/v1/dv-records/{scene.record_id}/sealing", json={"reason": "expunged"}, headers=scene.role("dv-source")
    )
    body = sealed.json()
    assert (body["state"], body["category"], body["subject_name"], body["document_number"]) == (
        "sealed",
        None,
        None,
        None,
    )


def test_a_protection_order_over_six_months_is_422(client: Client, tokens: Tokens) -> None:
    scene = Scene(client, tokens)
    order = {"subject": scene.man, "category": "protection-order", "document_number": "(2026)浙0782民保令3号",
             "issued_on": "2026-01-31", "expires_on": "2026-08-01"}  # fmt: skip
    response = client.post("/v1/dv-records", json=order, headers=scene.role("dv-source"))
    assert (response.status_code, response.json()["type"]) == (422, "/problems/protection-order-validity")


def test_the_third_inquiry_of_the_year_is_refused_with_its_own_problem_type(client: Client, tokens: Tokens) -> None:
    scene = Scene(client, tokens)
    body = {
        "marriage_id": scene.marriage_id,
        "subject": scene.man,
        **PLEDGED,
    }
    assert client.post("/v1/dv-inquiries", json=body, headers=scene.role("applicant")).status_code == 201
    third = client.post("/v1/dv-inquiries", json=body, headers=scene.role("applicant"))
    assert (third.status_code, third.json()["type"]) == (422, "/problems/dv-inquiry-limit")


def test_a_dv_record_filed_while_the_key_store_refuses_connections_is_a_503_problem_and_writes_nothing(
    client: Client, tokens: Tokens, registry: Registry
) -> None:
    """The key store is a database of its own: when its server refuses connections a new record (which needs a data
    key) waits briefly and answers 503 with Retry-After, writes nothing, and succeeds once connections are allowed."""
    if not registry.settings.uses_postgres:
        return  # the embedded key store is a file: nothing to refuse
    scene = Scene(client, tokens)
    url = registry.settings.dv_keys_url or ""
    keys_database = url.split("?")[0].rsplit("/", 1)[1]
    admin_url = url.split("?")[0].rsplit("/", 1)[0] + "/postgres"
    record = {"subject": scene.woman, "category": "criminal-judgment", "document_number": "(2024)浙0782刑初89号",
              "issued_on": "2024-06-01"}  # fmt: skip
    head = registry.dv_records.recorder.max_notification_id()
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'ALTER DATABASE "{keys_database}" ALLOW_CONNECTIONS false')
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (keys_database,),
        )
        try:
            refused = client.post("/v1/dv-records", json=record, headers=scene.role("dv-source"))
        finally:
            admin.execute(f'ALTER DATABASE "{keys_database}" ALLOW_CONNECTIONS true')
    assert refused.status_code == 503, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json") and "retry-after" in refused.headers
    assert registry.dv_records.recorder.max_notification_id() == head
    assert client.post("/v1/dv-records", json=record, headers=scene.role("dv-source")).status_code == 201
