"""Shared set-up for benchmarks: a throw-away PostgreSQL database and generated people."""

from __future__ import annotations

import base64
import itertools
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

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
