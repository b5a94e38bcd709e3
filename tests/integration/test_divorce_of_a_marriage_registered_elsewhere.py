"""Divorce by agreement of a marriage registered in another province, from its record in the exchange (regs art 2:
any office), on SQLite and PostgreSQL: two registries, each following the other's signed feed."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from api.app import create_app
from api.auth import mint_token
from projections.audit.checkpoints import public_key_text
from projections.catalog import ReadSide, migrate_all
from registry.common.actors import Role
from registry.common.clock import FixedClock
from registry.common.errors import NotEligible
from registry.exchange.follower import ExchangeFollower, Peer
from registry.keys import Purpose
from registry.settings import Settings
from registry.system import open_registry
from tests.conftest import fresh_schema_url
from tests.support import BOTH_PRESENT, act, local_noon, person

MARRIED_ON, FILED_ON, REGISTERED_ON = date(2026, 3, 2), date(2026, 6, 1), date(2026, 7, 2)
MASTERS = {"32": b"province 32 master key, 32 bytes", "33": b"province 33 master key, 32 bytes"}


class Province:
    """One registry: its applications, its feed served over its own API, and its followers of the other's feed."""

    def __init__(self, jurisdiction: str, env: dict[str, str]) -> None:
        self.jurisdiction = jurisdiction
        self.settings = Settings.from_env(env)
        migrate_all(self.settings)
        self.registry = open_registry(self.settings)
        self.client = TestClient(create_app(registry=self.registry, clock=FixedClock(local_noon(REGISTERED_ON))))
        self.client.__enter__()

    def project(self) -> None:
        read_side = ReadSide(self.registry)
        try:
            read_side.catch_up()
        finally:
            read_side.close()

    def public_key(self) -> str:
        return public_key_text(self.settings.keys.signer(Purpose.EXCHANGE_SIGNING))

    def follow(self, other: Province) -> int:
        """Read the other's feed through its API, as the other's peer, and apply what is new."""
        token = mint_token(other.settings.keys[Purpose.TOKEN], subject=f"registry-{self.jurisdiction}",
                           role=Role.EXCHANGE_PEER, office=self.jurisdiction)  # fmt: skip

        def fetch(url: str, bearer: str) -> Any:
            return other.client.get(url, headers={"Authorization": f"Bearer {bearer}"}).json()

        peer = Peer(other.jurisdiction, other.public_key(), url="", token=token)
        follower = ExchangeFollower(self.registry.exchange, peer, fetch, reader=self.jurisdiction)
        applied = follower.follow_once()
        assert not follower.rejected
        return applied

    def close(self) -> None:
        self.client.__exit__(None, None, None)
        self.registry.close()


@pytest.fixture
def provinces(store_env: dict[str, str], tmp_path: Path) -> Iterator[tuple[Province, Province]]:
    """Province 32, where the couple married, and province 33, where they divorce."""
    signers = {
        code: Settings.from_env({"REGISTRY_DATA_DIR": str(tmp_path / code), "REGISTRY_MASTER_KEY": b64(master)})
        for code, master in MASTERS.items()
    }
    built = []
    for code, other in (("32", "33"), ("33", "32")):
        peer = {
            "jurisdiction": other,
            "public_key": public_key_text(signers[other].keys.signer(Purpose.EXCHANGE_SIGNING)),
        }
        env = {**store_env, "REGISTRY_DATA_DIR": str(tmp_path / code), "REGISTRY_JURISDICTION": code,
               "REGISTRY_MASTER_KEY": b64(MASTERS[code]), "REGISTRY_EXCHANGE_PEERS": json.dumps([peer])}  # fmt: skip
        if "REGISTRY_DATABASE_URL" in store_env:
            env["REGISTRY_DATABASE_URL"] = fresh_schema_url(store_env["REGISTRY_DATABASE_URL"].split("?")[0])
            env["REGISTRY_DV_KEYS_URL"] = fresh_schema_url(store_env["REGISTRY_DV_KEYS_URL"].split("?")[0])
        built.append(Province(code, env))
    try:
        yield built[0], built[1]
    finally:
        for province in built:
            province.close()


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def test_a_couple_married_in_another_province_divorces_here_and_both_registries_agree(
    provinces: tuple[Province, Province],
) -> None:
    there, here = provinces
    man, woman = person(date(1990, 1, 1), "male", "王伟"), person(date(1992, 2, 2), "female", "李娜")
    married = there.registry.marriage.apply_for_marriage(act(MARRIED_ON), party_a=man, party_b=woman).aggregate_id
    there.registry.marriage.register_marriage(act(MARRIED_ON), married, attendance=BOTH_PRESENT)
    there.project()
    assert here.follow(there) == 1

    recorded = here.registry.marriage.record_from_exchange(act(FILED_ON), party_a=man, party_b=woman)
    record = here.registry.marriage.marriage(recorded.aggregate_id)
    assert (record.state, record.origin, record.origin_reference, record.registered_on) == (
        "registered", "32", str(married), MARRIED_ON,
    )  # fmt: skip
    again = here.registry.marriage.record_from_exchange(act(FILED_ON), party_a=man, party_b=woman)
    assert again.aggregate_id == recorded.aggregate_id and not again.created

    divorce = here.registry.marriage.file_divorce(
        act(FILED_ON), marriage_id=recorded.aggregate_id, attendance=BOTH_PRESENT
    ).aggregate_id
    here.registry.marriage.register_divorce(act(REGISTERED_ON), divorce, attendance=BOTH_PRESENT)
    assert here.registry.marriage.marital_status(man.document_key).status == "divorced"  # type: ignore[union-attr]
    newly = here.registry.marriage.apply_for_marriage(
        act(REGISTERED_ON), party_a=man, party_b=person(date(1994, 4, 4), "female")
    ).aggregate_id
    here.registry.marriage.register_marriage(act(REGISTERED_ON), newly, attendance=BOTH_PRESENT)  # free here at once

    here.project()
    assert there.follow(here) >= 1  # the divorce, reported under the marriage's own registry and reference
    there.project()  # the policy dissolves the marriage there, once
    dissolved = there.registry.marriage.marriage(married)
    assert (dissolved.state, dissolved.ended_on) == ("dissolved", REGISTERED_ON)
    assert there.registry.marriage.marital_status(woman.document_key).status == "divorced"  # type: ignore[union-attr]
    there.project()
    assert there.registry.marriage.marriage(married).version == dissolved.version  # exactly once


def test_recording_a_marriage_no_registry_reports_is_refused(provinces: tuple[Province, Province]) -> None:
    _, here = provinces
    with pytest.raises(NotEligible) as caught:
        here.registry.marriage.record_from_exchange(
            act(FILED_ON), party_a=person(date(1990, 1, 1), "male"), party_b=person(date(1992, 2, 2), "female")
        )
    assert [f.code for f in caught.value.failures] == ["no-marriage-in-exchange"]
