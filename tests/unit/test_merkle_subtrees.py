"""Roots and proofs assembled from stored complete subtrees equal the reference and pymerkle, and need O(log n)."""

from __future__ import annotations

import pytest

from projections.audit.merkle import leaf_hash, root_from_leaves
from projections.audit.subtrees import (
    CompactRange,
    Subtree,
    compose,
    consistency_ranges,
    inclusion_ranges,
    needed,
    range_hashes,
    subtrees_of,
)
from tests.unit.merkle_vectors import INPUTS, LARGEST, consistency, inclusion, root

LEAVES = [leaf_hash(entry) for entry in INPUTS]


def stored_subtrees(leaves: list[bytes]) -> dict[Subtree, bytes]:
    """What the projection stores as leaves arrive: every leaf, and every subtree each new leaf completes."""
    grown = CompactRange()
    stored: dict[Subtree, bytes] = {}
    for index, leaf in enumerate(leaves):
        stored[(0, index)] = leaf
        for subtree, value in grown.append(leaf):
            assert subtree not in stored, f"{subtree} completed twice"
            stored[subtree] = value
    return stored


STORED = stored_subtrees(LEAVES)


def test_each_new_leaf_completes_exactly_the_subtrees_it_closes_with_their_true_hashes() -> None:
    for (level, index), value in STORED.items():
        assert value == root_from_leaves(LEAVES[index << level : (index + 1) << level]), (level, index)
    for size in range(1, LARGEST + 1):
        complete = sum(size >> level for level in range(1, size.bit_length()))
        assert len(stored_subtrees(LEAVES[:size])) == size + complete


def test_a_compact_range_has_the_root_of_every_size_as_it_grows() -> None:
    grown = CompactRange()
    assert grown.root() == root(0)
    for size, leaf in enumerate(LEAVES, start=1):
        grown.append(leaf)
        assert grown.root() == root(size), size
        assert len(grown.hashes) == size.bit_count()


def test_a_compact_range_grown_by_push_has_the_root_of_every_size_as_append_gives() -> None:
    pushed = CompactRange()
    for size, leaf in enumerate(LEAVES, start=1):
        pushed.push(leaf)
        assert pushed.root() == root(size), size
        assert len(pushed.hashes) == size.bit_count()


def test_a_compact_range_resumes_from_the_stored_subtrees_of_its_size() -> None:
    for size in range(LARGEST):
        resumed = CompactRange(size, [STORED[subtree] for subtree in subtrees_of(0, size)])
        completed = {subtree: value for leaf in LEAVES[size:] for subtree, value in resumed.append(leaf)}
        assert all(STORED[subtree] == value for subtree, value in completed.items())
        assert resumed.root() == root(LARGEST)


def test_a_compact_range_refuses_a_frontier_of_the_wrong_shape() -> None:
    with pytest.raises(ValueError, match="covered by 2 subtrees"):
        CompactRange(3, [LEAVES[0]])


def test_roots_assembled_from_stored_subtrees_equal_pymerkles() -> None:
    for size in range(LARGEST + 1):
        assert compose([STORED[subtree] for subtree in subtrees_of(0, size)]) == root(size), size


def test_inclusion_proofs_assembled_from_stored_subtrees_equal_pymerkles() -> None:
    for size in range(1, LARGEST + 1):
        for index in range(size):
            assert range_hashes(inclusion_ranges(index, size), STORED) == inclusion(index, size), (index, size)


def test_consistency_proofs_assembled_from_stored_subtrees_equal_pymerkles() -> None:
    for second in range(1, LARGEST + 1):
        assert range_hashes(consistency_ranges(second, second), STORED) == []
        for first in range(1, second):
            assert range_hashes(consistency_ranges(first, second), STORED) == consistency(first, second)


def test_a_range_that_is_no_node_of_a_tree_is_refused() -> None:
    with pytest.raises(ValueError, match="not a node"):
        subtrees_of(1, 4)


@pytest.mark.parametrize("size", [1, 2, 3, 70, 1000, 2**31 + 12345, 2**62, 2**63 - 1])
def test_a_root_or_proof_needs_logarithmically_many_stored_subtrees(size: int) -> None:
    bound = 2 * size.bit_length()
    assert len(subtrees_of(0, size)) <= size.bit_length()
    for index in {0, 1, size // 3, size // 2, size - 2, size - 1} - {-1}:
        assert len(needed(inclusion_ranges(index, size))) <= bound, index
    for first in {1, 2, size // 3, size // 2 + 1, size - 1} - {0}:
        if first < size:
            assert len(needed(consistency_ranges(first, size))) <= bound, first
