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
    clock.advance(timedelta(days=15))  # published Sunday 22 November: day 15 is Monday 7 December, still open
    last_day = client.post(f"/v1/place-names/{road}/approval", json={}, headers=government)
    assert (last_day.status_code, last_day.json()["type"]) == (409, "/problems/public-notice-not-over")
    clock.advance(timedelta(days=1))
    assert client.post(f"/v1/place-names/{road}/approval", json={}, headers=government).json()["state"] == "approved"
    return road


def test_a_homophone_is_flagged_and_approved_only_with_the_authoritys_reason(
    client: Client, tokens: Tokens, clock: FixedClock
) -> None:
    officer = tokens.header(Role.PLACE_NAME_OFFICER, "officer-1", "330782-civil-affairs")
    government = tokens.header(Role.PLACE_NAME_OFFICER, "mayor-office", "330782-government")
    first = {"name": "稠州路", "kind": "road", "origin_and_meaning": "稠州古名"}
    assert client.post("/v1/place-names", json=first, headers=officer).status_code == 201  # held from its proposal
    flagged = client.post("/v1/place-names", json={"name": "仇州路", "kind": "road", "origin_and_meaning": "仇氏"},
                          headers=officer)  # fmt: skip
    assert flagged.status_code == 201 and flagged.json()["homophones_when_proposed"] == ["稠州路"]
    place = flagged.json()["id"]
    client.post(f"/v1/place-names/{place}/review", json={"note": "符合规范"}, headers=officer)
    client.post(f"/v1/place-names/{place}/notice", json={}, headers=officer)
    clock.advance(timedelta(days=16))
    refused = client.post(f"/v1/place-names/{place}/approval", json={}, headers=government)
    assert (refused.status_code, refused.json()["type"]) == (422, "/problems/name-sounds-like")
    assert "稠州路" in refused.json()["detail"]
    reason = {"homophone_reason": "仇氏世居之地"}
    assert client.post(f"/v1/place-names/{place}/approval", json=reason, headers=government).status_code == 200


def test_a_name_hiding_a_character_is_refused_naming_the_character(client: Client, tokens: Tokens) -> None:
    officer = tokens.header(Role.PLACE_NAME_OFFICER, "officer-1", "330782-civil-affairs")
    body = {"name": "解放\u200b路", "kind": "road", "origin_and_meaning": "x"}
    refused = client.post(
        "/v1/place-names", content=json_text(body), headers={**officer, "content-type": "application/json"}
    )
    # Refused by the text rule every body follows, before the place-name rules (registry.places.spelling) run.
    assert (refused.status_code, refused.json()["type"]) == (400, "/problems/malformed-request")
    assert refused.json()["errors"][0]["field"] == "name"
    assert "U+200B" in refused.json()["errors"][0]["detail"]


def json_text(body: dict[str, str]) -> str:
    """JSON with escapes kept as written (so the zero-width space travels as \u200b)."""
    return "{" + ", ".join(f'"{k}": "{v}"' for k, v in body.items()) + "}"


def test_late_announcements_are_on_the_officers_worklist(client: Client, tokens: Tokens, clock: FixedClock) -> None:
    road = approved_road(client, tokens, clock)  # approved Tuesday 8 December: announce by 23 December
    officer = tokens.header(Role.PLACE_NAME_OFFICER, "officer-1", "330782-civil-affairs")
    read = client.get(f"/v1/place-names/{road}", headers=officer).json()
    assert (read["announcement_due_on"], read["filing_to"]) == ("2026-12-23", "330700-government")
    clock.advance(timedelta(days=16))
    position = client.post(f"/v1/place-names/{road}/filing", json={}, headers=officer).headers["registry-log-position"]
    late = client.get(f"/v1/worklists/name-announcements?overdue_only=true&wait_for={position}", headers=officer)
    assert [(i["place_id"], i["announcement_overdue"], i["filing_overdue"]) for i in late.json()["items"]] == [
        (road, True, False)
    ]
    announced = client.post(f"/v1/place-names/{road}/announcement", json={"note": "市政府网站"}, headers=officer)
    position = announced.headers["registry-log-position"]
    assert client.get(f"/v1/worklists/name-announcements?wait_for={position}", headers=officer).json()["items"] == []
    assert client.get("/v1/worklists/name-announcements", headers=tokens.clerk).status_code == 403


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
    government = tokens.header(Role.PLACE_NAME_OFFICER, "mayor-office", "330782-government")
    not_the_authority = client.post(
        f"/v1/place-names/{road}/renaming", json={"name": "朱丹溪路", "reason": "全称"}, headers=officer
    )
    assert not_the_authority.status_code == 403
    renamed = client.post(
        f"/v1/place-names/{road}/renaming", json={"name": "朱丹溪路", "reason": "全称"}, headers=government
    )
    position = renamed.headers["registry-log-position"]
    head = client.get(f"/v1/address-feed/head?wait_for={position}", headers=utility)  # the feed reached the renaming
    assert head.status_code == 200 and head.json()["position"] > 0
    feed = client.get("/v1/address-feed?after=0", headers=utility).json()["changes"]
    assert [c["operation"] for c in feed] == ["assigned", "assigned", "readdressed", "readdressed"]
    assert client.get("/v1/address-feed/head", headers=tokens.clerk).status_code == 403


def test_signs_not_up_within_60_days_are_overdue(client: Client, tokens: Tokens, clock: FixedClock) -> None:
    road = approved_road(client, tokens, clock)
    construction = tokens.header(Role.CONSTRUCTION, "permits-1", "330782-construction")
    officer = tokens.header(Role.PLACE_NAME_OFFICER, "officer-1", "330782-civil-affairs")
    plate = {"road_id": road, "side": "right", "distance": 10, "building_ref": "规建2026-9", "town": "稠城街道"}
    assigned = client.post("/v1/building-completions", json=plate, headers=construction)
    position = assigned.headers["registry-log-position"]
    assert (
        client.get(f"/v1/worklists/plate-signs?wait_for={position}&overdue_only=true", headers=officer).json()["items"]
        == []
    )
    clock.advance(timedelta(days=61))
    overdue = client.get("/v1/worklists/plate-signs?overdue_only=true", headers=officer).json()["items"]
    assert [(s["label"], s["overdue"]) for s in overdue] == [("2", True)]
    installed = client.post(f"/v1/door-plates/{assigned.json()['id']}/sign-installation", headers=officer)
    position = installed.headers["registry-log-position"]
    assert client.get(f"/v1/worklists/plate-signs?wait_for={position}", headers=officer).json()["items"] == []


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
