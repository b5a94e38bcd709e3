"""`registry keys` (the registry's secrets) and `registry dv` (the DV register's key epochs)."""

from __future__ import annotations

import click

from registry.settings import Settings


@click.group()
def keys() -> None:
    """The registry's secrets (see README, Security)."""


@keys.command("generate")
def keys_generate() -> None:
    """Print a new random 256-bit secret, base64: for REGISTRY_MASTER_KEY, REGISTRY_FEDERATION_KEY, a purpose key."""
    from registry.keys import new_secret

    click.echo(new_secret())


@click.group()
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
