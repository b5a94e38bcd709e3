"""The `registry` command: serve, migrate the store, mint development tokens, load demo data.

One module per command group; this module only assembles them under the root group `main`.
"""

from __future__ import annotations

import click

from api.cli.audit import audit
from api.cli.backup import backup, restore
from api.cli.base import RegistryCommand
from api.cli.db import db
from api.cli.demo import demo
from api.cli.doctor import doctor
from api.cli.exchange import exchange
from api.cli.keys import dv, keys
from api.cli.projections import projections
from api.cli.serve import project, serve
from api.cli.tokens import token

__all__ = ["main"]


@click.group(cls=RegistryCommand)
def main() -> None:
    """Civil-affairs registry of a county-level city (division code 330782)."""


for command in (serve, db, token, project, doctor, backup, restore, projections, audit, dv, keys, exchange, demo):
    main.add_command(command)
