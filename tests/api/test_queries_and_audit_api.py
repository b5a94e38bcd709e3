"""Read models and the auditor API through the app: positions, read-your-writes, history, recorded reads."""

from __future__ import annotations

import time
from typing import Any

from litestar.testing import TestClient

from tests.api.conftest import Tokens
from tests.api.test_marriage_api import REGISTRATION, couple
from tests.support import OFFICE, OTHER_OFFICE

Client = TestClient  # type: ignore[type-arg]


def filed(client: Client, tokens: Tokens) -> tuple[dict[str, Any], dict[str, Any], int]:
    body = couple()
    response = client.post("/v1/marriages", json=body, headers=tokens.clerk)
    return response.json(), body, int(response.headers["registry-log-position"])


def test_a_clerk_reads_their_office_worklist_after_waiting_for_their_write(client: Client, tokens: Tokens) -> None:
    marriage, _, position = filed(client, tokens)
    response = client.get(f"/v1/worklists/marriage?wait_for={position}", headers=tokens.clerk)
    assert response.status_code == 200
    assert int(response.headers["registry-view-position"].split("=")[1]) >= position
    assert [item["record_id"] for item in response.json()["items"]] == [marriage["id"]]
    assert client.get("/v1/worklists/marriage?office=330782002", headers=tokens.clerk).status_code == 403


def test_an_auditor_or_supervisor_without_an_office_reads_every_offices_worklist(
    client: Client, tokens: Tokens
) -> None:
    here, _, _ = filed(client, tokens)
    there = client.post("/v1/marriages", json=couple(), headers=tokens.other_clerk)
    position = there.headers["registry-log-position"]
    for reader in (tokens.auditor, tokens.supervisor):
        every = client.get(f"/v1/worklists/marriage?wait_for={position}", headers=reader).json()
        assert every["office"] is None
        assert {(item["record_id"], item["office"]) for item in every["items"]} == {
            (here["id"], OFFICE),
            (there.json()["id"], OTHER_OFFICE),
        }
        one = client.get(f"/v1/worklists/marriage?office={OTHER_OFFICE}", headers=reader).json()
        assert [item["record_id"] for item in one["items"]] == [there.json()["id"]]


def test_a_registered_application_leaves_the_worklist(client: Client, tokens: Tokens) -> None:
    marriage, _, _ = filed(client, tokens)
    done = client.post(f"/v1/marriages/{marriage['id']}/registration", json=REGISTRATION, headers=tokens.clerk)
    position = done.headers["registry-log-position"]
    response = client.get(f"/v1/worklists/marriage?wait_for={position}", headers=tokens.clerk)
    assert response.json()["items"] == []


def test_statistics_count_persons_by_marital_status(client: Client, tokens: Tokens) -> None:
    marriage, _, _ = filed(client, tokens)
    done = client.post(f"/v1/marriages/{marriage['id']}/registration", json=REGISTRATION, headers=tokens.clerk)
    position = done.headers["registry-log-position"]
    response = client.get(f"/v1/statistics/marital-status?wait_for={position}", headers=tokens.supervisor)
    assert response.json()["counts"] == {"married": 2}
    assert client.get("/v1/statistics/marital-status", headers=tokens.clerk).status_code == 403


def test_an_auditor_reads_every_event_of_a_record_with_documents_masked(client: Client, tokens: Tokens) -> None:
    marriage, body, _ = filed(client, tokens)
    client.post(f"/v1/marriages/{marriage['id']}/registration", json=REGISTRATION, headers=tokens.clerk)
    response = client.get(f"/v1/audit/marriage/aggregates/{marriage['id']}/events", headers=tokens.auditor)
    assert response.status_code == 200
    events = response.json()["events"]
    assert [(e["version"], e["topic"]) for e in events] == [
        (1, "marriage:Marriage.Applied"),
        (2, "marriage:Marriage.Registered"),
    ]
    assert events[1]["data"]["actor"] == {"id": "clerk-1", "role": "clerk", "office": "330782001"}
    assert body["party_a"]["document_number"] not in response.text


def test_an_auditor_sees_a_record_as_it_was_at_a_version_and_at_a_time(client: Client, tokens: Tokens) -> None:
    marriage, _, _ = filed(client, tokens)
    client.post(f"/v1/marriages/{marriage['id']}/registration", json=REGISTRATION, headers=tokens.clerk)
    base = f"/v1/audit/marriage/aggregates/{marriage['id']}/state"
    assert client.get(f"{base}?version=1", headers=tokens.auditor).json()["state"]["state"] == "applied"
    now = client.get(base, headers=tokens.auditor).json()
    assert (now["version"], now["state"]["state"]) == (2, "registered")
    before = client.get(f"{base}?at=2000-01-01T00:00:00%2B08:00", headers=tokens.auditor)
    assert before.status_code == 404
    at_filing = client.get(f"{base}?at=2026-11-22T12:00:00%2B08:00", headers=tokens.auditor)
    assert at_filing.json()["version"] == 2


def test_an_auditor_searches_the_trail_by_person_with_the_number_in_the_body(client: Client, tokens: Tokens) -> None:
    marriage, body, _ = filed(client, tokens)
    done = client.post(f"/v1/marriages/{marriage['id']}/registration", json=REGISTRATION, headers=tokens.clerk)
    position = done.headers["registry-log-position"]
    search = {"person": {"document_number": body["party_b"]["document_number"]}, "limit": 2}
    first = client.post(f"/v1/audit/search?wait_for={position}", json=search, headers=tokens.auditor).json()
    assert [row["event_type"] for row in first["rows"]] == ["marriage:Marriage.Applied", "marriage:Marriage.Registered"]
    rest = client.post(
        "/v1/audit/search", json={**search, "after": first["next"], "limit": 100}, headers=tokens.auditor
    )
    types = [row["event_type"] for row in rest.json()["rows"]]
    assert types == ["marriage:PersonStatus.Opened", "marriage:PersonStatus.Married"]


def test_every_auditor_read_is_itself_recorded(client: Client, tokens: Tokens) -> None:
    marriage, _, _ = filed(client, tokens)
    client.get(f"/v1/audit/marriage/aggregates/{marriage['id']}/events", headers=tokens.auditor)
    deadline = time.monotonic() + 5
    while (
        not (
            rows := client.post("/v1/audit/search", json={"application": "oversight"}, headers=tokens.auditor).json()[
                "rows"
            ]
        )
        and time.monotonic() < deadline
    ):
        time.sleep(0.05)  # the oversight log is projected asynchronously
    assert rows[0]["actor_id"] == "auditor-1" and rows[0]["event_type"] == "oversight:AccessRecord.Read"


def test_only_auditors_use_the_audit_api(client: Client, tokens: Tokens) -> None:
    marriage, body, _ = filed(client, tokens)
    assert client.get(f"/v1/audit/marriage/aggregates/{marriage['id']}/events", headers=tokens.clerk).status_code == 403
    citizen = tokens.citizen(body["party_a"]["document_number"])
    assert client.post("/v1/audit/search", json={}, headers=citizen).status_code == 403


def test_an_unknown_application_or_record_is_404(client: Client, tokens: Tokens) -> None:
    assert client.get(f"/v1/audit/nope/aggregates/{'0' * 32}/events", headers=tokens.auditor).status_code == 404
    assert client.get(f"/v1/audit/marriage/aggregates/{'0' * 32}/events", headers=tokens.auditor).status_code == 404


def test_an_auditor_gets_a_signed_checkpoint_and_proves_an_event_is_in_it(client: Client, tokens: Tokens) -> None:
    import base64

    from projections.audit.checkpoints import Checkpoint, public_key_from_text, verify_signature
    from projections.audit.log import logged_events
    from projections.audit.merkle import verify_inclusion

    _, _, position = filed(client, tokens)
    signed = client.get(f"/v1/audit/marriage/checkpoint?wait_for={position}", headers=tokens.auditor).json()
    checkpoint = Checkpoint(**signed)
    key = public_key_from_text(client.get("/v1/audit/signing-key", headers=tokens.auditor).json()["public_key"])
    assert verify_signature(checkpoint, key) and checkpoint.tree_size == checkpoint.last_position == position
    proof = client.get(f"/v1/audit/marriage/proofs/inclusion?position={position}&tree_size={checkpoint.tree_size}",
                       headers=tokens.auditor).json()  # fmt: skip
    registry = client.app.state.registry
    [event] = [e for e in logged_events(registry.marriage) if e.position == position]
    path = [base64.b64decode(node) for node in proof["path"]]
    assert verify_inclusion(proof["leaf_index"], checkpoint.tree_size, event.leaf(), path, checkpoint.root())
    assert client.get("/v1/audit/marriage/checkpoint", headers=tokens.clerk).status_code == 403


def test_checkpoints_are_published_periodically_and_verify(client: Client, tokens: Tokens) -> None:
    from projections.audit.checkpoints import Checkpoint, public_key_from_text, verify_signature
    from projections.audit.service import CheckpointPublisher
    from registry.common.clock import SystemClock

    _, _, position = filed(client, tokens)
    client.get(f"/v1/audit/marriage/checkpoint?wait_for={position}", headers=tokens.auditor)  # the leaves are in
    read_side = client.app.state.read_side
    CheckpointPublisher(read_side.audit_log, ["marriage"], SystemClock(), interval_seconds=0).catch_up()
    published = client.get("/v1/audit/marriage/checkpoints", headers=tokens.auditor).json()["checkpoints"]
    key = public_key_from_text(client.get("/v1/audit/signing-key", headers=tokens.auditor).json()["public_key"])
    assert published and all(verify_signature(Checkpoint(**c), key) for c in published)
