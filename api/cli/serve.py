"""`registry serve` (the HTTP API) and `registry project` (the read models' own process)."""

from __future__ import annotations

import os
import signal
import sys
import threading
from types import FrameType
from typing import TYPE_CHECKING

import click

from api.cli.base import checked_settings, first_line
from api.cli.projection_child import ProjectionChild
from registry.common.start_up import settle_start_up
from registry.settings import Settings

if TYPE_CHECKING:
    from registry.system import Registry

MAX_WAIT_SECONDS = 30.0  # the longest pause between tries while the store is down
ORPHAN_CHECK_SECONDS = 1.0
READ_MODELS = {
    "child": "kept current by a child process (`registry project`), started again if it stops",
    "here": "kept current by this process (or --no-projections and `registry project`)",
    "none": "NOT kept by this process: run `registry project` beside it",
}


@click.command()
@click.option("--host", default=None, help="Interface to listen on (default REGISTRY_HOST or 127.0.0.1).")
@click.option("--port", type=click.IntRange(1, 65535), default=None, help="Port (default REGISTRY_PORT or 8000).")
@click.option(
    "--projections/--no-projections",
    default=True,
    help="Keep the read models current (default): on PostgreSQL in a child process, `registry project`, started and "
    "stopped with the server; on the embedded store in this process. --no-projections when `registry project` runs "
    "on its own.",
)
@click.option(
    "--projections-in-process",
    is_flag=True,
    help="On PostgreSQL, keep the read models in the server's own process(es) rather than in a child process.",
)
@click.option("--workers", type=click.IntRange(1, 64), default=1, help="Server processes (shared-nothing; default 1).")
def serve(host: str | None, port: int | None, projections: bool, projections_in_process: bool, workers: int) -> None:
    """Serve the HTTP API (and, unless told otherwise, keep the read models current)."""
    if projections_in_process and not projections:
        raise click.UsageError("--projections-in-process and --no-projections contradict each other: choose one")
    if workers > 1 and not Settings.from_env().uses_postgres:
        raise click.UsageError("--workers needs PostgreSQL: the embedded store's files are for one process")
    settings = checked_settings()
    host = host or settings.host
    port = settings.port if port is None else port
    in_child = projections and settings.uses_postgres and not projections_in_process
    _print_addresses(settings, host, port, "child" if in_child else "here" if projections else "none")
    child = ProjectionChild() if in_child else None
    # uvicorn, once shut down, raises the signal that stopped it again; SIGTERM's default would end this process there,
    # before the child is stopped. SystemExit unwinds through the `finally` below instead.
    before = signal.signal(signal.SIGTERM, exit_cleanly) if child is not None else None
    try:
        if child is not None:
            child.start()
        _run_server(settings, host, port, projections and not in_child, workers, child)
    finally:
        if child is not None:
            child.stop()
            signal.signal(signal.SIGTERM, before)


def exit_cleanly(signum: int, frame: FrameType | None) -> None:
    """A SIGTERM handler that unwinds through `finally` blocks (its default ends the process at once)."""
    raise SystemExit(0)


def _run_server(
    settings: Settings, host: str, port: int, projections: bool, workers: int, child: ProjectionChild | None
) -> None:
    import uvicorn

    from api.app import SERVE_PROJECTIONS, create_app

    if workers > 1:  # each worker process builds its own app from the environment (api/app.py app_from_env)
        os.environ[SERVE_PROJECTIONS] = "y" if projections else "n"
        uvicorn.run(
            "api.app:app_from_env", factory=True, host=host, port=port, workers=workers, log_level="warning",
            access_log=False, timeout_graceful_shutdown=30,
        )  # fmt: skip
        return
    app = create_app(settings, run_projections=projections)
    if child is not None:  # /ready tells when it is down (the workers of --workers cannot see it: their lag tells)
        app.state.read_models_running = lambda: child.running
    settle_start_up()
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False, timeout_graceful_shutdown=30)


def _print_addresses(settings: Settings, host: str, port: int, read_models: str) -> None:
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
    click.echo("  read models    " + READ_MODELS[read_models])
    sys.stdout.flush()


@click.command()
@click.option(
    "--parent",
    type=int,
    default=None,
    metavar="PID",
    help="Stop when process PID, the one that started this one, is gone (how `registry serve` starts it).",
)
def project(parent: int | None) -> None:
    """Keep every read model current until stopped (the production projection process).

    While the store is down it waits, trying again with backoff and saying so; SIGINT and SIGTERM stop it cleanly.
    """
    from projections.catalog import ReadSide

    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    if parent is not None:
        threading.Thread(target=_stop_when_orphaned, args=(parent, stop), daemon=True).start()
    registry = open_when_ready(stop)
    if registry is None:
        return
    read_side = ReadSide(registry)
    click.echo("projecting: " + ", ".join(f.tracking_name for f in read_side.followers))
    settle_start_up()
    try:
        read_side.projection_service(on_batch=read_side.announce_feed, stop=stop, publish_failing=True).run_forever()
    finally:
        read_side.close()
        registry.close()
    click.echo("stopped")


def _stop_when_orphaned(parent: int, stop: threading.Event) -> None:
    """Set `stop` once `parent` is no longer this process's parent: it has gone (it was killed: one that stops normally
    stops its child), perhaps even before this process started, whose parent is then already another."""
    while True:
        if os.getppid() != parent:
            click.echo("registry project: the process that started it has gone; stopping", err=True)
            stop.set()
            return
        if stop.wait(ORPHAN_CHECK_SECONDS):
            return


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
