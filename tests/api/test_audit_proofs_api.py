"""Proofs through the auditor API: bounded integers (400, never 500), sizes beyond the tree 404, proofs that verify."""

from __future__ import annotations

import base64

import pytest

from projections.audit.checkpoints import Checkpoint
from projections.audit.merkle import verify_consistency
from tests.api.conftest import Tokens
from tests.api.test_queries_and_audit_api import Client, filed

LARGEST_ACCEPTED = 2**62  # below 2**63, which neither store can hold


def signed_after_filing(client: Client, tokens: Tokens) -> tuple[Checkpoint, int]:
    _, _, position = filed(client, tokens)
    response = client.get(f"/v1/audit/marriage/checkpoint?wait_for={position}", headers=tokens.auditor)
    return Checkpoint(**response.json()), position


@pytest.mark.parametrize(
    "query",
    [
        "inclusion?position={huge}&tree_size={size}",
        "inclusion?position={position}&tree_size={huge}",
        "inclusion?position={huge}&tree_size={huge}",
        "consistency?first={huge}&second={huge}",
        "consistency?first=1&second={huge}",
        "consistency?first={huge}&second={size}",
        "inclusion?position={beyond_any_int64}&tree_size={size}",
        "consistency?first=1&second={beyond_any_int64}",
        "inclusion?position={position}&tree_size={bigint_max}",
        "consistency?first=1&second={above_the_bound}",
    ],
)
def test_a_number_beyond_what_a_log_can_reach_is_a_400_problem(client: Client, tokens: Tokens, query: str) -> None:
    checkpoint, position = signed_after_filing(client, tokens)
    url = "/v1/audit/marriage/proofs/" + query.format(
        huge=2**63,
        beyond_any_int64=10**30,
        bigint_max=2**63 - 1,
        above_the_bound=LARGEST_ACCEPTED + 1,
        position=position,
        size=checkpoint.tree_size,
    )
    response = client.get(url, headers=tokens.auditor)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize(
    "query",
    [
        "inclusion?position={position}&tree_size={largest}",
        "inclusion?position={largest}&tree_size={size}",
        "consistency?first=1&second={largest}",
        "consistency?first={largest}&second={largest}",
        "inclusion?position={position}&tree_size={beyond}",
        "consistency?first=1&second={beyond}",
    ],
)
def test_a_size_or_position_beyond_the_tree_is_404(client: Client, tokens: Tokens, query: str) -> None:
    checkpoint, position = signed_after_filing(client, tokens)
    url = "/v1/audit/marriage/proofs/" + query.format(
        largest=LARGEST_ACCEPTED, position=position, size=checkpoint.tree_size, beyond=checkpoint.tree_size + 1
    )
    assert client.get(url, headers=tokens.auditor).status_code == 404


def test_sizes_out_of_order_or_zero_are_refused(client: Client, tokens: Tokens) -> None:
    checkpoint, position = signed_after_filing(client, tokens)
    proofs = "/v1/audit/marriage/proofs/"
    assert client.get(proofs + "consistency?first=0&second=1", headers=tokens.auditor).status_code == 400
    assert client.get(proofs + "inclusion?position=0&tree_size=1", headers=tokens.auditor).status_code == 400
    assert client.get(proofs + f"inclusion?position={position}&tree_size=0", headers=tokens.auditor).status_code == 400
    later = f"consistency?first={checkpoint.tree_size + 1}&second={checkpoint.tree_size}"
    assert client.get(proofs + later, headers=tokens.auditor).status_code == 422


def test_a_consistency_proof_from_the_api_ties_two_signed_checkpoints(client: Client, tokens: Tokens) -> None:
    old, _ = signed_after_filing(client, tokens)
    new, _ = signed_after_filing(client, tokens)
    response = client.get(
        f"/v1/audit/marriage/proofs/consistency?first={old.tree_size}&second={new.tree_size}", headers=tokens.auditor
    )
    proof = [base64.b64decode(node) for node in response.json()["proof"]]
    assert old.tree_size < new.tree_size
    assert verify_consistency(old.tree_size, new.tree_size, old.root(), new.root(), proof)
    assert not verify_consistency(old.tree_size, new.tree_size, new.root(), new.root(), proof)


def test_proofs_of_an_unknown_log_are_404(client: Client, tokens: Tokens) -> None:
    proofs = "/v1/audit/nowhere/proofs/"
    assert client.get(proofs + "inclusion?position=1&tree_size=1", headers=tokens.auditor).status_code == 404
    assert client.get(proofs + "consistency?first=1&second=1", headers=tokens.auditor).status_code == 404
