"""The tree, its proofs and its verifiers agree with RFC 6962's published roots and with pymerkle, at every shape."""

from __future__ import annotations

from projections.audit.merkle import (
    EMPTY_ROOT,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    root_from_leaves,
    verify_consistency,
    verify_inclusion,
)
from tests.unit.merkle_vectors import (
    INPUTS,
    LARGEST,
    RFC6962_INPUTS,
    RFC6962_ROOTS,
    consistency,
    inclusion,
    leaf,
    root,
)

LEAVES = [leaf_hash(entry) for entry in INPUTS]


def test_the_empty_tree_hashes_to_sha256_of_nothing() -> None:
    assert root_from_leaves([]) == EMPTY_ROOT == RFC6962_ROOTS[0]


def test_the_rfc_6962_reference_leaves_give_the_published_root_at_every_size() -> None:
    for size in range(1, len(RFC6962_INPUTS) + 1):
        assert root_from_leaves([leaf_hash(entry) for entry in RFC6962_INPUTS[:size]]) == RFC6962_ROOTS[size]
        assert root(size) == RFC6962_ROOTS[size]  # the independent implementation agrees with the published data


def test_leaf_hashes_and_roots_match_pymerkle_up_to_70_leaves() -> None:
    assert [leaf(index) for index in range(LARGEST)] == LEAVES
    for size in range(1, LARGEST + 1):
        assert root_from_leaves(LEAVES[:size]) == root(size), size


def test_every_inclusion_proof_up_to_70_leaves_matches_pymerkle_and_verifies() -> None:
    for size in range(1, LARGEST + 1):
        for index in range(size):
            proof = inclusion_proof(index, LEAVES[:size])
            assert proof == inclusion(index, size), (index, size)
            assert verify_inclusion(index, size, LEAVES[index], proof, root(size)), (index, size)


def test_every_consistency_proof_up_to_70_leaves_matches_pymerkle_and_verifies() -> None:
    for second in range(1, LARGEST + 1):
        for first in range(1, second):
            proof = consistency_proof(first, LEAVES[:second])
            assert proof == consistency(first, second), (first, second)
            assert verify_consistency(first, second, root(first), root(second), proof), (first, second)


def test_a_tree_is_consistent_with_itself_by_the_empty_proof() -> None:
    for size in range(1, LARGEST + 1):
        assert consistency_proof(size, LEAVES[:size]) == []
        assert verify_consistency(size, size, root(size), root(size), [])
