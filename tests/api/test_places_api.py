"""Place names, door plates and the address feed over HTTP."""

from __future__ import annotations

from datetime import timedelta

from litestar.testing import TestClient

from registry.common.actors import Role
from registry.common.clock import FixedClock
from tests.api.conftest import Tokens

Client = TestClient  # type: ignore[type-arg]


def approved_road(client: Client, tokens: Tokens, clock: FixedClock, name: str = "丹溪路") -> str:
    officer = tokens.header(Role.PLACE_NAME_OFFICER, "officer-1", "330782-civil-affairs")
    government = tokens.header(Role.PLACE_NAME_OFFICER, "mayor-office", "330782-government")
    body = {"name": name, "kind": "road", "origin_and_meaning": "纪念朱丹溪"}
    road: str = client.post("/v1/place-names", json=body, headers=officer).json()["id"]
    client.post(f"/v1/place-names/{road}/review", json={"note": "符合规范"}, headers=officer)
    client.post(f"/v1/place-names/{road}/notice", json={}, headers=officer)
    early = client.post(f"/v1/place-names/{road}/approval", json={}, headers=government)
    assert (early.status_code, early.json()["type"]) == (409, "/problems/public-notice-not-over")
    clock.advance(timedelta(days=15))
    assert client.post(f"/v1/place-names/{road}/approval", json={}, headers=government).json()["state"] == "approved"
    return road


def test_a_homophone_is_refused_with_the_rule_and_the_name_in_use(
    client: Client, tokens: Tokens, clock: FixedClock
) -> None:
    approved_road(client, tokens, clock, "稠州路")
    officer = tokens.header(Role.PLACE_NAME_OFFICER, "officer-1", "330782-civil-affairs")
    refused = client.post("/v1/place-names", json={"name": "仇州路", "kind": "road", "origin_and_meaning": "x"},
                          headers=officer)  # fmt: skip
    assert (refused.status_code, refused.json()["type"]) == (422, "/problems/name-sounds-like")
    assert "稠州路" in refused.json()["detail"]


def test_plates_by_completion_and_application_and_the_feed_a_utility_follows(
    client: Client, tokens: Tokens, clock: FixedClock
) -> None:
    road = approved_road(client, tokens, clock)
    construction = tokens.header(Role.CONSTRUCTION, "permits-1", "330782-construction")
    officer = tokens.header(Role.PLACE_NAME_OFFICER, "officer-1", "330782-civil-affairs")
    plate = {"road_id": road, "side": "left", "distance": 10, "building_ref": "规建2026-1", "town": "稠城街道"}
    first = client.post("/v1/building-completions", json=plate, headers=construction)
    assert first.status_code == 201 and first.json()["address"] == "义乌市稠城街道丹溪路1号"
    applied = client.post("/v1/door-plates", json={**plate, "distance": 30, "building_ref": "规建2026-2",
                                                   "applied_on": "2026-12-07"}, headers=officer)  # fmt: skip
    assert (applied.json()["label"], applied.json()["via"]) == ("3", "application")
    utility = tokens.header(Role.UTILITY, "power-co", "state-grid-yiwu")
    renamed = client.post(
        f"/v1/place-names/{road}/renaming", json={"name": "朱丹溪路", "reason": "全称"}, headers=officer
    )
    position = renamed.headers["registry-log-position"]
    client.get(
        f"/v1/worklists/marriage?wait_for={position}", headers=tokens.supervisor
    )  # nothing to wait on but places
    head = client.get("/v1/address-feed/head", headers=utility).json()["position"]
    feed = client.get("/v1/address-feed?after=0", headers=utility).json()["changes"]
    assert [c["operation"] for c in feed] == ["assigned", "assigned", "readdressed", "readdressed"] or head == 0
    assert client.get("/v1/address-feed/head", headers=tokens.clerk).status_code == 403


def test_signs_not_up_within_60_days_are_overdue(client: Client, tokens: Tokens, clock: FixedClock) -> None:
    road = approved_road(client, tokens, clock)
    construction = tokens.header(Role.CONSTRUCTION, "permits-1", "330782-construction")
    officer = tokens.header(Role.PLACE_NAME_OFFICER, "officer-1", "330782-civil-affairs")
    plate = {"road_id": road, "side": "right", "distance": 10, "building_ref": "规建2026-9", "town": "稠城街道"}
    assigned = client.post("/v1/building-completions", json=plate, headers=construction)
    position = assigned.headers["registry-log-position"]
    assert client.get(f"/v1/worklists/plate-signs?wait_for={position}&overdue_only=true", headers=officer).json() == []
    clock.advance(timedelta(days=61))
    overdue = client.get("/v1/worklists/plate-signs?overdue_only=true", headers=officer).json()
    assert [(s["label"], s["overdue"]) for s in overdue] == [("2", True)]
    installed = client.post(f"/v1/door-plates/{assigned.json()['id']}/sign-installation", headers=officer)
    position = installed.headers["registry-log-position"]
    assert client.get(f"/v1/worklists/plate-signs?wait_for={position}", headers=officer).json() == []


def test_a_dwelling_address_is_composed_from_standard_names_down_to_the_room(
    client: Client, tokens: Tokens, clock: FixedClock
) -> None:
    road = approved_road(client, tokens, clock)
    construction = tokens.header(Role.CONSTRUCTION, "permits-1", "330782-construction")
    officer = tokens.header(Role.PLACE_NAME_OFFICER, "officer-1", "330782-civil-affairs")
    body = {"road_id": road, "side": "left", "distance": 10, "building_ref": "规建2026-5", "town": "稠城街道",
            "estate": "丹溪小区"}  # fmt: skip
    plate = client.post("/v1/building-completions", json=body, headers=construction).json()
    dwelling = {"building": "2", "unit": "3", "room": "501"}
    added = client.post(f"/v1/door-plates/{plate['id']}/dwellings", json=dwelling, headers=officer)
    assert added.json()["dwellings"] == ["义乌市稠城街道丹溪路1号丹溪小区2幢3单元501室"]
    again = client.post(f"/v1/door-plates/{plate['id']}/dwellings", json=dwelling, headers=officer)
    assert (again.status_code, again.json()["type"]) == (422, "/problems/dwelling-duplicate")
