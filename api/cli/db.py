"""`registry db`: the event store's tables."""

from __future__ import annotations

import click

from api.cli.base import checked_settings


@click.group()
def db() -> None:
    """The event store."""


@db.command()
def migrate() -> None:
    """Create every application's and read model's tables (safe to repeat); other processes never create tables."""
    from projections.catalog import migrate_all

    for name in migrate_all(checked_settings(migrated=False)):
        click.echo(f"migrated: {name}")
