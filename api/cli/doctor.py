"""`registry doctor`: what is wrong with this installation, and what to do about it."""

from __future__ import annotations

import os

import click


@click.command()
@click.option(
    "--max-lag", type=click.IntRange(min=0), default=100, show_default=True, help="events a read model may lag"
)
def doctor(max_lag: int) -> None:
    """Check settings, keys, the database, migrations, the DV key store and projection lag; say what to fix."""
    from api.doctor import run_checks

    failed = False
    for check in run_checks(os.environ, max_lag=max_lag):
        click.echo(check.line())
        failed = failed or not check.ok
    raise SystemExit(1 if failed else 0)
