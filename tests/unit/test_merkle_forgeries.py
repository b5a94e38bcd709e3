"""A verifier that accepts one falsified proof is worthless: every systematic falsification is rejected.

Each case starts from a valid proof (the vectors) and changes one thing: the proof's length, a node, a hash's
length, the order, the index or sizes, a root. RFC 9162 2.1.3.2 and 2.1.4.2, with the checks of transparency-dev's
and Google's certificate-transparency verifiers (hash sizes, proof length, index < size, first > 0).
"""

from __future__ import annotations

from collections.abc import Iterator

from projections.audit.merkle import EMPTY_ROOT, verify_consistency, verify_inclusion
from tests.unit.merkle_vectors import LARGEST, consistency, inclusion, leaf, root

OTHER = b"\x5a" * 32  # a well-formed hash that is no node of these trees


def flipped(node: bytes, bit: int = 0) -> bytes:
    return node[:-1] + bytes([node[-1] ^ (1 << bit)])


def misshapen(node: bytes) -> Iterator[tuple[str, bytes]]:
    """The same hash cut short, lengthened, or emptied."""
    yield "31 bytes", node[:-1]
    yield "33 bytes", node + b"\x00"
    yield "64 bytes", node + node
    yield "empty", b""


def falsified_paths(proof: list[bytes]) -> Iterator[tuple[str, list[bytes]]]:
    """Every way of changing one thing about a proof's nodes."""
    if proof:
        yield "truncated at the end", proof[:-1]
        yield "truncated at the start", proof[1:]
    yield "extended at the end", [*proof, OTHER]
    yield "extended at the start", [OTHER, *proof]
    yield "extended by its own last node", [*proof, *proof[-1:]] if proof else [OTHER]
    for i, node in enumerate(proof):
        yield f"node {i} flipped", [*proof[:i], flipped(node), *proof[i + 1 :]]
        yield f"node {i} flipped in its first bit", [*proof[:i], bytes([node[0] ^ 0x80]) + node[1:], *proof[i + 1 :]]
        for shape, wrong in misshapen(node):
            yield f"node {i} {shape}", [*proof[:i], wrong, *proof[i + 1 :]]
    for i in range(len(proof) - 1):
        yield f"nodes {i} and {i + 1} swapped", [*proof[:i], proof[i + 1], proof[i], *proof[i + 2 :]]
    if len(proof) > 2:
        yield "order reversed", proof[::-1]


def test_the_issues_example_of_empty_hashes_is_rejected() -> None:
    assert not verify_inclusion(0, 1, b"", [], b"")


def test_a_falsified_inclusion_proof_is_rejected() -> None:
    for size in range(1, LARGEST + 1):
        for index in range(size):
            proof, leaf_, root_ = inclusion(index, size), leaf(index), root(size)
            assert verify_inclusion(index, size, leaf_, proof, root_)
            for how, path in falsified_paths(proof):
                assert not verify_inclusion(index, size, leaf_, path, root_), (index, size, how)


def test_an_inclusion_proof_with_a_hash_of_the_wrong_length_is_rejected() -> None:
    for size in (1, 2, 5, 8, 13):
        for index in range(size):
            proof, leaf_, root_ = inclusion(index, size), leaf(index), root(size)
            for shape, wrong in misshapen(leaf_):
                assert not verify_inclusion(index, size, wrong, proof, root_), ("leaf", shape, index, size)
            for shape, wrong in misshapen(root_):
                assert not verify_inclusion(index, size, leaf_, proof, wrong), ("root", shape, index, size)


def test_an_inclusion_proof_for_another_leaf_index_or_size_is_rejected() -> None:
    for size in range(1, 34):
        for index in range(size):
            proof, leaf_, root_ = inclusion(index, size), leaf(index), root(size)
            cases = {
                "index equal to the size": (size, size, leaf_, proof, root_),
                "index beyond the size": (size + 1, size, leaf_, proof, root_),
                "negative index": (-1, size, leaf_, proof, root_),
                "size 0": (index, 0, leaf_, proof, root_),
                "another leaf": (index, size, leaf((index + 1) % LARGEST), proof, root_),
                "another tree's root": (index, size, leaf_, proof, root(size + 1)),
                "a larger tree and its root": (index, size + 1, leaf_, proof, root(size + 1)),
                "the leaf as the root": (index, size, leaf_, proof, leaf_) if size > 1 else None,
            }
            if index + 1 < size:
                cases["the next index"] = (index + 1, size, leaf_, proof, root_)
            if index > 0:
                cases["the previous index"] = (index - 1, size, leaf_, proof, root_)
            for how, arguments in cases.items():
                if arguments is not None:
                    assert not verify_inclusion(*arguments), (index, size, how)


def test_an_inclusion_proof_in_an_empty_tree_is_rejected() -> None:
    assert not verify_inclusion(0, 0, leaf(0), [], EMPTY_ROOT)
    assert not verify_inclusion(0, 0, EMPTY_ROOT, [], EMPTY_ROOT)


def test_a_falsified_consistency_proof_is_rejected() -> None:
    for second in range(2, LARGEST + 1):
        for first in range(1, second):
            proof, old, new = consistency(first, second), root(first), root(second)
            assert verify_consistency(first, second, old, new, proof)
            for how, path in falsified_paths(proof):
                assert not verify_consistency(first, second, old, new, path), (first, second, how)


def test_a_consistency_proof_with_a_wrong_root_sizes_or_hash_lengths_is_rejected() -> None:
    for second in range(2, 34):
        for first in range(1, second):
            proof, old, new = consistency(first, second), root(first), root(second)
            cases = {
                "a wrong old root": (first, second, root(first - 1) if first > 1 else OTHER, new, proof),
                "the old root flipped": (first, second, flipped(old), new, proof),
                "a wrong new root": (first, second, old, root(second - 1), proof),
                "the new root flipped": (first, second, old, flipped(new, 7), proof),
                "the roots swapped": (first, second, new, old, proof),
                "first > second": (second, first, new, old, proof),
                "first == second with a non-empty proof": (second, second, new, new, proof),
                "another first size": (first + 1, second, root(first + 1), new, proof),
                "another second size": (first, second + 1, old, root(second + 1), proof),
                "first == 0": (0, second, EMPTY_ROOT, new, proof),
                "second == 0": (first, 0, old, EMPTY_ROOT, proof),
                "a negative first": (-first, second, old, new, proof),
            }
            for shape, wrong in misshapen(old):
                cases[f"old root {shape}"] = (first, second, wrong, new, proof)
            for shape, wrong in misshapen(new):
                cases[f"new root {shape}"] = (first, second, old, wrong, proof)
            for how, (m, n, a, b, path) in cases.items():
                if (m, n) == (first, second) and (a, b, path) == (old, new, proof):
                    continue  # not a change at all (e.g. another first size equal to second)
                assert not verify_consistency(m, n, a, b, path), (first, second, how)


def test_a_tree_of_equal_size_is_consistent_only_by_the_empty_proof_and_an_equal_root() -> None:
    for size in range(1, LARGEST + 1):
        assert verify_consistency(size, size, root(size), root(size), [])
        assert not verify_consistency(size, size, root(size), root(size), [root(size)])
        assert not verify_consistency(size, size, root(size), flipped(root(size)), [])
        assert not verify_consistency(size, size, root(size)[:-1], root(size)[:-1], [])


def test_a_consistency_proof_from_the_empty_tree_is_never_accepted() -> None:
    """An empty tree is a prefix of every tree: a "proof" from it would vouch for a root nobody checked."""
    for second in range(LARGEST + 1):
        assert not verify_consistency(0, second, EMPTY_ROOT, root(second), [])
        assert not verify_consistency(0, second, OTHER, root(second), [])
        assert not verify_consistency(0, second, EMPTY_ROOT, OTHER, [])
        if second:
            assert not verify_consistency(0, second, EMPTY_ROOT, root(second), [root(second)])
