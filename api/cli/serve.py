"""`registry serve` (the HTTP API) and `registry project` (the read models' own process)."""

from __future__ import annotations

import os
import sys
import threading
from typing import TYPE_CHECKING

import click

from api.cli.base import checked_settings, first_line
from registry.settings import Settings

if TYPE_CHECKING:
    from registry.system import Registry

MAX_WAIT_SECONDS = 30.0  # the longest pause between tries while the store is down


@click.command()
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
    _print_addresses(settings, host, port, projections)
    if workers > 1:  # each worker process builds its own app from the environment (api/app.py app_from_env)
        os.environ[SERVE_PROJECTIONS] = "y" if projections else "n"
        uvicorn.run(
            "api.app:app_from_env", factory=True, host=host, port=port, workers=workers, log_level="warning",
            access_log=False, timeout_graceful_shutdown=30,
        )  # fmt: skip
        return
    app = create_app(settings, run_projections=projections)
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False, timeout_graceful_shutdown=30)


def _print_addresses(settings: Settings, host: str, port: int, projections: bool) -> None:
    """Where the store is, where to point a browser, and how to get a token and demo data."""
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


@click.command()
def project() -> None:
    """Keep every read model current until stopped (the production projection process).

    While the store is down it waits, trying again with backoff and saying so; SIGINT and SIGTERM stop it cleanly.
    """
    import signal

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
            read_side.store, read_side.in_round_order(), [*read_side.policies, read_side.publisher], stop=stop
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
