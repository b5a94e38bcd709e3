"""RFC 9162 Merkle tree hashing, inclusion proofs and consistency proofs (sections 2.1.1-2.1.4).

The verifiers are strict: every hash is exactly 32 bytes, sizes and indexes are in range, and a proof has exactly the
length its (index, size) or (first, second) pair calls for. Anything else is rejected, never "verified".

`root_from_leaves`, `inclusion_proof` and `consistency_proof` are the reference computations over every leaf (O(n));
the registry serves roots and proofs from stored subtree hashes instead (projections/audit/subtrees.py), and the
tests hold both to the same answers.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

HASH_SIZE = 32  # SHA-256
EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def split(n: int) -> int:
    """The largest power of two smaller than n (n > 1): the size of the left subtree of a tree of n leaves."""
    return 1 << ((n - 1).bit_length() - 1)


def root_from_leaves(leaves: Sequence[bytes]) -> bytes:
    """MTH over leaf hashes, bottom-up in O(n): pairs at each level, an odd last node carried up unchanged.

    This is the same tree as RFC 9162's recursive definition (the left subtree is always the largest full power of
    two), computed without recursion.
    """
    if not leaves:
        return EMPTY_ROOT
    level = list(leaves)
    while len(level) > 1:
        paired = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]


def inclusion_proof(index: int, leaves: Sequence[bytes]) -> list[bytes]:
    """PATH(m, D[n]) of RFC 9162 2.1.3.1, over every leaf (the reference)."""
    n = len(leaves)
    if n <= 1:
        return []
    k = split(n)
    if index < k:
        return [*inclusion_proof(index, leaves[:k]), root_from_leaves(leaves[k:])]
    return [*inclusion_proof(index - k, leaves[k:]), root_from_leaves(leaves[:k])]


def consistency_proof(first: int, leaves: Sequence[bytes]) -> list[bytes]:
    """PROOF(m, D[n]) of RFC 9162 2.1.4.1, over every leaf (the reference); empty unless 0 < first < n."""
    return _subproof(first, leaves, True) if 0 < first < len(leaves) else []


def _subproof(m: int, leaves: Sequence[bytes], whole: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if whole else [root_from_leaves(leaves)]
    k = split(n)
    if m <= k:
        return [*_subproof(m, leaves[:k], whole), root_from_leaves(leaves[k:])]
    return [*_subproof(m - k, leaves[k:], False), root_from_leaves(leaves[:k])]


def inclusion_path_length(index: int, size: int) -> int:
    """How many nodes PATH(index, D[size]) has: one per level of the recursion (0 <= index < size)."""
    length, start, end = 0, 0, size
    while end - start > 1:
        k = split(end - start)
        if index < start + k:
            end = start + k
        else:
            start += k
        length += 1
    return length


def consistency_proof_length(first: int, second: int) -> int:
    """How many nodes PROOF(first, D[second]) has (0 < first < second)."""
    length, m, n, whole = 0, first, second, True
    while m != n:
        k = split(n)
        if m <= k:
            n = k
        else:
            m, n, whole = m - k, n - k, False
        length += 1
    return length if whole else length + 1


def _are_hashes(*hashes: bytes) -> bool:
    return all(isinstance(h, bytes | bytearray) and len(h) == HASH_SIZE for h in hashes)


def verify_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes) -> bool:
    """RFC 9162 2.1.3.2: does `proof` show the leaf hash `leaf` at `index` in the tree of `size` with `root`?

    Rejected before any hashing: an index outside 0 <= index < size (so any size 0), a leaf, root or proof node
    that is not 32 bytes, and a proof longer or shorter than PATH(index, D[size]). The size and the root must be
    taken together from one signed checkpoint: the proof ties the leaf to the root, the signature the root to a size.
    """
    if not 0 <= index < size:
        return False
    if not _are_hashes(leaf, root, *proof) or len(proof) != inclusion_path_length(index, size):
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn % 2 == 1 or fn == sn:
            r = node_hash(p, r)
            if fn % 2 == 0:
                while fn % 2 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]) -> bool:
    """RFC 9162 2.1.4.2: does `proof` show that the tree of `second` leaves extends the tree of `first` leaves?

    - first == second: only the empty proof, and only if the two roots are equal (SUBPROOF(m, D[m], true) = {}).
    - first == 0: always False. Every tree extends the empty tree, so no proof from it can say anything about either
      root; answering True would "verify" a root nobody checked. Whoever holds a checkpoint of size 0 checks that
      its root is EMPTY_ROOT and needs no proof (the offline verifier does exactly that).
    - Rejected before any hashing: first > second, a root or node that is not 32 bytes, and a proof longer or
      shorter than PROOF(first, D[second]).
    """
    if not 0 < first <= second or not _are_hashes(first_root, second_root, *proof):
        return False
    if first == second:
        return not proof and first_root == second_root
    if len(proof) != consistency_proof_length(first, second):
        return False
    path = list(proof)
    if first & (first - 1) == 0:  # a power of two: the first root is the first node of the path
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == first_root and sr == second_root
