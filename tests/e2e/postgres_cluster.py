"""A PostgreSQL cluster of a test's own (initdb into a temporary directory), which the test may stop and start, and a
streaming replica of it (pg_basebackup -R into another temporary directory, a second server on its own port)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest

BIN = Path("/usr/lib/postgresql/15/bin")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def as_postgres(*command: str) -> subprocess.CompletedProcess[str]:
    """Run a PostgreSQL program as the postgres user (the server refuses to run as root)."""
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    return subprocess.run([*prefix, *command], capture_output=True, text=True, timeout=60, check=True)


class Cluster:
    """One cluster: its data directory, port and log."""

    def __init__(self, directory: Path, port: int) -> None:
        self.directory = directory
        self.port = port
        self.data = directory / "data"
        self.log = directory / "server.log"

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}"

    def init(self, **settings: str) -> None:
        as_postgres(str(BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        lines = [
            f"port = {self.port}",
            "listen_addresses = '127.0.0.1'",
            f"unix_socket_directories = '{self.directory}'",
        ]
        lines += [f"{name} = {value}" for name, value in settings.items()]
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write("\n".join(lines) + "\n")

    def start(self) -> None:
        as_postgres(str(BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w", "-t", "30", "start")

    def stop(self, mode: str = "fast") -> None:
        as_postgres(str(BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "-t", "30", "stop")

    def create_database(self, name: str) -> str:
        with psycopg.connect(f"{self.url}/postgres", autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        return f"{self.url}/{name}"


@contextmanager
def own_cluster(**settings: str) -> Iterator[Cluster]:
    """A started cluster in a temporary directory; stopped and removed afterwards."""
    if not (BIN / "initdb").exists() or (shutil.which("runuser") is None and os.geteuid() == 0):
        pytest.skip("PostgreSQL 15's initdb and pg_ctl are not installed")
    with _scratch_cluster() as cluster:
        cluster.init(**settings)
        cluster.start()
        yield cluster


@contextmanager
def own_replica(primary: Cluster) -> Iterator[Cluster]:
    """A hot standby streaming from `primary` (which needs wal_level=replica and a replication entry in pg_hba): a
    base backup with -R (standby.signal and primary_conninfo), started on its own port; stopped and removed
    afterwards."""
    with (primary.data / "pg_hba.conf").open("a") as hba:
        hba.write("host replication postgres 127.0.0.1/32 trust\n")
    as_postgres(str(BIN / "pg_ctl"), "-D", str(primary.data), "reload")
    with _scratch_cluster() as replica:
        as_postgres(
            str(BIN / "pg_basebackup"), "-D", str(replica.data), "-R", "-X", "stream", "-c", "fast",
            "-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres",
        )  # fmt: skip
        with (replica.data / "postgresql.conf").open("a") as conf:  # the primary's lines, copied, are overridden
            conf.write(f"port = {replica.port}\nunix_socket_directories = '{replica.directory}'\nhot_standby = on\n")
        replica.start()
        yield replica


@contextmanager
def _scratch_cluster() -> Iterator[Cluster]:
    """A cluster's place in a temporary directory; whatever runs there is stopped (immediate) and all removed."""
    directory = Path(tempfile.mkdtemp(prefix="registry-pg-"))
    if os.geteuid() == 0:
        shutil.chown(directory, "postgres", "postgres")
    cluster = Cluster(directory, free_port())
    try:
        yield cluster
    finally:
        subprocess.run(
            [*(["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []), str(BIN / "pg_ctl"), "-D",
             str(cluster.data), "-m", "immediate", "-w", "stop"],
            capture_output=True, timeout=60, check=False,
        )  # fmt: skip
        shutil.rmtree(directory, ignore_errors=True)
