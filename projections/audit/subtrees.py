"""Roots and proofs assembled from the hashes of complete subtrees, so that none needs every leaf.

A complete subtree (level, index) covers the leaves [index * 2**level, (index + 1) * 2**level); level 0 is a leaf.
Every node of an RFC 9162 tree covers a range [start, end) that is one complete subtree or, on the tree's right
border, a run of them of decreasing size; its hash is their composition from the right (MTH of RFC 9162 2.1.1).
So a root, an inclusion proof or a consistency proof is a few ranges, each a few stored subtree hashes: O(log n).

The hash of a complete subtree never changes once its last leaf has arrived; `CompactRange` yields each new one as
the leaf completing it is appended (at most log n per leaf, one on average).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from projections.audit.merkle import EMPTY_ROOT, node_hash, split

Subtree = tuple[int, int]  # (level, index)
Range = tuple[int, int]  # leaves [start, end)


def subtrees_of(start: int, end: int) -> list[Subtree]:
    """The complete subtrees that make up a node's range of leaves, left to right (largest first)."""
    pieces: list[Subtree] = []
    while start < end:
        level = (end - start).bit_length() - 1
        if start & ((1 << level) - 1):
            raise ValueError(f"[{start}, {end}) is not a node of a Merkle tree")
        pieces.append((level, start >> level))
        start += 1 << level
    return pieces


def compose(hashes: Sequence[bytes]) -> bytes:
    """The hash of a node from the hashes of its complete subtrees, left to right."""
    if not hashes:
        return EMPTY_ROOT
    result = hashes[-1]
    for left in reversed(hashes[:-1]):
        result = node_hash(left, result)
    return result


def inclusion_ranges(index: int, size: int) -> list[Range]:
    """The ranges whose hashes are PATH(index, D[size]) (RFC 9162 2.1.3.1), deepest first as the RFC lists them."""
    path: list[Range] = []
    start, end = 0, size
    while end - start > 1:
        k = split(end - start)
        if index < start + k:
            path.append((start + k, end))
            end = start + k
        else:
            path.append((start, start + k))
            start += k
    return path[::-1]


def consistency_ranges(first: int, second: int) -> list[Range]:
    """The ranges whose hashes are PROOF(first, D[second]) (RFC 9162 2.1.4.1); none unless 0 < first < second."""
    if not 0 < first < second:
        return []
    path: list[Range] = []
    start, end, m, whole = 0, second, first, True
    while m != end - start:
        k = split(end - start)
        if m <= k:
            path.append((start + k, end))
            end = start + k
        else:
            path.append((start, start + k))
            start, m, whole = start + k, m - k, False
    if not whole:
        path.append((start, end))
    return path[::-1]


def needed(ranges: Iterable[Range]) -> set[Subtree]:
    """Every complete subtree the hashes of these ranges are made of."""
    return {subtree for start, end in ranges for subtree in subtrees_of(start, end)}


def range_hashes(ranges: Iterable[Range], stored: Mapping[Subtree, bytes]) -> list[bytes]:
    """The hash of each range, from the stored hashes of its complete subtrees."""
    return [compose([stored[subtree] for subtree in subtrees_of(start, end)]) for start, end in ranges]


class CompactRange:
    """The complete subtrees covering the first `size` leaves (one per set bit of size), grown one leaf at a time."""

    def __init__(self, size: int = 0, hashes: Sequence[bytes] = ()) -> None:
        if len(hashes) != len(subtrees_of(0, size)):
            raise ValueError(f"a tree of {size} leaves is covered by {size.bit_count()} subtrees, not {len(hashes)}")
        self.size = size
        self.hashes = list(hashes)

    def append(self, leaf: bytes) -> list[tuple[Subtree, bytes]]:
        """Add the next leaf; returns the subtrees above leaf level that it completes, with their hashes."""
        completed: list[tuple[Subtree, bytes]] = []
        index, level, current = self.size, 0, leaf
        while (index >> level) & 1:  # a complete left sibling of the same size waits on the stack
            current = node_hash(self.hashes.pop(), current)
            level += 1
            completed.append(((level, index >> level), current))
        self.hashes.append(current)
        self.size += 1
        return completed

    def push(self, leaf: bytes) -> None:
        """Add the next leaf, as append() does, without listing the subtrees it completes (the verifier's loop)."""
        size, hashes = self.size, self.hashes
        while size & 1:
            leaf = node_hash(hashes.pop(), leaf)
            size >>= 1
        hashes.append(leaf)
        self.size += 1

    def root(self) -> bytes:
        """MTH of the leaves so far."""
        return compose(self.hashes)
