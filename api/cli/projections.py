"""`registry projections`: where the read models are, their quarantined events, and rebuilding them."""

from __future__ import annotations

import click

from api.cli.base import checked_settings, opened_read_side
from registry.settings import Settings


@click.group()
def projections() -> None:
    """Read models: where they are, and rebuilding them."""


@projections.command()
def status() -> None:
    """Position, log head and lag of every read model, and what the processes keeping them say fails."""
    with opened_read_side(checked_settings()) as (_, read_side):
        positions, failing = read_side.store.positions(), read_side.failing()
        click.echo(f"{'projection':36} {'position':>10} {'head':>10} {'lag':>8}  failing")
        for follower in read_side.followers:
            position, head = positions.get(follower.tracking_name, 0), follower.head()
            error = failing.pop(follower.tracking_name, "")
            click.echo(f"{follower.tracking_name:36} {position:>10} {head:>10} {head - position:>8}  {error}".rstrip())
        for step, error in sorted(failing.items()):  # process policies and the checkpoint publisher
            click.echo(f"{step:36} {'':>10} {'':>10} {'':>8}  {error}")


@projections.command()
def quarantine() -> None:
    """Events a read model could not apply: open ones stop `/ready`; resolve each with retry or skip."""
    with opened_read_side(checked_settings()) as (_, read_side):
        entries = read_side.quarantined()
        if not entries:
            click.echo("no quarantined events")
        for entry in entries:
            state = f"skipped {entry.skipped_at}: {entry.skip_reason}" if not entry.open else "open"
            click.echo(f"{entry.projection} {entry.notification_id} [{state}] since {entry.quarantined_at}")
            click.echo(f"    {entry.error_type}: {entry.error_message}")


@projections.command()
@click.argument("name")
@click.argument("notification_id", type=click.IntRange(min=1))
def retry(name: str, notification_id: int) -> None:
    """Apply quarantined event NOTIFICATION_ID to read model NAME (e.g. audit_trail/marriage) once the code is fixed."""
    with opened_read_side(checked_settings()) as (_, read_side):
        try:
            read_side.retry_quarantined(name, notification_id)
        except LookupError as error:
            raise click.UsageError(str(error.args[0])) from None
        except Exception as error:
            click.echo(f"{name} {notification_id} failed again: {type(error).__name__}: {error}", err=True)
            raise SystemExit(1) from None
    click.echo(f"{name} {notification_id} applied and released from quarantine")


@projections.command()
@click.argument("name")
@click.argument("notification_id", type=click.IntRange(min=1))
@click.option("--reason", required=True, help="why the loss is accepted (kept on record)")
def skip(name: str, notification_id: int, reason: str) -> None:
    """Accept that read model NAME will never hold quarantined event NOTIFICATION_ID (recorded with the reason)."""
    if not reason.strip():
        raise click.UsageError("give a --reason")
    with opened_read_side(checked_settings()) as (_, read_side):
        try:
            read_side.skip_quarantined(name, notification_id, reason.strip())
        except LookupError as error:
            raise click.UsageError(str(error.args[0])) from None
    click.echo(f"{name} {notification_id} skipped: {reason.strip()}")


@projections.command()
@click.argument("name")
def rebuild(name: str) -> None:
    """Replay every event into a new copy of NAME, then swap it in (the live view serves until then)."""
    import time

    from tqdm import tqdm

    from projections.catalog import followers_of, projection_named
    from registry.common.start_up import settle_start_up

    with opened_read_side(Settings.from_env()) as (registry, read_side):
        try:
            followers = followers_of(
                registry, [projection_named(name, read_side.keys, read_side.feed_key, read_side.calendar)]
            )
        except KeyError as error:
            raise click.UsageError(str(error.args[0])) from None
        total = sum(follower.head() for follower in followers)
        settle_start_up()
        started = time.perf_counter()
        with tqdm(total=total, unit="event", desc=f"rebuilding {name}") as bar:
            replayed = read_side.rebuild(name, on_batch=bar.update)
        elapsed = time.perf_counter() - started
        click.echo(
            f"rebuilt {name}: {replayed} events in {elapsed:.1f} s ({replayed / max(elapsed, 1e-9):,.0f} events/s)"
        )
