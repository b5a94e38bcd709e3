"""The tamper-evident log: RFC 9162 trees, signed checkpoints, proofs, and the verifier catching every tampering."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
from pymerkle import InmemoryTree

from projections.audit.checkpoints import Checkpoint, public_key_from_text, public_key_text
from projections.audit.leaves import IncompleteTree
from projections.audit.log import LoggedEvent, logged_events
from projections.audit.merkle import (
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    root_from_leaves,
    verify_consistency,
    verify_inclusion,
)
from projections.audit.service import AuditLog
from projections.audit.verify import verify
from projections.catalog import ReadSide, migrate_all
from registry.common.errors import NotFound
from registry.settings import Settings
from registry.system import Registry, open_registry
from tests.integration.test_projection_crash_safety import write_history

NOW = datetime(2026, 11, 22, 4, tzinfo=UTC)


def test_tree_roots_match_an_independent_rfc_9162_implementation() -> None:
    for size in (1, 2, 3, 7, 8, 13, 64, 100):
        entries = [f"entry {i}".encode() for i in range(size)]
        independent = InmemoryTree(algorithm="sha256")
        for entry in entries:
            independent.append_entry(entry)
        assert root_from_leaves([leaf_hash(e) for e in entries]) == independent.get_root()


def test_every_inclusion_and_consistency_proof_verifies_and_a_forged_one_does_not() -> None:
    leaves = [leaf_hash(bytes([i])) for i in range(21)]
    for size in range(1, 22):
        root = root_from_leaves(leaves[:size])
        for index in range(size):
            assert verify_inclusion(index, size, leaves[index], inclusion_proof(index, leaves[:size]), root)
        for first in range(1, size + 1):
            proof = consistency_proof(first, leaves[:size])
            assert verify_consistency(first, size, root_from_leaves(leaves[:first]), root, proof)
    proof = inclusion_proof(3, leaves)
    forged = [proof[0][:-1] + bytes([proof[0][-1] ^ 1]), *proof[1:]]
    assert not verify_inclusion(3, 21, leaves[3], forged, root_from_leaves(leaves))
    assert not verify_inclusion(4, 21, leaves[3], proof, root_from_leaves(leaves))
    wrong = consistency_proof(5, leaves)
    assert not verify_consistency(5, 21, root_from_leaves(leaves[:6]), root_from_leaves(leaves), wrong)


@pytest.fixture
def audited(registry: Registry) -> Iterator[tuple[Registry, ReadSide, AuditLog]]:
    write_history(registry, couples=5)
    read_side = ReadSide(registry)
    read_side.catch_up()
    yield registry, read_side, read_side.audit_log
    read_side.close()


def check(registry: Registry, log: AuditLog, checkpoint: Checkpoint) -> list[str]:
    public_key = public_key_from_text(public_key_text(log.key))
    return verify(public_key, checkpoint, list(logged_events(registry.marriage))).problems


def test_an_untouched_log_verifies_against_its_signed_checkpoint(audited: tuple[Registry, ReadSide, AuditLog]) -> None:
    registry, _, log = audited
    checkpoint = log.checkpoint("marriage", NOW)
    assert checkpoint.tree_size == len(list(logged_events(registry.marriage))) > 30
    assert check(registry, log, checkpoint) == []


def test_a_newer_checkpoint_is_consistent_with_an_older_one(audited: tuple[Registry, ReadSide, AuditLog]) -> None:
    registry, read_side, log = audited
    old = log.checkpoint("marriage", NOW)
    write_history(registry, couples=2)
    read_side.catch_up()
    new = log.checkpoint("marriage", NOW)
    proof = log.consistency("marriage", old.tree_size, new.tree_size)
    public_key = public_key_from_text(public_key_text(log.key))
    events = list(logged_events(registry.marriage))
    assert verify(public_key, old, events, newer=new, consistency=proof).ok
    index, path = log.inclusion("marriage", events[3].position, new.tree_size)
    assert verify_inclusion(index, new.tree_size, events[3].leaf(), path, new.root())


def test_roots_and_proofs_from_stored_nodes_equal_the_reference_and_pymerkle_at_every_size(
    audited: tuple[Registry, ReadSide, AuditLog],
) -> None:
    registry, _, log = audited
    events = list(logged_events(registry.marriage))
    leaves = [event.leaf() for event in events]
    independent = InmemoryTree(algorithm="sha256")
    for event in events:
        independent.append_entry(event.canonical())
    n = len(leaves)
    assert log.head("marriage") == (n, events[-1].position)
    for size in range(1, n + 1):
        assert log.root("marriage", size) == root_from_leaves(leaves[:size]) == independent.get_root(size), size
    for size in sorted({1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 31, 32, 33, n - 1, n}):
        for index in range(size):
            reference = inclusion_proof(index, leaves[:size])
            assert log.inclusion("marriage", events[index].position, size) == (index, reference), (index, size)
            assert reference == independent.prove_inclusion(index + 1, size).path[1:]
        for first in range(1, size + 1):
            assert log.consistency("marriage", first, size) == consistency_proof(first, leaves[:size]), (first, size)


def stored_nodes(read_side: ReadSide) -> list[tuple[Any, ...]]:
    return read_side.store.query(
        "SELECT application, level, node_index, node_hash FROM merkle_nodes ORDER BY application, level, node_index"
    )


def test_a_tree_grown_in_small_batches_stores_every_complete_subtree_once(store_env: dict[str, str]) -> None:
    settings = Settings.from_env({**store_env, "REGISTRY_PROJECTION_BATCH": "3"})
    migrate_all(settings)
    registry = open_registry(settings)
    read_side = ReadSide(registry)
    try:
        for _ in range(3):  # rounds of writes, each projected in batches of 3 leaves
            write_history(registry, couples=2)
            read_side.catch_up()
        leaves = [event.leaf() for event in logged_events(registry.marriage)]
        rows = [row for row in stored_nodes(read_side) if row[0] == "marriage"]
        assert len(rows) == len(leaves) - len(leaves).bit_count()  # every complete subtree above the leaves
        for _, level, index, value in rows:
            start, end = index << level, (index + 1) << level
            assert bytes.fromhex(value) == root_from_leaves(leaves[start:end]), (level, index)
        assert read_side.audit_log.root("marriage", len(leaves)) == root_from_leaves(leaves)
    finally:
        read_side.close()
        registry.close()


def test_a_rebuild_of_the_tree_restores_the_same_nodes_and_roots(audited: tuple[Registry, ReadSide, AuditLog]) -> None:
    _, read_side, log = audited
    nodes, checkpoint = stored_nodes(read_side), log.checkpoint("marriage", NOW)
    for _ in range(2):  # the second round rebuilds over the tables the first swapped in
        read_side.rebuild("merkle_leaves")
        assert stored_nodes(read_side) == nodes
        assert log.checkpoint("marriage", NOW) == checkpoint


def test_a_tree_from_before_the_node_table_gets_its_nodes_from_migrate(
    audited: tuple[Registry, ReadSide, AuditLog],
) -> None:
    registry, read_side, log = audited
    nodes, checkpoint = stored_nodes(read_side), log.checkpoint("marriage", NOW)
    with read_side.store.transaction() as cursor:
        cursor.execute("DELETE FROM merkle_nodes")  # as a store from before the table would be
    with pytest.raises(IncompleteTree, match="registry db migrate"):
        log.checkpoint("marriage", NOW)
    read_side.migrate()
    assert stored_nodes(read_side) == nodes
    assert log.checkpoint("marriage", NOW) == checkpoint
    write_history(registry, couples=1)
    read_side.catch_up()
    leaves = [event.leaf() for event in logged_events(registry.marriage)]
    assert log.checkpoint("marriage", NOW).root() == root_from_leaves(leaves)


def test_proofs_beyond_the_tree_are_not_found(audited: tuple[Registry, ReadSide, AuditLog]) -> None:
    *_, log = audited
    size, last = log.head("marriage")
    with pytest.raises(NotFound):
        log.inclusion("marriage", last, size + 1)
    with pytest.raises(NotFound):
        log.inclusion("marriage", last, size - 1)  # the event is the tree's last: not in a smaller tree
    with pytest.raises(NotFound):
        log.consistency("marriage", 1, size + 1)
    with pytest.raises(NotFound):
        log.inclusion("marriage", 2**63 - 1, size)
    assert log.head("nothing-here") == (0, 0)
    assert log.root("marriage", 0) == root_from_leaves([])


def tamper(registry: Registry, statement: str, params: tuple[object, ...] = ()) -> None:
    """Change the events table directly, as an operator with database access could."""
    settings = registry.settings
    if settings.uses_postgres:
        conninfo, schema = settings.postgres_target()
        with psycopg.connect(conninfo, options=f"-c search_path={schema}", autocommit=True) as conn:
            conn.execute(statement.replace("?", "%s"), params)
    else:
        import sqlite3

        with sqlite3.connect(settings.data_dir / "marriage.sqlite") as conn:
            sqlite_statement = statement.replace("marriage_events", "stored_events").replace("notification_id", "rowid")
            conn.execute(sqlite_statement, params)


@pytest.mark.parametrize("mutation", ["alter", "delete", "swap", "insert"])
def test_the_verifier_catches_any_tampering_with_the_stored_events(
    audited: tuple[Registry, ReadSide, AuditLog], mutation: str
) -> None:
    registry, _, log = audited
    checkpoint = log.checkpoint("marriage", NOW)
    events = list(logged_events(registry.marriage))
    victim, other = events[5], events[9]
    if mutation == "alter":
        changed = victim.state[:-1] + bytes([victim.state[-1] ^ 1])
        tamper(registry, "UPDATE marriage_events SET state = ? WHERE notification_id = ?", (changed, victim.position))
    elif mutation == "delete":
        tamper(registry, "DELETE FROM marriage_events WHERE notification_id = ?", (victim.position,))
    elif mutation == "swap":
        tamper(
            registry, "UPDATE marriage_events SET state = ? WHERE notification_id = ?", (other.state, victim.position)
        )
        tamper(
            registry, "UPDATE marriage_events SET state = ? WHERE notification_id = ?", (victim.state, other.position)
        )
    else:  # room made in the past for a forged event, which is then slipped in
        forged_id = str(uuid.uuid4()) if registry.settings.uses_postgres else uuid.uuid4().hex
        shift = "UPDATE marriage_events SET notification_id = notification_id + 1000 WHERE notification_id > ?"
        tamper(registry, shift, (victim.position,))
        tamper(
            registry,
            "INSERT INTO marriage_events (notification_id, originator_id, originator_version, topic, state) "
            "VALUES (?, ?, ?, ?, ?)",
            (victim.position + 1, forged_id, 1, victim.topic, victim.state),
        )
    assert check(registry, log, checkpoint) != []


def test_a_checkpoint_signed_with_another_key_is_rejected(audited: tuple[Registry, ReadSide, AuditLog]) -> None:
    registry, _, log = audited
    checkpoint = log.checkpoint("marriage", NOW)
    zero_root = base64.b64encode(b"\x00" * 32).decode()
    forged = Checkpoint(checkpoint.application, checkpoint.tree_size, checkpoint.last_position, zero_root,
                        checkpoint.signed_at, checkpoint.signature)  # fmt: skip
    assert "signature" in check(registry, log, forged)[0]


def test_the_offline_verifier_command_prints_a_clear_verdict(
    audited: tuple[Registry, ReadSide, AuditLog], tmp_path: Path, store_env: dict[str, str]
) -> None:
    registry, _, _ = audited
    import os

    env = {**os.environ, **store_env}
    cli = [sys.executable, "-m", "api.cli", "audit"]
    subprocess.run([*cli, "export", "marriage", str(tmp_path / "first")], env=env, check=True, capture_output=True)
    write_history(registry, couples=1)
    since = ["--since", str(tmp_path / "first/checkpoint.json")]
    subprocess.run(
        [*cli, "export", "marriage", str(tmp_path / "second"), *since], env=env, check=True, capture_output=True
    )
    second = tmp_path / "second"
    keep = ["--public-key", str(second / "public-key.txt"), "--checkpoint", str(tmp_path / "first/checkpoint.json")]
    newer = ["--newer", str(second / "checkpoint.json"), "--proof", str(second / "consistency.json")]
    log = ["--log", str(second / "log.jsonl")]
    verified = subprocess.run([*cli, "verify", *keep, *newer, *log], env=env, capture_output=True, text=True)
    assert verified.returncode == 0 and "VERIFIED" in verified.stdout and "events/s" in verified.stdout
    lines = (second / "log.jsonl").read_text().splitlines()
    altered = LoggedEvent.from_line(lines[2])
    lines[2] = LoggedEvent(altered.application, altered.position, altered.originator_id, altered.originator_version,
                           altered.topic, altered.state + b"!").to_line()  # fmt: skip
    (second / "log.jsonl").write_text("\n".join(lines) + "\n")
    tampered = subprocess.run([*cli, "verify", *keep, *log], env=env, capture_output=True, text=True)
    assert tampered.returncode == 1 and "TAMPERED" in tampered.stdout
    assert json.loads((second / "checkpoint.json").read_text())["tree_size"] > 0


def test_an_export_since_a_checkpoint_of_the_empty_log_verifies(
    registry: Registry, tmp_path: Path, store_env: dict[str, str]
) -> None:
    import os

    env = {**os.environ, **store_env}
    cli = [sys.executable, "-m", "api.cli", "audit"]
    first, second = tmp_path / "first", tmp_path / "second"
    subprocess.run([*cli, "export", "marriage", str(first)], env=env, check=True, capture_output=True)
    assert json.loads((first / "checkpoint.json").read_text())["tree_size"] == 0
    write_history(registry, couples=1)
    since = ["--since", str(first / "checkpoint.json")]
    subprocess.run([*cli, "export", "marriage", str(second), *since], env=env, check=True, capture_output=True)
    assert json.loads((second / "consistency.json").read_text()) == []
    verified = subprocess.run(
        [*cli, "verify", "--public-key", str(second / "public-key.txt"), "--checkpoint", str(first / "checkpoint.json"),
         "--newer", str(second / "checkpoint.json"), "--proof", str(second / "consistency.json"),
         "--log", str(second / "log.jsonl")],
        env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert verified.returncode == 0 and "VERIFIED" in verified.stdout, verified.stdout + verified.stderr
