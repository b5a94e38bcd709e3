"""The services a page offers, each through its form as a browser sends it (the browser tests cover the main paths)."""

from __future__ import annotations

import re
from datetime import date, timedelta

from litestar.testing import TestClient

from api.certificates import verification_code
from api.web.demo import FrontDeskDemo, resident
from registry.common.actors import Act, Actor
from registry.deaths.death import DeathReport
from registry.keys import Purpose
from registry.system import Registry
from tests.support import local_noon
from tests.web.conftest import TODAY, post_form, sign_in_citizen, sign_in_official


def form_key(client: TestClient, page: str) -> str:  # type: ignore[type-arg]
    found = re.search(r'name="form_key" value="([^"]+)"', client.get(page).text)
    assert found is not None
    return found.group(1)


def test_a_party_asks_for_a_dv_inquiry_with_both_pledges(
    browser: TestClient, demo: FrontDeskDemo, web_registry: Registry
) -> None:  # type: ignore[type-arg]
    woman, man = demo.pending_couple[1], demo.pending_couple[0]
    sign_in_citizen(browser, woman.document_number)
    page = f"/portal/marriages/{demo.pending_marriage}/dv-inquiry"
    unpledged = post_form(browser, page, {"subject_name": man.name, "subject_number": man.document_number,
                                          "truthfulness": "yes"}, page=page)  # fmt: skip
    assert unpledged.status_code == 422 and "请签署保密承诺书" in unpledged.text  # type: ignore[attr-defined]
    filed = post_form(browser, page, {"subject_name": man.name, "subject_number": man.document_number,
                                      "truthfulness": "yes", "confidentiality": "yes"}, page=page)  # fmt: skip
    assert filed.status_code == 303  # type: ignore[attr-defined]
    inquiry = browser.get(filed.headers["location"])  # type: ignore[attr-defined]
    assert "待审核" in inquiry.text and man.document_number not in inquiry.text


def test_a_family_claims_an_eco_burial_reward_and_follows_it(browser: TestClient, web_registry: Registry) -> None:  # type: ignore[type-arg]
    deceased, kin = resident("吴老伯", date(1936, 2, 2), "male", 201), resident("吴晓", date(1966, 6, 6), "male", 202)
    died = TODAY - timedelta(days=9)
    hospital = Act(Actor("doctor-1", "hospital", "330782-hospital-1"), local_noon(died), "death-1")
    report = DeathReport("medical", "浙医死证W-1", died, "义乌市中心医院", True)
    web_registry.deaths.register_death(hospital, deceased=deceased, report=report)
    sign_in_citizen(browser, kin.document_number)
    answer = post_form(browser, "/portal/reward-claims", {
        "form_key": form_key(browser, "/portal/reward-claims/new"), "deceased_number": deceased.document_number,
        "name": kin.name, "relationship": "child", "payout_account": "6222020200001111222",
        "cremation_number": "火化W-1", "crematorium": "义乌市殡仪馆",
        "cremated_on": (died + timedelta(days=2)).isoformat(),
        "burial_kind": "tree-burial", "burial_place": "松林", "buried_on": (died + timedelta(days=5)).isoformat(),
    }, page="/portal/reward-claims/new")  # fmt: skip
    assert answer.status_code == 303, answer.text  # type: ignore[attr-defined]
    claim = browser.get(answer.headers["location"]).text  # type: ignore[attr-defined]
    assert "树葬" in claim and "¥3,000.00" in claim and "6222020200001111222" not in claim and "1222" in claim


def test_an_address_is_found_as_it_is_now_and_not_before_its_plate(
    browser: TestClient, demo: FrontDeskDemo, web_registry: Registry
) -> None:  # type: ignore[type-arg]
    assert demo.road is not None
    road = web_registry.places.place(demo.road).name
    sign_in_citizen(browser, demo.citizen.document_number)
    now = browser.get("/portal/addresses", params={"road": road})
    assert now.text.count(f"{road}") >= 3 and "稠城街道" in now.text
    before = browser.get(
        "/portal/addresses", params={"road": road, "valid_on": (TODAY - timedelta(days=30)).isoformat()}
    )
    assert "没有找到符合条件的地址" in before.text


def test_anyone_verifies_a_certificate_by_its_number_and_code(
    browser: TestClient, demo: FrontDeskDemo, web_registry: Registry
) -> None:  # type: ignore[type-arg]
    code = verification_code(web_registry.settings.keys[Purpose.CERTIFICATE_CODE], demo.certificate)
    shown = post_form(browser, "/verify", {"certificate": demo.certificate, "code": code}, page="/verify")
    assert shown.status_code == 200 and "有效" in shown.text and "刘芳" in shown.text  # type: ignore[attr-defined]
    wrong = post_form(browser, "/verify", {"certificate": demo.certificate, "code": "AAAAAAAAAA"}, page="/verify")
    assert wrong.status_code == 404  # type: ignore[attr-defined]


def test_a_clerk_reissues_a_certificate_under_a_new_number_and_prints_it(
    browser: TestClient, demo: FrontDeskDemo, web_registry: Registry
) -> None:  # type: ignore[type-arg]
    marriage_id = web_registry.marriage.divorce(demo.divorce_cooling_off).marriage_id
    sign_in_official(browser, "clerk", "330782001")
    page = f"/console/marriages/{marriage_id}"
    asked = post_form(browser, f"{page}/certificate-reissues", {"party": "b", "reason": "lost"}, page=page)
    assert asked.status_code == 200 and "请确认" in asked.text  # type: ignore[attr-defined]
    done = post_form(
        browser, f"{page}/certificate-reissues", {"party": "b", "reason": "lost", "confirmed": "yes"}, page=page
    )
    assert done.headers["location"] == f"{page}/certificates/b"  # type: ignore[attr-defined]
    printed = browser.get(f"{page}/certificates/b").text
    new_number = web_registry.marriage.marriage(marriage_id).certificates["b"]
    assert new_number != demo.certificate and new_number in printed and "@media print" not in printed
    assert demo.certificate in browser.get(page).text  # kept, as replaced


def test_a_place_name_officer_moves_a_name_on_and_assigns_a_plate(browser: TestClient, demo: FrontDeskDemo) -> None:  # type: ignore[type-arg]
    sign_in_official(browser, "place-name-officer", "330782-civil-affairs")
    name = {
        "form_key": form_key(browser, "/console/places"),
        "name": "青岩路",
        "kind": "road",
        "origin": "因青岩山得名",
    }
    proposed = post_form(browser, "/console/places", name, page="/console/places")
    place = proposed.headers["location"]  # type: ignore[attr-defined]
    reviewed = post_form(
        browser, f"{place}/steps", {"step": "review", "note": "符合规范", "confirmed": "yes"}, page=place
    )
    assert reviewed.status_code == 303 and "已评审" in browser.get(place).text  # type: ignore[attr-defined]
    early = post_form(browser, f"{place}/steps", {"step": "approval", "confirmed": "yes"}, page=place)
    assert early.status_code in (403, 409, 422)  # type: ignore[attr-defined]
    road = f"/console/places/{demo.road}"
    where = {"side": "left", "distance": "300", "building": "B-9", "town": "稠城街道", "confirmed": "yes"}
    plate = post_form(browser, f"{road}/plates", where, page=road)
    assert plate.status_code == 303, plate.text  # type: ignore[attr-defined]
    assert browser.get(plate.headers["location"]).text.count("稠城街道") >= 3  # type: ignore[attr-defined]
