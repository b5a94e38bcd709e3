"""The `registry` command: serve, migrate the store, mint development tokens, load demo data."""

from __future__ import annotations

import os
import re
import sys
import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import TYPE_CHECKING, Any, NoReturn

import click

from registry.common.actors import Role
from registry.keys import SettingsError
from registry.settings import Settings

if TYPE_CHECKING:
    from registry.system import Registry

DEFAULT_OFFICE = "330782001"
MAX_WAIT_SECONDS = 30.0  # the longest pause between tries while the store is down


class RegistryCommand(click.Group):
    """Settings that cannot be used are a usage error of one line (exit code 2); a store that cannot be used is one
    line naming the cause and the fix (exit code 1). Never a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        from registry.adapters.faults import store_fault, store_not_migrated
        from registry.adapters.store_check import MIGRATE, StoreProblem

        try:
            return super().invoke(ctx)
        except SettingsError as error:
            raise click.UsageError(str(error)) from None
        except StoreProblem as error:
            fail(str(error))
        except Exception as error:
            if not store_fault(error):
                raise
            if store_not_migrated(error):
                fail(f"the store is not migrated: {MIGRATE}")
            fail(f"the store failed ({type(error).__name__}: {first_line(error)}); try again when it is back")


def fail(message: str) -> NoReturn:
    """One line on standard error, exit code 1."""
    click.echo(f"registry: {message}", err=True)
    raise SystemExit(1)


def first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def checked_settings(*, migrated: bool = True) -> Settings:
    """The settings, once the store they name answers (and is migrated): StoreProblem otherwise."""
    from registry.adapters.store_check import check_store

    settings = Settings.from_env()
    check_store(settings, migrated=migrated)
    return settings


@click.group(cls=RegistryCommand)
def main() -> None:
    """Civil-affairs registry of a county-level city (division code 330782)."""


@main.command()
@click.option("--host", default=None, help="Interface to listen on (default REGISTRY_HOST or 127.0.0.1).")
@click.option("--port", type=click.IntRange(1, 65535), default=None, help="Port (default REGISTRY_PORT or 8000).")
@click.option(
    "--projections/--no-projections",
    default=True,
    help="Keep the read models current in this process (default); --no-projections when `registry project` does.",
)
@click.option("--workers", type=click.IntRange(1, 64), default=1, help="Server processes (shared-nothing; default 1).")
def serve(host: str | None, port: int | None, projections: bool, workers: int) -> None:
    """Serve the HTTP API (and, unless told otherwise, keep the read models current)."""
    import uvicorn

    from api.app import SERVE_PROJECTIONS, create_app

    if workers > 1 and not Settings.from_env().uses_postgres:
        raise click.UsageError("--workers needs PostgreSQL: the embedded store's files are for one process")
    settings = checked_settings()
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
    if projections:
        click.echo("  read models    kept current by this process (or --no-projections and `registry project`)")
    else:
        click.echo("  read models    NOT kept by this process: run `registry project` beside it")
    sys.stdout.flush()
    if workers > 1:  # each worker process builds its own app from the environment (api/app.py app_from_env)
        os.environ[SERVE_PROJECTIONS] = "y" if projections else "n"
        uvicorn.run(
            "api.app:app_from_env", factory=True, host=host, port=port, workers=workers, log_level="warning",
            access_log=False, timeout_graceful_shutdown=30,
        )  # fmt: skip
        return
    app = create_app(settings, run_projections=projections)
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False, timeout_graceful_shutdown=30)


@main.group()
def db() -> None:
    """The event store."""


@db.command()
def migrate() -> None:
    """Create every application's and read model's tables (safe to repeat); other processes never create tables."""
    from projections.catalog import migrate_all

    for name in migrate_all(checked_settings(migrated=False)):
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
    if office:
        _check_office(Role(role), office)
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


OFFICE_CODE = re.compile(r"^[0-9a-z][0-9a-z-]{1,63}$")


def _check_office(role: Role, office: str) -> None:
    """A clerk's office is a registration office: a known division code and three digits (330782001); any other
    office, authority or department is a code of lower-case letters, digits and hyphens (330782-court)."""
    from registry.common.divisions import division_known

    if role == Role.CLERK:
        if not (len(office) == 9 and office.isascii() and office.isdigit() and division_known(office[:6])):
            raise click.BadParameter(
                f"unknown office {office[:40]!r}: a registration office is a known division code and three digits, "
                "e.g. 330782001",
                param_hint="--office",
            )
    elif not OFFICE_CODE.match(office):
        raise click.BadParameter(
            f"unknown office {office[:40]!r}: lower-case letters, digits and hyphens, e.g. 330782-court",
            param_hint="--office",
        )


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
    """Keep every read model current until stopped (the production projection process).

    While the store is down it waits, trying again with backoff and saying so; SIGINT and SIGTERM stop it cleanly.
    """
    import signal
    import threading

    from projections.catalog import ReadSide
    from projections.runner import ProjectionService

    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    registry = open_when_ready(stop)
    if registry is None:
        return
    read_side = ReadSide(registry)
    click.echo("projecting: " + ", ".join(f.tracking_name for f in read_side.followers))
    try:
        service = ProjectionService(
            read_side.store, read_side.followers, [*read_side.policies, read_side.publisher], stop=stop
        )
        service.run_forever()
    finally:
        read_side.close()
        registry.close()
    click.echo("stopped")


def open_when_ready(stop: threading.Event) -> Registry | None:
    """The registry once its store answers; waits with backoff while the store is down (None: stopped meanwhile).

    Settings that are wrong, a missing database or a store not migrated fail at once: waiting would not help.
    """
    from registry.adapters.faults import store_unavailable
    from registry.adapters.store_check import StoreProblem, check_store
    from registry.system import open_registry

    settings = Settings.from_env()
    delay = 1.0
    while not stop.is_set():
        try:
            check_store(settings)
            return open_registry(settings)
        except StoreProblem as error:
            if not error.passing:
                raise
            problem = str(error)
        except Exception as error:
            if not store_unavailable(error):
                raise
            problem = first_line(error)
        click.echo(f"registry: waiting for the store: {problem}; next try in {delay:g} s", err=True)
        stop.wait(delay)
        delay = min(delay * 2, MAX_WAIT_SECONDS)
    return None


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

    registry = open_registry(checked_settings())
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
def quarantine() -> None:
    """Events a read model could not apply: open ones stop `/ready`; resolve each with retry or skip."""
    from projections.catalog import ReadSide
    from registry.system import open_registry

    registry = open_registry(checked_settings())
    read_side = ReadSide(registry)
    try:
        entries = read_side.quarantined()
        if not entries:
            click.echo("no quarantined events")
        for entry in entries:
            state = f"skipped {entry.skipped_at}: {entry.skip_reason}" if not entry.open else "open"
            click.echo(f"{entry.projection} {entry.notification_id} [{state}] since {entry.quarantined_at}")
            click.echo(f"    {entry.error_type}: {entry.error_message}")
    finally:
        read_side.close()
        registry.close()


@projections.command()
@click.argument("name")
@click.argument("notification_id", type=click.IntRange(min=1))
def retry(name: str, notification_id: int) -> None:
    """Apply quarantined event NOTIFICATION_ID to read model NAME (e.g. audit_trail/marriage) once the code is fixed."""
    from projections.catalog import ReadSide
    from registry.system import open_registry

    registry = open_registry(checked_settings())
    read_side = ReadSide(registry)
    try:
        read_side.retry_quarantined(name, notification_id)
    except LookupError as error:
        raise click.UsageError(str(error.args[0])) from None
    except Exception as error:
        click.echo(f"{name} {notification_id} failed again: {type(error).__name__}: {error}", err=True)
        raise SystemExit(1) from None
    finally:
        read_side.close()
        registry.close()
    click.echo(f"{name} {notification_id} applied and released from quarantine")


@projections.command()
@click.argument("name")
@click.argument("notification_id", type=click.IntRange(min=1))
@click.option("--reason", required=True, help="why the loss is accepted (kept on record)")
def skip(name: str, notification_id: int, reason: str) -> None:
    """Accept that read model NAME will never hold quarantined event NOTIFICATION_ID (recorded with the reason)."""
    from projections.catalog import ReadSide
    from registry.system import open_registry

    if not reason.strip():
        raise click.UsageError("give a --reason")
    registry = open_registry(checked_settings())
    read_side = ReadSide(registry)
    try:
        read_side.skip_quarantined(name, notification_id, reason.strip())
    except LookupError as error:
        raise click.UsageError(str(error.args[0])) from None
    finally:
        read_side.close()
        registry.close()
    click.echo(f"{name} {notification_id} skipped: {reason.strip()}")


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
    from pathlib import Path

    from projections.audit.checkpoints import public_key_from_text

    try:
        return public_key_from_text(Path(path).read_text())
    except ValueError:  # not text, not base64, or not 32 bytes
        raise click.BadParameter(
            "not a public-key.txt (base64 of an Ed25519 public key)", param_hint="--public-key"
        ) from None


def _checkpoint_file(path: str, option: str) -> Any:
    """A checkpoint.json with every field of its type, or a usage error (a log passed as a checkpoint, say)."""
    from pathlib import Path

    import msgspec

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
    from pathlib import Path

    import msgspec

    from projections.audit.log import LoggedEvent

    with Path(path).open(errors="strict") as lines:
        for number, line in enumerate(lines, start=1):
            try:
                yield LoggedEvent.from_line(line)
            except (msgspec.DecodeError, ValueError) as error:
                raise click.BadParameter(
                    f"line {number} is not an exported event ({str(error)[:120]})", param_hint="--log"
                ) from None


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
def keys() -> None:
    """The registry's secrets (see README, Security)."""


@keys.command("generate")
def keys_generate() -> None:
    """Print a new random 256-bit secret, base64: for REGISTRY_MASTER_KEY, REGISTRY_FEDERATION_KEY, a purpose key."""
    from registry.keys import new_secret

    click.echo(new_secret())


@main.group()
def exchange() -> None:
    """The marriage exchange with other provinces' registries."""


@exchange.command("follow")
@click.option("--once", is_flag=True, help="apply what the peers have now, then stop")
@click.option("--every", type=click.FloatRange(min=0.1), default=5.0, show_default=True, help="seconds between rounds")
def exchange_follow(once: bool, every: float) -> None:
    """Follow REGISTRY_EXCHANGE_PEERS: verify every page, apply each fact once, resume after a crash."""
    import time

    from registry.adapters.http_pages import http_fetch
    from registry.exchange.follower import ExchangeFollower, peers_from
    from registry.system import open_registry

    settings = Settings.from_env()
    registry = open_registry(settings)
    followers = [
        ExchangeFollower(registry.exchange, peer, http_fetch, reader=settings.jurisdiction)
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
    from api.demo import run_demo

    for line in run_demo(Settings.from_env(), validity=timedelta(hours=8)):
        click.echo(line)


if __name__ == "__main__":
    main()
