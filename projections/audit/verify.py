"""The offline verifier: signatures, consistency with an older checkpoint, and the tree recomputed from an export."""

from __future__ import annotations

import base64
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from projections.audit.checkpoints import Checkpoint, verify_signature
from projections.audit.log import LoggedEvent
from projections.audit.merkle import EMPTY_ROOT, HASH_SIZE, verify_consistency
from projections.audit.subtrees import CompactRange
from registry.keys import public_key_digest

PROGRESS_EVERY = 10_000
Named = list[tuple[str, Checkpoint]]  # the checkpoints given, by the name problems call them ("older", "newer")


@dataclass
class Verdict:
    problems: list[str] = field(default_factory=list)  # signs of tampering
    other_key: list[str] = field(default_factory=list)  # checkpoints that name another key than the one given
    events: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.problems and not self.other_key

    @property
    def rate(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0


def verify(
    public_key: Ed25519PublicKey,
    old: Checkpoint,
    log: Iterable[LoggedEvent],
    *,
    newer: Checkpoint | None = None,
    consistency: list[bytes] | None = None,
    on_event: Callable[[int], object] | None = None,
) -> Verdict:
    """Everything an auditor can check without trusting the operator; every problem found is reported.

    The export is read once, as a stream: the tree grows as a compact range (O(log n) memory), and its root is taken
    at each checkpoint's size. A checkpoint of size 0 needs no consistency proof (the empty tree is a prefix of
    every tree, and verify_consistency refuses first == 0): its root must be the empty tree's, which the
    recomputation checks.
    """
    verdict = Verdict()
    checkpoints = [("older", old)] if newer is None else [("older", old), ("newer", newer)]
    roots = _signed_roots(verdict, checkpoints, public_key)
    if newer is not None:
        _check_consistency(verdict, old, newer, roots, consistency)
    started = time.perf_counter()
    sizes = {checkpoint.tree_size for _, checkpoint in checkpoints}
    computed = _recomputed_roots(verdict, old.application, log, sizes, on_event)
    _check_roots(verdict, checkpoints, roots, computed)
    verdict.seconds = time.perf_counter() - started
    return verdict


def _signed_roots(verdict: Verdict, checkpoints: Named, public_key: Ed25519PublicKey) -> dict[str, bytes]:
    """Each checkpoint's root, by name, once its signature is checked (a bad signature or root is a problem)."""
    roots: dict[str, bytes] = {}
    for name, checkpoint in checkpoints:
        if not verify_signature(checkpoint, public_key):
            if checkpoint.key_id and not checkpoint.key_id.endswith(f"-{public_key_digest(public_key)}"):
                verdict.other_key.append(
                    f"the {name} checkpoint names the key {checkpoint.key_id}, not the one given "
                    f"(its digest {public_key_digest(public_key)}): verify with that key; the name is not signed, "
                    "so if the registry never published such a key, treat the checkpoint as forged"
                )
            else:
                verdict.problems.append(f"the {name} checkpoint's signature is not the registry's")
        if (root := _root(checkpoint)) is None:
            verdict.problems.append(f"the {name} checkpoint's root is not a {HASH_SIZE}-byte hash in base64")
        else:
            roots[name] = root
    return roots


def _check_consistency(
    verdict: Verdict, old: Checkpoint, newer: Checkpoint, roots: dict[str, bytes], consistency: list[bytes] | None
) -> None:
    """The newer checkpoint is of the same log, and the proof shows its tree extends the older one."""
    if newer.application != old.application:
        verdict.problems.append("the two checkpoints are of different logs")
    if old.tree_size == 0:
        if consistency:
            verdict.problems.append("a consistency proof from an empty tree must be empty")
    elif not verify_consistency(
        old.tree_size, newer.tree_size, roots.get("older", b""), roots.get("newer", b""), consistency or []
    ):
        verdict.problems.append("the consistency proof does not show the newer tree extends the older one")


def _recomputed_roots(
    verdict: Verdict,
    application: str,
    log: Iterable[LoggedEvent],
    sizes: set[int],
    on_event: Callable[[int], object] | None,
) -> dict[int, bytes]:
    """The tree's root at each of the sizes, recomputed from the export read once (an unreadable, foreign or
    out-of-order event stops the reading and is a problem); counts the events read into the verdict."""
    tree, computed, last_position = CompactRange(), {0: EMPTY_ROOT}, 0
    try:
        for event in log:
            if event.application != application:
                verdict.problems.append(f"the export holds an event of another log at position {event.position}")
                break
            if event.position <= last_position:
                verdict.problems.append(f"the export is out of order at position {event.position}")
                break
            last_position = event.position
            tree.push(event.leaf())
            if tree.size in sizes:
                computed[tree.size] = tree.root()
            if on_event is not None and tree.size % PROGRESS_EVERY == 0:
                on_event(PROGRESS_EVERY)
    except ValueError as error:  # a line that is no exported event
        verdict.problems.append(f"the export cannot be read after position {last_position}: {error}")
    verdict.events = tree.size
    return computed


def _check_roots(verdict: Verdict, checkpoints: Named, roots: dict[str, bytes], computed: dict[int, bytes]) -> None:
    """Every checkpoint's signed root is the root recomputed at its size."""
    for name, checkpoint in checkpoints:
        if checkpoint.tree_size not in computed:
            verdict.problems.append(
                f"the export has {verdict.events} events, fewer than the {name} checkpoint's {checkpoint.tree_size}"
            )
        elif name in roots and computed[checkpoint.tree_size] != roots[name]:
            verdict.problems.append(
                f"the log does not hash to the {name} checkpoint's root: "
                "an event was altered, removed, reordered or inserted"
            )


def _root(checkpoint: Checkpoint) -> bytes | None:
    try:
        root = base64.b64decode(checkpoint.root_hash, validate=True)
    except (ValueError, TypeError):
        return None
    return root if len(root) == HASH_SIZE else None


def proof_to_text(proof: list[bytes]) -> list[str]:
    return [base64.b64encode(node).decode() for node in proof]


def proof_from_text(nodes: list[str]) -> list[bytes]:
    """Proof nodes from base64 text; a ValueError if any is not base64 (its length is the verifier's to judge)."""
    return [base64.b64decode(node, validate=True) for node in nodes]
