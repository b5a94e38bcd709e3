"""`registry backup` and `registry restore`: the events and the DV key store, kept apart."""

from __future__ import annotations

from pathlib import Path

import click

from registry.settings import Settings


@click.command()
@click.argument("events_dir", type=click.Path(file_okay=False))
@click.argument("dv_keys_dir", type=click.Path(file_okay=False))
def backup(events_dir: str, dv_keys_dir: str) -> None:
    """Back up the events (with the read models) to EVENTS_DIR and the DV key store to DV_KEYS_DIR: keep them apart.

    PostgreSQL: pg_dump in custom format; the embedded default: a consistent copy of each SQLite file. Key material
    is never copied: REGISTRY_MASTER_KEY (or the per-purpose keys) and the DV keyring are yours to keep.
    """
    from api.backup import BackupError, back_up

    settings = Settings.from_env()
    try:
        written = back_up(settings, Path(events_dir), Path(dv_keys_dir))
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    for file in written:
        click.echo(f"wrote {file}")
    click.echo(f"not in the backup, keep them yourself: the master key (or every purpose key), {settings.dv_keyring}")


@click.command()
@click.argument("events_dir", type=click.Path(file_okay=False, exists=True))
@click.argument("dv_keys_dir", type=click.Path(file_okay=False, exists=True))
def restore(events_dir: str, dv_keys_dir: str) -> None:
    """Restore a `registry backup` into NEW stores (REGISTRY_DATABASE_URL, REGISTRY_DV_KEYS_URL or the data dir).

    Then prove it: `registry audit export APP DIR --since KEPT/checkpoint.json` and `registry audit verify` against
    the last checkpoint published before the backup.
    """
    from api.backup import BackupError
    from api.backup import restore as restore_backup

    try:
        restore_backup(Settings.from_env(), Path(events_dir), Path(dv_keys_dir))
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo("restored; next: `registry doctor`, then verify each log against the checkpoint you kept")
