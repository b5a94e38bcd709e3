"""Shared set-up for benchmarks: a throw-away PostgreSQL database and generated people."""

from __future__ import annotations

import asyncio
import base64
import itertools
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import psycopg

from registry.common.divisions import divisions_in
from registry.common.identity import Person, identify, resident_id_check_character

SERVER_URL = os.environ.get("REGISTRY_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
KEYS = {
    "REGISTRY_MASTER_KEY": base64.b64encode(b"benchmark master key of 32 bytes" * 2).decode(),
    "REGISTRY_FEDERATION_KEY": base64.b64encode(b"benchmark federation key 32 byte" * 2).decode(),
    "REGISTRY_DV_KEYS_IN_EVENTS_DATABASE": "accept-for-development",  # a throw-away database: no DV data at stake
}


@contextmanager
def scratch_database() -> Iterator[str]:
    """A new PostgreSQL database for one run, dropped afterwards."""
    name = f"registry_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(SERVER_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield SERVER_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(SERVER_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


_serials = itertools.count()
ZHEJIANG_DIVISIONS = divisions_in("33")  # real division codes only: the registry refuses unknown ones


def generated_people(count: int) -> list[tuple[Person, Person]]:
    """Distinct couples with valid resident identity numbers (birth dates spread over 1970-1999)."""
    couples = []
    for _ in range(count):
        pair = []
        for sex in ("male", "female"):
            serial = next(_serials)
            birth = date(1970 + serial % 30, 1 + serial % 12, 1 + serial % 28)
            division = ZHEJIANG_DIVISIONS[(serial // 500) % len(ZHEJIANG_DIVISIONS)]
            sequence = 2 * (serial % 500) + (1 if sex == "male" else 0)
            body = f"{division}{birth:%Y%m%d}{sequence:03d}"
            number = body + resident_id_check_character(body)
            pair.append(
                identify(document_type="resident-id", document_number=number, name="测试", today=date(2026, 1, 1))
            )
        couples.append((pair[0], pair[1]))
    return couples


class Connection:
    """A minimal keep-alive HTTP/1.1 client connection: the load generator must not eat the server's CPU."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, host: str, port: int) -> Connection:
        return cls(*await asyncio.open_connection(host, port))

    async def post(self, path: str, body: bytes, headers: str) -> tuple[int, bytes]:
        return await self.request("POST", path, body, headers)

    async def get(self, path: str, headers: str) -> tuple[int, bytes]:
        return await self.request("GET", path, b"", headers)

    async def request(self, method: str, path: str, body: bytes, headers: str) -> tuple[int, bytes]:
        head = f"{method} {path} HTTP/1.1\r\nHost: bench\r\n{headers}Content-Length: {len(body)}\r\n\r\n"
        self.writer.write(head.encode() + body)
        status_line = await self.reader.readline()
        length = 0
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            if name.lower() == "content-length":
                length = int(value)
        return int(status_line.split()[1]), await self.reader.readexactly(length)

    def close(self) -> None:
        self.writer.close()


def proc_stats() -> dict[int, tuple[int, float, float, str]]:
    """Each process's parent, own CPU seconds, exited children's CPU seconds and name (Linux /proc)."""
    stats = {}
    tick = os.sysconf("SC_CLK_TCK")
    for path in Path("/proc").glob("[0-9]*/stat"):
        try:
            name, fields = path.read_text().split(" (", 1)[1].rsplit(")", 1)
        except (OSError, IndexError):  # exited meanwhile
            continue
        values = fields.split()
        own, exited = (int(values[11]) + int(values[12])) / tick, (int(values[13]) + int(values[14])) / tick
        stats[int(path.parent.name)] = (int(values[1]), own, exited, name)
    return stats


def process_cpu(pids: list[int]) -> float:
    """CPU seconds the processes and their children (a server's workers) have used so far."""
    return sum(own for pid, (parent, own, _, _) in proc_stats().items() if pid in pids or parent in pids)


def children_running(pid: int, argument: str) -> list[int]:
    """The child processes of `pid` whose command line has `argument` (Linux /proc)."""
    found = []
    for child, (parent, *_) in proc_stats().items():
        try:
            command = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
        except OSError:  # exited meanwhile
            continue
        if parent == pid and argument.encode() in command:
            found.append(child)
    return found


def own_cpu(pids: list[int]) -> float:
    """CPU seconds the processes themselves (not their children) have used so far."""
    return sum(own for pid, (_, own, _, _) in proc_stats().items() if pid in pids)


def postgres_cpu() -> float:
    """CPU seconds PostgreSQL has used so far: its live processes, and its backends that have exited (counted in the
    postmaster's children's time). Nothing else uses the server during a run."""
    return sum(own + exited for _, own, exited, name in proc_stats().values() if name == "postgres")
