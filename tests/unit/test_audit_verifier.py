"""The offline verifier: one pass over the export, every problem reported, nothing malformed taken on trust."""

from __future__ import annotations

import base64
import struct
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from projections.audit.checkpoints import Checkpoint, sign
from projections.audit.log import DOMAIN_TAG, LoggedEvent
from projections.audit.merkle import EMPTY_ROOT, consistency_proof, root_from_leaves
from projections.audit.verify import Verdict, proof_from_text, verify
from registry.keys import Purpose, key_id

KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
AT = datetime(2026, 11, 22, 4, tzinfo=UTC)
EVENTS = [
    LoggedEvent(
        "marriage",
        position,
        f"{position:032x}",
        1 + position % 3,
        "marriage:Marriage.Registered",
        bytes([position]) * 40,
    )
    for position in range(1, 30)
]
LEAVES = [event.leaf() for event in EVENTS]


def checkpoint(size: int, root: bytes | None = None) -> Checkpoint:
    last = EVENTS[size - 1].position if size else 0
    return sign(
        KEY,
        "marriage",
        size,
        last,
        root_from_leaves(LEAVES[:size]) if root is None else root,
        AT,
        key_id("33", Purpose.CHECKPOINT_SIGNING, KEY),
    )


def check(
    old: Checkpoint,
    newer: Checkpoint | None = None,
    proof: list[bytes] | None = None,
    log: Iterable[LoggedEvent] = EVENTS,
) -> Verdict:
    return verify(KEY.public_key(), old, log, newer=newer, consistency=proof)


def test_an_untouched_export_verifies_against_an_older_and_a_newer_checkpoint_read_once() -> None:
    consumed = []

    def stream() -> Iterator[LoggedEvent]:
        for event in EVENTS:
            consumed.append(event)
            yield event

    verdict = check(checkpoint(11), checkpoint(29), consistency_proof(11, LEAVES), log=stream())
    assert verdict.ok, verdict.problems
    assert verdict.events == len(consumed) == 29


def test_a_checkpoint_of_the_empty_tree_needs_no_proof_and_must_carry_the_empty_root() -> None:
    assert check(checkpoint(0), checkpoint(29), []).ok
    assert check(checkpoint(0), checkpoint(29), None).ok
    assert check(checkpoint(0, EMPTY_ROOT)).ok
    assert check(checkpoint(0), checkpoint(29), [LEAVES[0]]).problems == [
        "a consistency proof from an empty tree must be empty"
    ]
    forged = check(checkpoint(0, root_from_leaves(LEAVES[:1])), checkpoint(29), [])
    assert forged.problems == [
        "the log does not hash to the older checkpoint's root: an event was altered, removed, reordered or inserted"
    ]


def test_a_consistency_proof_that_does_not_tie_the_checkpoints_is_reported() -> None:
    proof = consistency_proof(11, LEAVES)
    for wrong in ([], proof[:-1], [*proof, LEAVES[0]], [proof[0][:-1], *proof[1:]], consistency_proof(12, LEAVES)):
        verdict = check(checkpoint(11), checkpoint(29), wrong)
        assert verdict.problems == ["the consistency proof does not show the newer tree extends the older one"]


@pytest.mark.parametrize("root_text", ["not base64 at all!", base64.b64encode(b"\x01" * 31).decode(), ""])
def test_a_checkpoint_whose_root_is_no_32_byte_hash_is_reported_not_trusted(root_text: str) -> None:
    genuine = checkpoint(29)
    malformed = Checkpoint(genuine.application, 29, genuine.last_position, root_text, genuine.signed_at, "")
    problems = check(malformed).problems
    assert "the older checkpoint's root is not a 32-byte hash in base64" in problems
    assert "the older checkpoint's signature is not the registry's" in problems


def test_a_line_of_the_export_that_is_no_event_is_reported_with_the_last_good_position() -> None:
    lines = [event.to_line() for event in EVENTS]
    lines[5] = lines[5].replace('"position": 6', '"position": "6"')

    verdict = check(checkpoint(29), log=(LoggedEvent.from_line(line) for line in lines))
    assert verdict.problems[0].startswith("the export cannot be read after position 5:")
    assert "the export has 5 events, fewer than the older checkpoint's 29" in verdict.problems


def test_an_export_line_reads_back_as_the_event_it_was_written_from() -> None:
    assert [LoggedEvent.from_line(event.to_line()) for event in EVENTS] == EVENTS
    with pytest.raises(ValueError, match="base64"):
        LoggedEvent.from_line(EVENTS[0].to_line().replace('"state": "', '"state": "!'))


def test_a_proof_file_node_that_is_not_base64_is_refused() -> None:
    with pytest.raises(ValueError):
        proof_from_text(["not base64!"])
    assert proof_from_text([base64.b64encode(LEAVES[0]).decode()]) == [LEAVES[0]]


def test_a_checkpoint_signed_by_another_key_than_the_one_given_is_reported_as_such_not_as_tampering() -> None:
    another = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))
    verdict = verify(another.public_key(), checkpoint(29), EVENTS)
    assert verdict.problems == [] and not verdict.ok
    assert verdict.other_key == [
        f"the older checkpoint names the key {key_id('33', Purpose.CHECKPOINT_SIGNING, KEY)}, not the one given "
        f"(its digest {key_id('33', Purpose.CHECKPOINT_SIGNING, another).rsplit('-', 1)[1]}): verify with that key; "
        "the name is not signed, so if the registry never published such a key, treat the checkpoint as forged"
    ]


def test_the_canonical_bytes_of_an_event_are_its_fields_each_after_its_four_byte_length() -> None:
    event = LoggedEvent(
        "marriage", 7, "5766b902-0a7d-5473-8987-d597751173d7", 3, "marriage:Marriage.Registered", b"\0x"
    )
    fields = [DOMAIN_TAG, b"marriage", struct.pack(">Q", 7), event.originator_id.encode(), struct.pack(">Q", 3),
              b"marriage:Marriage.Registered", b"\0x"]  # fmt: skip
    assert event.canonical() == b"".join(struct.pack(">I", len(field)) + field for field in fields)
