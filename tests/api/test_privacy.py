"""What officials, auditors and strangers see: masks that hide, reads that are recorded, 404s that say nothing."""

from __future__ import annotations

import time
from datetime import date
from typing import Any

from litestar.testing import TestClient

from api.web.demo import FrontDeskDemo, load_front_desk_demo
from api.web.demo import resident as demo_resident
from registry.common.actors import Role
from registry.common.clock import FixedClock
from registry.system import Registry
from tests.api.conftest import Tokens
from tests.api.test_deaths_api import certificate
from tests.api.test_marriage_api import REGISTRATION, couple
from tests.support import resident_id

Client = TestClient  # type: ignore[type-arg]
COURT_AUTHORITY = "330782-court"


def wait_for_search(client: Client, tokens: Tokens, search: dict[str, Any], count: int) -> list[dict[str, Any]]:
    deadline = time.monotonic() + 5
    while True:
        rows: list[dict[str, Any]] = client.post("/v1/audit/search", json=search, headers=tokens.auditor).json()["rows"]
        if len(rows) >= count or time.monotonic() > deadline:
            return rows
        time.sleep(0.05)


def test_a_masked_number_shows_at_most_its_last_four_characters_and_only_the_birth_year(
    client: Client, tokens: Tokens
) -> None:
    body = couple()
    party = client.post("/v1/marriages", json=body, headers=tokens.clerk).json()["party_a"]
    number = body["party_a"]["document_number"]
    assert party["document_number_masked"] == "*" * 14 + number[-4:]
    assert party["birth_year"] == int(number[6:10]) and "birth_date" not in party
    assert number[6:14] not in str(party)


def test_auditors_see_identity_numbers_bank_accounts_and_phones_masked(client: Client, tokens: Tokens) -> None:
    hospital = tokens.header(Role.HOSPITAL, "doctor-1", "330782-hospital-1")
    deceased = resident_id(date(1940, 1, 1), "male")
    death = client.post("/v1/deaths", json=certificate(deceased), headers=hospital).json()
    applicant = {"name": "王小明", "relationship": "child", "contact_phone": "13812345678",
                 "payout_account": "6222021234567890123"}  # fmt: skip
    case = client.post(
        "/v1/bundle-cases", json={"death_id": death["id"], "facts": {}, "applicant": applicant},
        headers=tokens.citizen(resident_id(date(1970, 5, 5), "male")),
    ).json()  # fmt: skip
    for path in (f"/v1/audit/deaths/aggregates/{case['id']}/events", f"/v1/audit/deaths/aggregates/{case['id']}/state",
                 f"/v1/audit/deaths/aggregates/{death['id']}/events"):  # fmt: skip
        text = client.get(path, headers=tokens.auditor).text
        for secret in ("13812345678", "6222021234567890123", deceased, deceased[6:14], "1940-01-01"):
            assert secret not in text, (path, secret)
    events = client.get(f"/v1/audit/deaths/aggregates/{case['id']}/events", headers=tokens.auditor).json()
    assert events["events"][0]["data"]["applicant"]["payout_account"] == "*" * 15 + "0123"


def test_an_idempotency_key_is_scoped_to_the_callers_role_office_and_subject(client: Client, tokens: Tokens) -> None:
    subject = {"document_number": resident_id(date(1990, 1, 1), "male"), "name": "赵刚"}
    record = {"subject": subject, "category": "criminal-judgment", "document_number": "(2024)浙0782刑初88号",
              "issued_on": "2024-05-01"}  # fmt: skip
    court = {**tokens.header(Role.DV_SOURCE, "officer-1", COURT_AUTHORITY), "Idempotency-Key": "same-key-0001"}
    police = {**tokens.header(Role.DV_SOURCE, "officer-1", "330782-police"), "Idempotency-Key": "same-key-0001"}
    first = client.post("/v1/dv-records", json=record, headers=court)
    replayed = client.post("/v1/dv-records", json=record, headers=police)
    assert first.status_code == replayed.status_code == 201
    assert replayed.json()["id"] != first.json()["id"] and "idempotent-replayed" not in replayed.headers
    assert client.post("/v1/dv-records", json=record, headers=court).headers["idempotent-replayed"] == "true"


def test_not_yours_and_does_not_exist_are_the_same_404_byte_for_byte(client: Client, tokens: Tokens) -> None:
    body = couple()
    marriage = client.post("/v1/marriages", json=body, headers=tokens.clerk).json()
    stranger = tokens.citizen(resident_id(date(1980, 8, 8), "male"))
    absent = "00000000-0000-4000-8000-000000000000"
    not_yours = client.get(f"/v1/marriages/{marriage['id']}", headers=stranger)
    missing = client.get(f"/v1/marriages/{absent}", headers=stranger)
    assert not_yours.status_code == missing.status_code == 404 and not_yours.content == missing.content
    subject = {"document_number": resident_id(date(1990, 1, 1), "male"), "name": "赵刚"}
    dv = {"subject": subject, "category": "criminal-judgment", "document_number": "x1", "issued_on": "2024-05-01"}
    record = client.post("/v1/dv-records", json=dv, headers=tokens.header(Role.DV_SOURCE, "j", COURT_AUTHORITY)).json()
    police = tokens.header(Role.DV_SOURCE, "p", "330782-police")
    other = client.get(f"/v1/dv-records/{record['id']}", headers=police)
    assert other.status_code == 404 and other.content == client.get(f"/v1/dv-records/{absent}", headers=police).content
    assert other.content == missing.content


def test_every_officials_read_of_a_persons_records_is_recorded_and_auditors_search_them(
    client: Client, tokens: Tokens
) -> None:
    body = couple()
    marriage = client.post("/v1/marriages", json=body, headers=tokens.clerk).json()
    client.post(f"/v1/marriages/{marriage['id']}/registration", json=REGISTRATION, headers=tokens.clerk)
    client.get(f"/v1/marriages/{marriage['id']}", headers=tokens.clerk)
    client.post("/v1/persons/marital-status", json={"document_number": body["party_a"]["document_number"]},
                headers=tokens.supervisor)  # fmt: skip
    client.get(f"/v1/marriages/{marriage['id']}", headers=tokens.citizen(body["party_a"]["document_number"]))
    search = {"person": {"document_number": body["party_a"]["document_number"]},
              "event_type": "oversight:AccessRecord.Read"}  # fmt: skip
    rows = wait_for_search(client, tokens, search, 2)
    assert [(r["actor_id"], r["actor_role"]) for r in rows] == [("clerk-1", "clerk"), ("supervisor-1", "supervisor")]
    state = client.get(f"/v1/audit/oversight/aggregates/{rows[0]['aggregate_id']}/state", headers=tokens.auditor)
    assert state.json()["state"]["route"] == "GET /v1/marriages/{marriage_id}"


def stranger_404s(client: Client, tokens: Tokens, demo: FrontDeskDemo) -> list[tuple[str, bytes, bytes]]:
    """What a citizen who is party to none of the demo's records gets for each of them, and for an id that does not
    exist, on every route a citizen reads or acts on by id."""
    stranger = tokens.citizen(resident_id(date(1980, 8, 8), "male"))
    absent = "00000000-0000-4000-8000-000000000000"
    requests = [
        ("GET", "/v1/marriages/{}", demo.pending_marriage, None),
        ("GET", "/v1/divorces/{}", demo.divorce_in_window, None),
        ("POST", "/v1/divorces/{}/withdrawal", demo.divorce_cooling_off, {}),
        ("GET", "/v1/bundle-cases/{}", demo.bundle_case, None),
        ("GET", "/v1/reward-claims/{}", demo.reward_claim, None),
        ("GET", "/v1/dv-inquiries/{}", demo.inquiry, None),
        ("GET", "/v1/dv-inquiries/{}/result", demo.inquiry, None),
    ]
    answers = []
    for method, path, record, body in requests:
        theirs = client.request(method, path.format(record), json=body, headers=stranger)
        missing = client.request(method, path.format(absent), json=body, headers=stranger)
        assert theirs.status_code == missing.status_code == 404, (path, theirs.text)
        answers.append((path, theirs.content, missing.content))
    return answers


def test_every_record_a_citizen_may_not_see_is_the_same_404_as_one_that_does_not_exist(
    client: Client, tokens: Tokens, clock: FixedClock, registry: Registry
) -> None:
    demo = load_front_desk_demo(registry, clock.now(), run=7)
    answers = stranger_404s(client, tokens, demo)
    for path, theirs, missing in answers:
        assert theirs == missing, path
    assert len({theirs for _, theirs, _ in answers}) == 1  # one body for every kind of record
    other_office = client.get(f"/v1/dv-inquiries/{demo.inquiry}", headers=tokens.other_clerk)
    assert (other_office.status_code, other_office.content) == (404, answers[0][1])


def test_an_officials_read_of_a_death_bundle_case_divorce_or_claim_and_an_auditors_record_view_are_recorded(
    client: Client, tokens: Tokens, clock: FixedClock, registry: Registry
) -> None:
    demo = load_front_desk_demo(registry, clock.now(), run=7)
    deceased = demo_resident("李建国", date(1941, 6, 1), "male", 7)
    for path in (f"/v1/deaths/{demo.death}", f"/v1/bundle-cases/{demo.bundle_case}",
                 f"/v1/divorces/{demo.divorce_in_window}", f"/v1/reward-claims/{demo.reward_claim}"):  # fmt: skip
        assert client.get(path, headers=tokens.clerk).status_code == 200, path
    assert client.get(f"/v1/marriages/{demo.pending_marriage}", headers=tokens.auditor).status_code == 200
    assert client.get(f"/v1/dv-inquiries/{demo.inquiry}", headers=tokens.auditor).status_code == 200

    def routes_read(person: str, count: int) -> list[tuple[str, str]]:
        search = {"person": {"document_number": person}, "event_type": "oversight:AccessRecord.Read"}
        rows = wait_for_search(client, tokens, search, count)
        states = [client.get(f"/v1/audit/oversight/aggregates/{row['aggregate_id']}/state", headers=tokens.auditor)
                  for row in rows]  # fmt: skip
        return sorted(
            (row["actor_id"], state.json()["state"]["route"]) for row, state in zip(rows, states, strict=True)
        )

    assert routes_read(demo.citizen.document_number, 3) == [
        ("clerk-1", "GET /v1/bundle-cases/{case_id}"),
        ("clerk-1", "GET /v1/divorces/{divorce_id}"),
        ("clerk-1", "GET /v1/reward-claims/{claim_id}"),
    ]
    assert routes_read(deceased.document_number, 2) == [
        ("clerk-1", "GET /v1/bundle-cases/{case_id}"), ("clerk-1", "GET /v1/deaths/{death_id}"),
    ]  # fmt: skip
    assert routes_read(demo.pending_couple[0].document_number, 1) == [("auditor-1", "GET /v1/marriages/{marriage_id}")]
    assert routes_read(demo.inquirer.document_number, 1) == [("auditor-1", "GET /v1/dv-inquiries/{inquiry_id}")]


def test_an_auditor_reading_every_record_of_every_application_sees_no_full_number_birth_date_account_or_phone(
    client: Client, tokens: Tokens, clock: FixedClock, registry: Registry
) -> None:
    demo = load_front_desk_demo(registry, clock.now(), run=7)
    people = [demo.citizen, demo.cooling_off_party, demo.inquirer, *demo.pending_couple,
              demo_resident("李建国", date(1941, 6, 1), "male", 7)]  # fmt: skip
    secrets = ["13800000000", "6222020200001234567"]
    for someone in people:
        number = someone.document_number
        secrets += [number, number[6:14], f"{number[6:10]}-{number[10:12]}-{number[12:14]}"]
    shown = 0
    for name, application in registry.applications().items():
        for notification in application.recorder.select_notifications(start=1, limit=10_000):
            record = notification.originator_id
            for view in ("events", "state"):
                page = client.get(f"/v1/audit/{name}/aggregates/{record}/{view}", headers=tokens.auditor)
                assert page.status_code == 200, (name, view, page.text)
                shown += 1
                for secret in secrets:
                    assert secret not in page.text, (name, view, secret)
    assert shown > 50  # every kind of record of the demo was read


def test_a_replayed_request_shows_only_what_the_caller_may_see_now(client: Client, tokens: Tokens) -> None:
    subject = {"document_number": resident_id(date(1990, 1, 1), "male"), "name": "赵刚"}
    record = {"subject": subject, "category": "criminal-judgment", "document_number": "(2024)浙0782刑初99号",
              "issued_on": "2024-05-01"}  # fmt: skip
    court = {**tokens.header(Role.DV_SOURCE, "officer-1", COURT_AUTHORITY), "Idempotency-Key": "add-then-seal-01"}
    first = client.post("/v1/dv-records", json=record, headers=court)
    assert first.json()["subject_name"] == "赵刚"
    sealing = client.post(f"/v1/dv-records/{first.json()['id']}/sealing", json={"reason": "expunged"},
                          headers=tokens.header(Role.DV_SOURCE, "officer-1", COURT_AUTHORITY))  # fmt: skip
    assert sealing.json()["state"] == "sealed"
    replayed = client.post("/v1/dv-records", json=record, headers=court)
    assert replayed.headers["idempotent-replayed"] == "true" and replayed.json()["id"] == first.json()["id"]
    assert replayed.json()["state"] == "sealed" and "赵刚" not in replayed.text and "刑初99号" not in replayed.text


def test_a_second_familys_bundle_or_reward_claim_for_a_death_is_refused_naming_no_other_record(
    client: Client, tokens: Tokens, clock: FixedClock, registry: Registry
) -> None:
    demo = load_front_desk_demo(registry, clock.now(), run=7)
    cousin = tokens.citizen(resident_id(date(1975, 3, 3), "female"))
    applicant = {"name": "王表妹", "relationship": "other-relative", "contact_phone": "13900000000",
                 "payout_account": "6222000000000009"}  # fmt: skip
    bundle = client.post("/v1/bundle-cases", json={"death_id": str(demo.death), "facts": {}, "applicant": applicant},
                         headers=cousin)  # fmt: skip
    claim = {"death_id": str(demo.death),
             "claimant": {"name": "王表妹", "relationship": "other-relative", "payout_account": "6222000000000009"},
             "cremation": {"number": "火化2026-9", "crematorium": "义乌市殡仪馆", "cremated_on": "2026-11-15"},
             "burial": {"kind": "sea-burial", "place": "东海海域", "buried_on": "2026-11-17"}}  # fmt: skip
    reward = client.post("/v1/reward-claims", json=claim, headers=cousin)
    assert (bundle.status_code, bundle.json()["type"]) == (409, "/problems/bundle-already-applied")
    assert reward.status_code == 422 and "reward-already-claimed" in reward.text
    for refusal in (bundle, reward):
        for other in (str(demo.bundle_case), str(demo.reward_claim), demo.citizen.name, demo.citizen.document_number):
            assert other not in refusal.text
