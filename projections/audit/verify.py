"""The offline verifier: signatures, consistency with an older checkpoint, and the tree recomputed from an export."""

from __future__ import annotations

import base64
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from projections.audit.checkpoints import Checkpoint, verify_signature
from projections.audit.log import LoggedEvent
from projections.audit.merkle import root_from_leaves, verify_consistency


@dataclass
class Verdict:
    problems: list[str] = field(default_factory=list)
    events: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.problems

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
    """Everything an auditor can check without trusting the operator; every problem found is reported."""
    verdict = Verdict()
    for name, checkpoint in (("older", old), ("newer", newer)):
        if checkpoint is not None and not verify_signature(checkpoint, public_key):
            verdict.problems.append(f"the {name} checkpoint's signature is not the registry's")
    if newer is not None:
        if newer.application != old.application:
            verdict.problems.append("the two checkpoints are of different logs")
        if not verify_consistency(old.tree_size, newer.tree_size, old.root(), newer.root(), consistency or []):
            verdict.problems.append("the consistency proof does not show the newer tree extends the older one")
    started = time.perf_counter()
    leaves: list[bytes] = []
    last_position = 0
    for event in log:
        if event.application != old.application:
            verdict.problems.append(f"the export holds an event of another log at position {event.position}")
            break
        if event.position <= last_position:
            verdict.problems.append(f"the export is out of order at position {event.position}")
            break
        last_position = event.position
        leaves.append(event.leaf())
        if on_event is not None and len(leaves) % 10_000 == 0:
            on_event(10_000)
    verdict.events = len(leaves)
    for name, checkpoint in (("older", old), ("newer", newer)):
        if checkpoint is None:
            continue
        if len(leaves) < checkpoint.tree_size:
            verdict.problems.append(
                f"the export has {len(leaves)} events, fewer than the {name} checkpoint's {checkpoint.tree_size}"
            )
        elif root_from_leaves(leaves[: checkpoint.tree_size]) != checkpoint.root():
            verdict.problems.append(
                f"the log does not hash to the {name} checkpoint's root: "
                "an event was altered, removed, reordered or inserted"
            )
    verdict.seconds = time.perf_counter() - started
    return verdict


def proof_to_text(proof: list[bytes]) -> list[str]:
    return [base64.b64encode(node).decode() for node in proof]


def proof_from_text(nodes: list[str]) -> list[bytes]:
    return [base64.b64decode(node) for node in nodes]
