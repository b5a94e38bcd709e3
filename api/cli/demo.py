"""`registry demo`: a small, realistic data set and tokens to try it with."""

from __future__ import annotations

from datetime import timedelta

import click

from registry.settings import Settings


@click.command()
def demo() -> None:
    """Load a small, realistic data set into the store and print tokens to try every endpoint."""
    from api.demo import run_demo

    for line in run_demo(Settings.from_env(), validity=timedelta(hours=8)):
        click.echo(line)
