"""Test vectors for the Merkle tree: the RFC 6962 reference leaves and roots, and proofs computed by pymerkle.

The eight reference inputs and the root of every tree of them are the published RFC 6962 test data (the certificate
transparency reference implementation's tests); everything else is computed here by pymerkle, an independent
implementation, so that no vector depends on the code under test.
"""

from __future__ import annotations

from functools import cache

from pymerkle import InmemoryTree

RFC6962_INPUTS = tuple(
    bytes.fromhex(text)
    for text in ("", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f")
)
RFC6962_ROOTS = {
    size: bytes.fromhex(root)
    for size, root in {
        0: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        1: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        2: "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        3: "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        4: "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        5: "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        6: "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        7: "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        8: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    }.items()
}

LARGEST = 70
# The reference inputs first, then more of different lengths: trees of every shape up to LARGEST leaves.
INPUTS = RFC6962_INPUTS + tuple(bytes(range(i % 17)) + i.to_bytes(2, "big") for i in range(8, LARGEST))


@cache
def independent_tree() -> InmemoryTree:
    tree = InmemoryTree(algorithm="sha256")
    for entry in INPUTS:
        tree.append_entry(entry)
    return tree


@cache
def leaf(index: int) -> bytes:
    """The leaf hash of INPUTS[index], as pymerkle computes it."""
    path: list[bytes] = independent_tree().prove_inclusion(index + 1, index + 1).path
    return path[0]


@cache
def root(size: int) -> bytes:
    """MTH of the first `size` inputs, as pymerkle computes it."""
    if size == 0:
        return RFC6962_ROOTS[0]
    value: bytes = independent_tree().get_root(size)
    return value


@cache
def inclusion(index: int, size: int) -> list[bytes]:
    """PATH(index, D[size]) from pymerkle: its path starts with the leaf itself, then the audit path bottom-up."""
    path: list[bytes] = independent_tree().prove_inclusion(index + 1, size).path
    return path[1:]


@cache
def consistency(first: int, second: int) -> list[bytes]:
    """PROOF(first, D[second]) (0 < first < second), from pymerkle's inclusion paths and subtree roots.

    pymerkle lays its consistency paths out differently from RFC 9162, so the RFC proof is derived from a property
    of the RFC's SUBPROOF: it is the audit path of the old tree's last leaf (first - 1) in the new tree, less its
    lowest `shift` nodes (those inside the old tree's last complete subtree of 2**shift leaves, shift being the
    trailing zeros of first), preceded by that subtree's root unless it is the whole old tree.
    """
    shift = (first & -first).bit_length() - 1
    path = inclusion(first - 1, second)[shift:]
    if first == 1 << shift:
        return path
    subtree = InmemoryTree(algorithm="sha256")
    for entry in INPUTS[first - (1 << shift) : first]:
        subtree.append_entry(entry)
    return [subtree.get_root(), *path]
