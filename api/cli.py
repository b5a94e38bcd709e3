"""The `registry` command: serve, migrate the store, mint development tokens, load demo data."""

from __future__ import annotations

import sys
from datetime import timedelta

import click

from registry.settings import Settings

DEFAULT_OFFICE = "330782001"


@click.group()
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
    click.echo("  a dev token    .venv/bin/registry token --role clerk --office 330782001 --subject clerk-1")
    click.echo("  demo data      .venv/bin/registry demo   (prints tokens for a clerk, a citizen and an auditor)")
    sys.stdout.flush()
    uvicorn.run(create_app(settings), host=host, port=port, log_level="warning", access_log=False)


@main.group()
def db() -> None:
    """The event store."""


@db.command()
def migrate() -> None:
    """Create every application's tables (safe to repeat); other processes never create tables."""
    from registry.system import migrate as migrate_store

    settings = Settings.from_env()
    for name in migrate_store(settings):
        click.echo(f"migrated: {name}")


@main.command()
@click.option("--role", type=click.Choice(["clerk", "supervisor", "court", "auditor", "citizen"]), required=True)
@click.option("--subject", default=None, help="Who the token is for (not for citizens).")
@click.option("--office", default="", help="Office or department code (required for clerk and court).")
@click.option(
    "--document-number",
    default=None,
    help="A citizen's identity number; only its keyed hash enters the token.",
)
@click.option("--hours", type=int, default=8, show_default=True)
def token(role: str, subject: str | None, office: str, document_number: str | None, hours: int) -> None:
    """Mint a development token signed with the configured key."""
    from api.auth import mint_token
    from registry.common.actors import Role
    from registry.common.identity import RESIDENT_ID, validated_document_key
    from registry.common.ids import PersonKeys

    settings = Settings.from_env()
    if role == "citizen":
        if not document_number:
            raise click.UsageError("a citizen token needs --document-number")
        from datetime import date

        key = validated_document_key(RESIDENT_ID, document_number, "CHN", today=date.today())
        subject = PersonKeys(settings.person_hash_key).ref(key)
    if role in ("clerk", "court") and not office:
        raise click.UsageError(f"a {role} token needs --office")
    if not subject:
        raise click.UsageError("give --subject")
    click.echo(
        mint_token(settings.jwt_secret, subject=subject, role=Role(role), office=office, ttl_seconds=hours * 3600)
    )


@main.command()
def demo() -> None:
    """Load a small, realistic data set into the store and print tokens to try every endpoint."""
    from api.demo import load_demo

    settings = Settings.from_env()
    for line in load_demo(settings, validity=timedelta(hours=8)):
        click.echo(line)


if __name__ == "__main__":
    main()
