"""Three provinces, each following the others' signed feeds (in-process, on SQLite and PostgreSQL): a man who married
and divorced in one remarries in a second, and a bigamous registration in the third is refused once it has followed
the second's feed (the bounded companion of benchmarks/federation.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from uuid import UUID

import pytest

from projections.audit.checkpoints import public_key_text
from registry.common.errors import NotEligible
from registry.common.identity import Person
from registry.keys import Purpose
from registry.marriage.values import CourtJudgment
from registry.settings import Settings
from tests.conftest import fresh_schema_url
from tests.integration.test_divorce_of_a_marriage_registered_elsewhere import REGISTERED_ON, Province, b64
from tests.support import BOTH_PRESENT, COURT, act, person

MASTERS = {code: f"province {code} master key, 32 bytes".encode() for code in ("32", "33", "44")}


@pytest.fixture
def three(store_env: dict[str, str], tmp_path: Path) -> Iterator[dict[str, Province]]:
    """Provinces 32, 33 and 44, each a peer of the other two."""
    keys = {
        code: public_key_text(
            Settings.from_env({"REGISTRY_DATA_DIR": str(tmp_path / code), "REGISTRY_MASTER_KEY": b64(master)})
            .keys.signer(Purpose.EXCHANGE_SIGNING)
        )
        for code, master in MASTERS.items()
    }  # fmt: skip
    built: dict[str, Province] = {}
    try:
        for code, master in MASTERS.items():
            peers = [{"jurisdiction": other, "public_key": keys[other]} for other in MASTERS if other != code]
            env = {**store_env, "REGISTRY_DATA_DIR": str(tmp_path / code), "REGISTRY_JURISDICTION": code,
                   "REGISTRY_MASTER_KEY": b64(master), "REGISTRY_EXCHANGE_PEERS": json.dumps(peers)}  # fmt: skip
            if "REGISTRY_DATABASE_URL" in store_env:
                env["REGISTRY_DATABASE_URL"] = fresh_schema_url(store_env["REGISTRY_DATABASE_URL"].split("?")[0])
                env["REGISTRY_DV_KEYS_URL"] = fresh_schema_url(store_env["REGISTRY_DV_KEYS_URL"].split("?")[0])
            built[code] = Province(code, env)
        yield built
    finally:
        for province in built.values():
            province.close()


def marry(province: Province, *couple: Person) -> UUID:
    marriage = province.registry.marriage
    filed = marriage.apply_for_marriage(act(REGISTERED_ON), party_a=couple[0], party_b=couple[1]).aggregate_id
    marriage.register_marriage(act(REGISTERED_ON), filed, attendance=BOTH_PRESENT)
    province.project()
    return filed


def refusal_codes(province: Province, *couple: Person) -> list[str]:
    marriage = province.registry.marriage
    filed = marriage.apply_for_marriage(act(REGISTERED_ON), party_a=couple[0], party_b=couple[1]).aggregate_id
    with pytest.raises(NotEligible) as refused:
        marriage.register_marriage(act(REGISTERED_ON), filed, attendance=BOTH_PRESENT)
    return [failure.code for failure in refused.value.failures]


def test_a_man_who_moved_and_remarried_is_refused_bigamy_in_a_third_province_once_it_followed_the_second(
    three: dict[str, Province],
) -> None:
    first, third, second = three["32"], three["33"], three["44"]
    man = person(date(1990, 1, 1), "male")
    married = marry(first, man, person(date(1992, 2, 2), "female"))
    judgment = CourtJudgment("南京市中级人民法院", "(2026)苏01民终7号", REGISTERED_ON)
    first.registry.marriage.record_judgment(act(REGISTERED_ON, by=COURT), married, kind="divorce", judgment=judgment,
                                            reason="")  # fmt: skip
    first.project()
    assert second.follow(first) == 2  # the marriage and the divorce
    marry(second, man, person(date(1993, 3, 3), "female"))  # free in 44 once it knows of the divorce in 32

    assert third.follow(first) == 2
    assert third.registry.exchange.married_elsewhere(man.document_key) == []  # not yet: 44's feed is unread
    assert third.follow(second) == 1
    assert third.registry.exchange.married_elsewhere(man.document_key) == ["44"]
    assert refusal_codes(third, man, person(date(1994, 4, 4), "female")) == ["party-married-in-another-province"]
    assert first.follow(second) == 1  # back in the province he left, too
    assert refusal_codes(first, man, person(date(1995, 5, 5), "female")) == ["party-married-in-another-province"]
