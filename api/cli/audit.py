"""`registry audit`: signed checkpoints, exports of the log, and the offline verifier."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
import msgspec

from api.cli.base import opened_read_side
from registry.settings import Settings

if TYPE_CHECKING:
    from projections.audit.checkpoints import Checkpoint
    from projections.catalog import ReadSide
    from registry.common.application import RegistryApplication


@click.group()
def audit() -> None:
    """Tamper evidence: checkpoints, exports of the log, and the offline verifier."""


@audit.command("export")
@click.argument("application")
@click.argument("directory", type=click.Path(file_okay=False))
@click.option("--since", "since", type=click.Path(dir_okay=False, exists=True), help="an older checkpoint.json")
def audit_export(application: str, directory: str, since: str | None) -> None:
    """Write DIRECTORY/log.jsonl, a signed checkpoint.json, public-key.txt and (with --since) consistency.json."""
    from projections.audit.checkpoints import public_key_text
    from registry.common.clock import SystemClock

    with opened_read_side(Settings.from_env()) as (registry, read_side):
        app = registry.applications().get(application)
        if app is None:
            raise click.UsageError(f"applications: {', '.join(registry.applications())}")
        read_side.catch_up()
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        checkpoint = read_side.audit_log.checkpoint(application, SystemClock().now())
        _export_log(app, checkpoint.tree_size, out / "log.jsonl")
        (out / "checkpoint.json").write_text(checkpoint.to_json())
        (out / "public-key.txt").write_text(public_key_text(read_side.audit_log.key))
        if since is not None:
            _export_consistency(read_side, checkpoint, Path(since), out / "consistency.json")
        click.echo(f"exported {checkpoint.tree_size} events of {application} to {out}")


def _export_log(app: RegistryApplication, size: int, path: Path) -> None:
    """Every logged event of the application, one JSON line each."""
    from tqdm import tqdm

    from projections.audit.log import logged_events

    with path.open("w") as file:
        for event in tqdm(logged_events(app), total=size, unit="event", desc="exporting"):
            file.write(event.to_line() + "\n")


def _export_consistency(read_side: ReadSide, checkpoint: Checkpoint, since: Path, path: Path) -> None:
    """The proof that the log of an older checkpoint is a prefix of the new checkpoint's."""
    from projections.audit.checkpoints import Checkpoint
    from projections.audit.verify import proof_to_text

    old = Checkpoint.from_json(since.read_text())
    application, size = checkpoint.application, checkpoint.tree_size
    # From an empty tree there is nothing to prove (its root is checked instead): the proof is empty.
    proof = read_side.audit_log.consistency(application, old.tree_size, size) if old.tree_size else []
    path.write_text(json.dumps(proof_to_text(proof)))


@audit.command("verify")
@click.option("--public-key", type=click.Path(dir_okay=False, exists=True), required=True)
@click.option(
    "--checkpoint", type=click.Path(dir_okay=False, exists=True), required=True, help="the checkpoint you kept"
)
@click.option("--log", "log_path", type=click.Path(dir_okay=False, exists=True), required=True, help="log.jsonl")
@click.option("--newer", type=click.Path(dir_okay=False, exists=True), help="a newer checkpoint.json")
@click.option("--proof", type=click.Path(dir_okay=False, exists=True), help="consistency.json from old to newer")
def audit_verify(public_key: str, checkpoint: str, log_path: str, newer: str | None, proof: str | None) -> None:
    """Verify offline that nothing in the log was altered, removed, reordered or inserted."""
    from tqdm import tqdm

    from projections.audit.verify import proof_from_text, verify

    key = _public_key_file(public_key)
    old = _checkpoint_file(checkpoint, "--checkpoint")
    new = _checkpoint_file(newer, "--newer") if newer else None
    try:
        nodes = proof_from_text(json.loads(Path(proof).read_text())) if proof else None
    except (ValueError, TypeError) as error:
        raise click.BadParameter(f"not a list of base64 proof nodes ({error})", param_hint="--proof") from None
    with tqdm(unit="event", desc="verifying") as bar:
        verdict = verify(key, old, _logged_events(log_path), newer=new, consistency=nodes, on_event=bar.update)
    click.echo(f"{verdict.events} events verified in {verdict.seconds:.2f} s ({verdict.rate:,.0f} events/s)")
    if verdict.ok:
        click.echo("VERIFIED: the log matches the signed checkpoints")
        return
    for problem in verdict.other_key:
        click.echo(f"SIGNED BY ANOTHER KEY: {problem}")
    for problem in verdict.problems:
        click.echo(f"TAMPERED: {problem}")
    raise SystemExit(1)


def _public_key_file(path: str) -> Any:
    """The Ed25519 public key in a public-key.txt, or a usage error."""
    from projections.audit.checkpoints import public_key_from_text

    try:
        return public_key_from_text(Path(path).read_text())
    except ValueError:  # not text, not base64, or not 32 bytes
        raise click.BadParameter(
            "not a public-key.txt (base64 of an Ed25519 public key)", param_hint="--public-key"
        ) from None


def _checkpoint_file(path: str, option: str) -> Any:
    """A checkpoint.json with every field of its type, or a usage error (a log passed as a checkpoint, say)."""
    from projections.audit.checkpoints import Checkpoint

    try:
        return msgspec.json.decode(Path(path).read_bytes(), type=Checkpoint)
    except msgspec.DecodeError as error:  # invalid JSON, or a field missing or of the wrong type
        raise click.BadParameter(
            f"not a checkpoint.json written by `registry audit export` ({str(error)[:120]})", param_hint=option
        ) from None


def _logged_events(path: str) -> Iterator[Any]:
    """The events of an exported log.jsonl, read as the verifier asks for them; a line that is not one is a usage
    error naming the line."""
    from projections.audit.log import LoggedEvent

    with Path(path).open(errors="strict") as lines:
        for number, line in enumerate(lines, start=1):
            try:
                yield LoggedEvent.from_line(line)
            except (msgspec.DecodeError, ValueError) as error:
                raise click.BadParameter(
                    f"line {number} is not an exported event ({str(error)[:120]})", param_hint="--log"
                ) from None
