"""The `registry` command: serve, migrate the store, mint development tokens, load demo data."""

from __future__ import annotations

import sys
from datetime import timedelta

import click

from registry.common.actors import Role
from registry.keys import SettingsError
from registry.settings import Settings

DEFAULT_OFFICE = "330782001"


class RegistryCommand(click.Group):
    """Settings that cannot be used are a usage error of one line (exit code 2), never a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except SettingsError as error:
            raise click.UsageError(str(error)) from None


@click.group(cls=RegistryCommand)
def main() -> None:
    """Civil-affairs registry of a county-level city (division code 330782)."""


@main.command()
@click.option("--host", default=None, help="Interface to listen on (default REGISTRY_HOST or 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (default REGISTRY_PORT or 8000).")
def serve(host: str | None, port: int | None) -> None:
    """Serve the HTTP API."""
    import uvicorn

    from api.app import create_app

    settings = Settings.from_env()
    host = host or settings.host
    port = settings.port if port is None else port
    store = "PostgreSQL" if settings.uses_postgres else f"SQLite files under {settings.data_dir}"
    click.echo(f"Civil-affairs registry on {store}")
    click.echo(f"  listening on   http://{host}:{port}")
    click.echo(f"  API docs       http://{host}:{port}/schema  (OpenAPI: /schema/openapi.json)")
    web = settings.public_url or f"http://{host}:{port}"
    click.echo(f"  citizen portal {web}/portal   (certificate check: {web}/verify)")
    click.echo(f"  clerk console  {web}/console  (sign in: {web}/sign-in)")
    click.echo("  a dev token    .venv/bin/registry token --role clerk --office 330782001 --subject clerk-1")
    click.echo("  demo data      .venv/bin/registry demo   (prints tokens for a clerk, a citizen and an auditor)")
    if not settings.uses_postgres:
        click.echo("  read models    kept current by this process (on PostgreSQL run `registry project`)")
    sys.stdout.flush()
    app = create_app(settings, run_projections=not settings.uses_postgres)
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)


@main.group()
def db() -> None:
    """The event store."""


@db.command()
def migrate() -> None:
    """Create every application's and read model's tables (safe to repeat); other processes never create tables."""
    from projections.catalog import migrate_all

    for name in migrate_all(Settings.from_env()):
        click.echo(f"migrated: {name}")


@main.command()
@click.option("--role", type=click.Choice([role.value for role in Role]), required=True)
@click.option("--subject", default=None, help="Who the token is for (not for citizens).")
@click.option(
    "--office", default="", help="Office, authority or department code (all but supervisor, auditor, citizen)."
)
@click.option("--hours", type=int, default=8, show_default=True, help="Lifetime (at most REGISTRY_TOKEN_MAX_HOURS).")
def token(role: str, subject: str | None, office: str, hours: int) -> None:
    """Mint a development token signed with the configured key.

    A citizen's identity number is read from standard input (never from the command line, where it would stay in
    the shell's history and the process list); only its keyed hash enters the token.
    """
    from datetime import date

    from api.auth import mint_token
    from registry.common.errors import InvalidInput
    from registry.common.identity import RESIDENT_ID, validated_document_key
    from registry.common.ids import PersonKeys
    from registry.keys import Purpose

    settings = Settings.from_env()
    if not 1 <= hours <= settings.token_max_hours:
        raise click.UsageError(f"--hours must be between 1 and {settings.token_max_hours}")
    if role == "citizen":
        number = _read_secret_line("the citizen's identity number")
        try:  # the same checks as the API: ASCII (full-width read as ASCII), format, division, check character
            key = validated_document_key(RESIDENT_ID, number, "CHN", today=date.today())
        except InvalidInput as error:
            failed = "; ".join(f"{failure.code}: {failure.detail}" for failure in error.failures)
            raise click.UsageError(f"not a valid resident identity number ({failed})") from None
        subject = PersonKeys(settings.keys[Purpose.PERSON_HASH]).ref(key)
    if role not in ("supervisor", "auditor", "citizen", "operator") and not office:
        raise click.UsageError(f"a {role} token needs --office")
    if not subject:
        raise click.UsageError("give --subject")
    signed = mint_token(
        settings.keys[Purpose.TOKEN], subject=subject, role=Role(role), office=office, ttl_seconds=hours * 3600
    )
    click.echo(signed)


def _read_secret_line(what: str) -> str:
    """One line from standard input; on a terminal, a prompt that does not echo."""
    if sys.stdin.isatty():
        text: str = click.prompt(what.capitalize(), hide_input=True)
        return text.strip()
    line = sys.stdin.readline().strip()
    if not line:
        raise click.UsageError(f"give {what} on standard input")
    return line


@main.command()
def project() -> None:
    """Keep every read model current until stopped (the production projection process)."""
    from projections.catalog import ReadSide
    from registry.system import open_registry

    registry = open_registry(Settings.from_env())
    read_side = ReadSide(registry)
    click.echo("projecting: " + ", ".join(f.tracking_name for f in read_side.followers))
    try:
        from projections.runner import ProjectionService

        ProjectionService(
            read_side.store, read_side.followers, [*read_side.policies, read_side.publisher]
        ).run_forever()
    except KeyboardInterrupt:
        pass
    finally:
        read_side.close()
        registry.close()


@main.command()
@click.option(
    "--max-lag", type=click.IntRange(min=0), default=100, show_default=True, help="events a read model may lag"
)
def doctor(max_lag: int) -> None:
    """Check settings, keys, the database, migrations, the DV key store and projection lag; say what to fix."""
    import os

    from api.doctor import run_checks

    failed = False
    for check in run_checks(os.environ, max_lag=max_lag):
        click.echo(check.line())
        failed = failed or not check.ok
    raise SystemExit(1 if failed else 0)


@main.command()
@click.argument("events_dir", type=click.Path(file_okay=False))
@click.argument("dv_keys_dir", type=click.Path(file_okay=False))
def backup(events_dir: str, dv_keys_dir: str) -> None:
    """Back up the events (with the read models) to EVENTS_DIR and the DV key store to DV_KEYS_DIR: keep them apart.

    PostgreSQL: pg_dump in custom format; the embedded default: a consistent copy of each SQLite file. Key material
    is never copied: REGISTRY_MASTER_KEY (or the per-purpose keys) and the DV keyring are yours to keep.
    """
    from pathlib import Path

    from api.backup import BackupError, back_up

    settings = Settings.from_env()
    try:
        written = back_up(settings, Path(events_dir), Path(dv_keys_dir))
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    for file in written:
        click.echo(f"wrote {file}")
    click.echo(f"not in the backup, keep them yourself: the master key (or every purpose key), {settings.dv_keyring}")


@main.command()
@click.argument("events_dir", type=click.Path(file_okay=False, exists=True))
@click.argument("dv_keys_dir", type=click.Path(file_okay=False, exists=True))
def restore(events_dir: str, dv_keys_dir: str) -> None:
    """Restore a `registry backup` into NEW stores (REGISTRY_DATABASE_URL, REGISTRY_DV_KEYS_URL or the data dir).

    Then prove it: `registry audit export APP DIR --since KEPT/checkpoint.json` and `registry audit verify` against
    the last checkpoint published before the backup.
    """
    from pathlib import Path

    from api.backup import BackupError
    from api.backup import restore as restore_backup

    try:
        restore_backup(Settings.from_env(), Path(events_dir), Path(dv_keys_dir))
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo("restored; next: `registry doctor`, then verify each log against the checkpoint you kept")


@main.group()
def projections() -> None:
    """Read models: where they are, and rebuilding them."""


@projections.command()
def status() -> None:
    """Position, log head and lag of every read model."""
    from projections.catalog import ReadSide
    from registry.system import open_registry

    registry = open_registry(Settings.from_env())
    read_side = ReadSide(registry)
    try:
        positions = read_side.store.positions()
        click.echo(f"{'projection':36} {'position':>10} {'head':>10} {'lag':>8}")
        for follower in read_side.followers:
            position, head = positions.get(follower.tracking_name, 0), follower.head()
            click.echo(f"{follower.tracking_name:36} {position:>10} {head:>10} {head - position:>8}")
    finally:
        read_side.close()
        registry.close()


@projections.command()
@click.argument("name")
def rebuild(name: str) -> None:
    """Replay every event into a new copy of NAME, then swap it in (the live view serves until then)."""
    import time

    from tqdm import tqdm

    from projections.catalog import ReadSide, followers_of, projection_named
    from registry.system import open_registry

    registry = open_registry(Settings.from_env())
    read_side = ReadSide(registry)
    try:
        try:
            followers = followers_of(
                registry, [projection_named(name, read_side.keys, read_side.feed_key, read_side.calendar)]
            )
        except KeyError as error:
            raise click.UsageError(str(error.args[0])) from None
        total = sum(follower.head() for follower in followers)
        started = time.perf_counter()
        with tqdm(total=total, unit="event", desc=f"rebuilding {name}") as bar:
            replayed = read_side.rebuild(name, on_batch=bar.update)
        elapsed = time.perf_counter() - started
        click.echo(
            f"rebuilt {name}: {replayed} events in {elapsed:.1f} s ({replayed / max(elapsed, 1e-9):,.0f} events/s)"
        )
    finally:
        read_side.close()
        registry.close()


@main.group()
def audit() -> None:
    """Tamper evidence: checkpoints, exports of the log, and the offline verifier."""


@audit.command("export")
@click.argument("application")
@click.argument("directory", type=click.Path(file_okay=False))
@click.option("--since", "since", type=click.Path(dir_okay=False, exists=True), help="an older checkpoint.json")
def audit_export(application: str, directory: str, since: str | None) -> None:
    """Write DIRECTORY/log.jsonl, a signed checkpoint.json, public-key.txt and (with --since) consistency.json."""
    import json
    from pathlib import Path

    from tqdm import tqdm

    from projections.audit.checkpoints import Checkpoint, public_key_text
    from projections.audit.log import logged_events
    from projections.audit.verify import proof_to_text
    from projections.catalog import ReadSide
    from registry.common.clock import SystemClock
    from registry.system import open_registry

    registry = open_registry(Settings.from_env())
    read_side = ReadSide(registry)
    try:
        app = registry.applications().get(application)
        if app is None:
            raise click.UsageError(f"applications: {', '.join(registry.applications())}")
        read_side.catch_up()
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        log = read_side.audit_log
        checkpoint = log.checkpoint(application, SystemClock().now())
        with (out / "log.jsonl").open("w") as file:
            for event in tqdm(logged_events(app), total=checkpoint.tree_size, unit="event", desc="exporting"):
                file.write(event.to_line() + "\n")
        (out / "checkpoint.json").write_text(checkpoint.to_json())
        (out / "public-key.txt").write_text(public_key_text(log.key))
        if since is not None:
            old = Checkpoint.from_json(Path(since).read_text())
            # From an empty tree there is nothing to prove (its root is checked instead): the proof is empty.
            proof = log.consistency(application, old.tree_size, checkpoint.tree_size) if old.tree_size else []
            (out / "consistency.json").write_text(json.dumps(proof_to_text(proof)))
        click.echo(f"exported {checkpoint.tree_size} events of {application} to {out}")
    finally:
        read_side.close()
        registry.close()


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
    import json
    from pathlib import Path

    from tqdm import tqdm

    from projections.audit.checkpoints import Checkpoint, public_key_from_text
    from projections.audit.log import LoggedEvent
    from projections.audit.verify import proof_from_text, verify

    old = Checkpoint.from_json(Path(checkpoint).read_text())
    new = Checkpoint.from_json(Path(newer).read_text()) if newer else None
    try:
        nodes = proof_from_text(json.loads(Path(proof).read_text())) if proof else None
    except (ValueError, TypeError) as error:
        raise click.BadParameter(f"not a list of base64 proof nodes ({error})", param_hint="--proof") from None
    with Path(log_path).open() as lines, tqdm(unit="event", desc="verifying") as bar:
        verdict = verify(
            public_key_from_text(Path(public_key).read_text()), old, (LoggedEvent.from_line(line) for line in lines),
            newer=new, consistency=nodes, on_event=bar.update,
        )  # fmt: skip
    click.echo(f"{verdict.events} events verified in {verdict.seconds:.2f} s ({verdict.rate:,.0f} events/s)")
    if verdict.ok:
        click.echo("VERIFIED: the log matches the signed checkpoints")
        return
    for problem in verdict.problems:
        click.echo(f"TAMPERED: {problem}")
    raise SystemExit(1)


@main.group()
def dv() -> None:
    """The DV register's data keys and their key epochs."""


@dv.command("keys")
def dv_keys() -> None:
    """The key epochs of the DV key store (current, retired awaiting destruction, destroyed) and destroy those due."""
    from registry.system import dv_key_store

    settings = Settings.from_env()
    store = dv_key_store(settings)
    try:
        destroyed = store.destroy_due()
        for epoch, state, retired_at in store.epochs():
            click.echo(f"epoch {epoch:>6}  {state:<10} {retired_at or ''}")
        if destroyed:
            click.echo(f"destroyed now (retention of {settings.dv_key_retention_hours:g} h passed): {destroyed}")
    finally:
        store.close()


@dv.command("rotate")
def dv_rotate() -> None:
    """Move every DV data key to a new key epoch (a routine rotation; sealing does this too)."""
    from registry.system import dv_key_store

    store = dv_key_store(Settings.from_env())
    try:
        click.echo(f"every key is now wrapped under epoch {store.rotate()}")
    finally:
        store.close()


@main.group()
def exchange() -> None:
    """The marriage exchange with other provinces' registries."""


@exchange.command("follow")
@click.option("--once", is_flag=True, help="apply what the peers have now, then stop")
@click.option("--every", type=float, default=5.0, show_default=True, help="seconds between rounds")
def exchange_follow(once: bool, every: float) -> None:
    """Follow REGISTRY_EXCHANGE_PEERS: verify every page, apply each fact once, resume after a crash."""
    import time

    from registry.exchange.follower import ExchangeFollower, peers_from
    from registry.system import open_registry

    settings = Settings.from_env()
    registry = open_registry(settings)
    followers = [
        ExchangeFollower(registry.exchange, peer, reader=settings.jurisdiction)
        for peer in peers_from(settings.exchange_peers)
        if peer.url
    ]
    if not followers:
        raise click.UsageError("no peers to follow: set REGISTRY_EXCHANGE_PEERS with each peer's url and token")
    if registry.exchange.federation is None:
        raise click.UsageError("the exchange needs REGISTRY_FEDERATION_KEY (the key the federated provinces share)")
    try:
        while True:
            failed = False
            for follower in followers:
                try:
                    applied = follower.follow_once()
                except OSError as error:  # a peer out of reach: try again next round
                    click.echo(f"{follower.peer.jurisdiction}: unreachable ({type(error).__name__})", err=True)
                    failed = True
                    continue
                failed = failed or follower.rejected
                if follower.rejected:
                    click.echo(f"{follower.peer.jurisdiction}: a page or fact was rejected (see the log)", err=True)
                if applied:
                    click.echo(f"{follower.peer.jurisdiction}: applied {applied} facts")
            if once:
                raise SystemExit(1 if failed else 0)
            time.sleep(every)
    except KeyboardInterrupt:
        pass
    finally:
        registry.close()


@main.command()
def demo() -> None:
    """Load a small, realistic data set into the store and print tokens to try every endpoint."""
    from api.demo import load_demo
    from api.web.demo import describe_front_desk_demo

    settings = Settings.from_env()
    for line in load_demo(settings, validity=timedelta(hours=8)):
        click.echo(line)
    for line in describe_front_desk_demo(settings):
        click.echo(line)


if __name__ == "__main__":
    main()
