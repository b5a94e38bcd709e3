"""Two registries of two provinces, on loopback: a marriage in one stops the same person marrying in the other; a
follower's held request brings a fact committed while it is held, and a registry told to stop lets held requests go."""

from __future__ import annotations

import base64
import copy
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from api.auth import mint_token
from api.certificates import verification_code
from projections.audit.checkpoints import public_key_text
from projections.catalog import ReadSide, migrate_all
from registry.adapters.http_pages import http_fetch
from registry.common.actors import Role
from registry.common.errors import NotEligible
from registry.exchange.follower import ExchangeFollower, Peer
from registry.exchange.pages import canonical
from registry.keys import Purpose
from registry.marriage.values import CourtJudgment
from registry.settings import Settings
from registry.system import Registry, open_registry
from tests.conftest import TEST_KEYS, fresh_schema_url
from tests.e2e.test_server_process import free_port
from tests.support import BOTH_PRESENT, COURT, act, person

DAY = date(2026, 11, 22)
MASTER_KEY_A = base64.b64encode(b"province A master key of 32 bytes").decode()


@dataclass
class Served:
    """Registry A (jurisdiction 32) as a real server process, its store opened here too, and 33's token for its feed."""

    process: subprocess.Popen[bytes]
    base: str
    registry: Registry
    token: str


@pytest.fixture
def served_a(store_env: dict[str, str], tmp_path: Path) -> Iterator[Served]:
    """Registry A (jurisdiction 32) as a real server process, with its own store and keys."""
    ours = Settings.from_env({**TEST_KEYS, "REGISTRY_DATA_DIR": str(tmp_path / "b")})
    peers = [{"jurisdiction": "33", "public_key": public_key_text(ours.keys.signer(Purpose.EXCHANGE_SIGNING))}]
    env = {**TEST_KEYS, "REGISTRY_DATA_DIR": str(tmp_path / "a"), "REGISTRY_JURISDICTION": "32",
           "REGISTRY_MASTER_KEY": MASTER_KEY_A, "REGISTRY_EXCHANGE_PEERS": json.dumps(peers)}  # fmt: skip
    if "REGISTRY_DATABASE_URL" in store_env:
        env["REGISTRY_DATABASE_URL"] = fresh_schema_url(store_env["REGISTRY_DATABASE_URL"].split("?")[0])
        env["REGISTRY_DV_KEYS_URL"] = fresh_schema_url(store_env["REGISTRY_DV_KEYS_URL"].split("?")[0])
    settings = Settings.from_env(env)
    migrate_all(settings)
    port = free_port()
    command = [sys.executable, "-m", "api.cli", "serve", "--port", str(port)]
    process = subprocess.Popen(command, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.1)
        if time.monotonic() > deadline:
            process.kill()
            raise RuntimeError("registry A did not start")
    registry = open_registry(settings)
    token = mint_token(settings.keys[Purpose.TOKEN], subject="registry-33", role=Role.EXCHANGE_PEER, office="33")
    try:
        yield Served(process, base, registry, token)
    finally:
        registry.close()
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture
def province_a(served_a: Served) -> tuple[str, Registry, str]:
    return served_a.base, served_a.registry, served_a.token


def project(registry: Registry) -> None:
    read_side = ReadSide(registry)
    read_side.catch_up()
    read_side.close()


def test_a_marriage_in_one_province_is_refused_in_the_other_until_it_ends_there(
    province_a: tuple[str, Registry, str], registry: Registry
) -> None:
    from registry.adapters.http_pages import http_fetch
    from registry.exchange.follower import ExchangeFollower, Peer

    base, registry_a, token = province_a
    man, woman = person(date(1990, 1, 1), "male"), person(date(1992, 2, 2), "female")
    married = registry_a.marriage.apply_for_marriage(act(DAY), party_a=man, party_b=woman).aggregate_id
    registry_a.marriage.register_marriage(act(DAY), married, attendance=BOTH_PRESENT)
    project(registry_a)
    peer = Peer("32", public_key_text(registry_a.settings.keys.signer(Purpose.EXCHANGE_SIGNING)), url=base, token=token)

    def tampered(url: str, bearer: str) -> dict[str, Any]:
        page = copy.deepcopy(http_fetch(url, bearer))
        for envelope in page["events"]:
            envelope["data"]["parties"][0]["person"] = "0" * 64
        return page

    def gapped(url: str, bearer: str) -> dict[str, Any]:
        page = http_fetch(url, bearer)
        return {**page, "events": page["events"][1:]}

    assert ExchangeFollower(registry.exchange, peer, tampered, reader="33").follow_once() == 0
    assert registry.exchange.position_of("32") == 0
    assert ExchangeFollower(registry.exchange, peer, http_fetch, reader="33").follow_once() == 1
    assert (
        ExchangeFollower(registry.exchange, peer, http_fetch, reader="33").follow_once() == 0
    )  # exactly once, resumed from its position
    assert registry.exchange.married_elsewhere(man.document_key) == ["32"]

    other = person(date(1993, 3, 3), "female")
    here = registry.marriage.apply_for_marriage(act(DAY), party_a=man, party_b=other).aggregate_id
    with pytest.raises(NotEligible) as caught:
        registry.marriage.register_marriage(act(DAY), here, attendance=BOTH_PRESENT)
    assert [f.code for f in caught.value.failures] == ["party-married-in-another-province"]

    judgment = CourtJudgment("杭州市中级人民法院", "(2026)浙01民终1号", DAY)
    registry_a.marriage.record_judgment(act(DAY, by=COURT), married, kind="divorce", judgment=judgment, reason="")
    project(registry_a)
    assert (
        ExchangeFollower(registry.exchange, peer, gapped, reader="33").follow_once() == 0
    )  # a page missing a fact is refused
    assert ExchangeFollower(registry.exchange, peer, http_fetch, reader="33").follow_once() == 1
    again = registry.marriage.apply_for_marriage(act(DAY), party_a=man, party_b=other).aggregate_id
    registry.marriage.register_marriage(act(DAY), again, attendance=BOTH_PRESENT)


def test_a_certificate_holder_gets_a_signed_statement_and_a_wrong_code_gets_nothing(
    province_a: tuple[str, Registry, str],
) -> None:
    base, registry_a, _ = province_a
    married = registry_a.marriage.apply_for_marriage(
        act(DAY), party_a=person(date(1990, 1, 1), "male"), party_b=person(date(1992, 2, 2), "female")
    ).aggregate_id
    registry_a.marriage.register_marriage(act(DAY), married, attendance=BOTH_PRESENT)
    project(registry_a)
    number = registry_a.marriage.marriage(married).certificates["a"]
    code = verification_code(registry_a.settings.keys[Purpose.CERTIFICATE_CODE], number)
    statement = httpx.post(f"{base}/v1/certificates/verification", json={"certificate": number, "code": code}).json()
    assert (statement["status"], statement["certificate"]) == ("valid", number)
    keys = httpx.get(f"{base}/.well-known/jwks.json").json()["keys"]
    public = next(k["x"] for k in keys if "-certificate-signing-" in k["kid"])
    key = Ed25519PublicKey.from_public_bytes(base64.urlsafe_b64decode(public + "=" * (-len(public) % 4)))
    key.verify(base64.b64decode(statement["signature"]), canonical(statement))
    forged = {**statement, "status": "valid", "names": ["someone", "else"]}
    with pytest.raises(Exception):  # noqa: B017 (cryptography raises InvalidSignature)
        key.verify(base64.b64decode(forged["signature"]), canonical(forged))
    wrong = httpx.post(f"{base}/v1/certificates/verification", json={"certificate": number, "code": "AAAAAAAAAA"})
    assert wrong.status_code == 404


def test_the_feed_names_each_party_only_by_the_federations_person_hash(
    province_a: tuple[str, Registry, str], registry: Registry
) -> None:
    base, registry_a, token = province_a
    man, woman = person(date(1990, 1, 1), "male", "王伟"), person(date(1992, 2, 2), "female", "李娜")
    married = registry_a.marriage.apply_for_marriage(act(DAY), party_a=man, party_b=woman).aggregate_id
    registry_a.marriage.register_marriage(act(DAY), married, attendance=BOTH_PRESENT)
    project(registry_a)
    page = httpx.get(f"{base}/v1/exchange/feed?after=0", headers={"Authorization": f"Bearer {token}"})
    assert page.status_code == 200
    for secret in (man.document_number, woman.document_number, man.name, woman.name, man.document_number[6:14]):
        assert secret not in page.text
    parties = page.json()["events"][0]["data"]["parties"]
    assert parties == [{"person": registry.exchange.person_hash(p.document_key)} for p in (man, woman)]


def test_a_token_of_a_jurisdiction_not_on_the_allow_list_is_refused_the_feed(
    province_a: tuple[str, Registry, str],
) -> None:
    base, registry_a, _ = province_a
    stranger = mint_token(registry_a.settings.keys[Purpose.TOKEN], subject="registry-44", role=Role.EXCHANGE_PEER,
                          office="44")  # fmt: skip
    refused = httpx.get(f"{base}/v1/exchange/feed?after=0", headers={"Authorization": f"Bearer {stranger}"})
    assert (refused.status_code, refused.json()["type"]) == (403, "/problems/not-an-exchange-peer")


WAIT = 20  # longer than any bound below: an answer within one was not the end of the wait


def peer_of(served: Served) -> Peer:
    key = public_key_text(served.registry.settings.keys.signer(Purpose.EXCHANGE_SIGNING))
    return Peer("32", key, url=served.base, token=served.token)


def test_a_fact_committed_while_the_followers_request_is_held_arrives_in_that_request(
    served_a: Served, registry: Registry
) -> None:
    asked: list[str] = []
    sent = threading.Event()

    def fetch(url: str, token: str) -> dict[str, Any]:
        asked.append(url)
        sent.set()
        return http_fetch(url, token)

    follower = ExchangeFollower(registry.exchange, peer_of(served_a), fetch, reader="33")
    applied: list[int] = []
    held = threading.Thread(target=lambda: applied.append(follower.follow_once(wait=WAIT)), daemon=True)
    held.start()
    assert sent.wait(timeout=10)
    man = person(date(1990, 1, 1), "male")
    marriage = served_a.registry.marriage
    filed = marriage.apply_for_marriage(act(DAY), party_a=man, party_b=person(date(1992, 2, 2), "female"))
    marriage.register_marriage(act(DAY), filed.aggregate_id, attendance=BOTH_PRESENT)  # A's server projects it

    held.join(timeout=WAIT / 2)

    assert applied == [1], "the fact did not arrive while the request was held"
    assert len(asked) == 1 and asked[0].endswith(f"after=0&limit=100&wait={WAIT}")
    assert registry.exchange.married_elsewhere(man.document_key) == ["32"]


def test_a_registry_told_to_stop_lets_its_held_feed_requests_go_at_once(served_a: Served) -> None:
    answered: list[dict[str, Any]] = []
    url = f"{served_a.base}/v1/exchange/feed?after=0&wait={WAIT}"
    held = threading.Thread(target=lambda: answered.append(http_fetch(url, served_a.token)), daemon=True)
    held.start()
    held.join(timeout=1.0)  # the request reaches the server and is held (it has nothing to bring)
    assert not answered

    served_a.process.send_signal(signal.SIGTERM)

    served_a.process.wait(timeout=WAIT / 2)  # TimeoutExpired if the server waited for the held request
    held.join(timeout=5)
    assert answered and answered[0]["events"] == [] and answered[0]["wait"] == WAIT
