"""The pages' own rules: sessions and CSRF, the same role and object checks as the API, nothing leaked, Chinese
messages for every problem, a form sent twice acting once."""

from __future__ import annotations

import ast
import re
from dataclasses import replace
from datetime import date
from pathlib import Path

from litestar.testing import TestClient

from api.app import create_app
from api.web.demo import FrontDeskDemo
from api.web.i18n import TEXT
from api.web.problems import PROBLEMS, message
from api.web.public import development_sign_in
from api.web.session import csrf_config, session_config
from registry.common.actors import Act, Actor
from registry.common.clock import FixedClock
from registry.settings import Settings
from registry.system import Registry
from tests.api.conftest import OFFICE, Tokens
from tests.conftest import TEST_KEYS
from tests.support import local_noon, person, resident_id
from tests.web.conftest import TODAY, csrf_of, post_form, sign_in_citizen, sign_in_official

ROOT = Path(__file__).resolve().parents[2]


def test_a_form_without_its_csrf_token_is_refused_and_signs_no_one_in(
    browser: TestClient,
    demo: FrontDeskDemo,  # type: ignore[type-arg]
) -> None:
    browser.get("/sign-in")
    refused = browser.post("/sign-in/citizen", data={"id_number": demo.citizen.document_number}, follow_redirects=False)
    assert refused.status_code == 403 and "页面已过期" in refused.text
    assert browser.get("/portal", follow_redirects=False).headers["location"].startswith("/sign-in")


def test_session_and_csrf_cookies_are_httponly_samesite_and_secure_over_https(tmp_path: Path) -> None:
    https = Settings.from_env(
        {**TEST_KEYS, "REGISTRY_DATA_DIR": str(tmp_path), "REGISTRY_PUBLIC_URL": "https://mz.example"}
    )
    session, csrf = session_config(https), csrf_config(https)
    assert (session.secure, session.httponly, session.samesite, session.key) == (
        True,
        True,
        "lax",
        "__Host-registry-session",
    )
    assert (csrf.cookie_secure, csrf.cookie_httponly, csrf.cookie_samesite) == (True, True, "lax")
    development = Settings.from_env({**TEST_KEYS, "REGISTRY_DATA_DIR": str(tmp_path)})
    assert session_config(development).secure is False  # plain http on 127.0.0.1 (browsers drop Secure cookies there)


def test_the_sign_in_sets_an_httponly_session_cookie(browser: TestClient, demo: FrontDeskDemo) -> None:  # type: ignore[type-arg]
    answer = post_form(browser, "/sign-in/citizen", {"id_number": demo.citizen.document_number})
    cookie = next(v for k, v in answer.headers.multi_items() if k == "set-cookie" and v.startswith("registry-session="))  # type: ignore[attr-defined]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
    assert demo.citizen.document_number not in cookie


def test_the_development_sign_in_exists_on_the_embedded_store_only(tmp_path: Path) -> None:
    embedded = Settings.from_env({**TEST_KEYS, "REGISTRY_DATA_DIR": str(tmp_path)})
    production = Settings.from_env(
        {**TEST_KEYS, "REGISTRY_DATA_DIR": str(tmp_path), "REGISTRY_DATABASE_URL": "postgresql://db/registry"}
    )
    assert development_sign_in(embedded) and not development_sign_in(production)


def test_a_citizen_is_told_no_more_about_someone_elses_record_than_about_none(
    browser: TestClient,
    demo: FrontDeskDemo,  # type: ignore[type-arg]
) -> None:
    sign_in_citizen(browser, demo.inquirer.document_number)
    other = browser.get(f"/portal/divorces/{demo.divorce_in_window}")
    missing = browser.get("/portal/divorces/00000000-0000-4000-8000-000000000000")
    assert other.status_code == missing.status_code == 404
    assert "没有找到该记录" in other.text
    assert browser.get(f"/portal/bundle-cases/{demo.bundle_case}").status_code == 404


def test_the_portal_sends_a_party_in_cooling_off_to_the_receiving_office_to_withdraw(
    browser: TestClient,
    demo: FrontDeskDemo,  # type: ignore[type-arg]
) -> None:
    """Civil Code art 1077, regs: a withdrawal is made at the office that received the application, not online."""
    sign_in_citizen(browser, demo.cooling_off_party.document_number)
    url = f"/portal/divorces/{demo.divorce_cooling_off}"
    page = browser.get(url).text
    [last_day] = re.findall(r'data-testid="withdrawal-deadline">([0-9-]+)<', page)
    assert f"请最迟于 {last_day}（含当日）由本人到受理登记机关（330782001）办理" in page
    assert "/withdrawal" not in page  # no form, no button
    posted = post_form(browser, f"{url}/withdrawal", {"confirmed": "yes"}, page=url)
    assert posted.status_code in (404, 405)  # type: ignore[attr-defined]
    assert "冷静期" in browser.get(url).text  # still cooling off
    sign_in_citizen(browser, demo.citizen.document_number)
    assert 'data-testid="withdraw-at-office"' not in browser.get(f"/portal/divorces/{demo.divorce_in_window}").text


def test_the_console_keeps_the_apis_roles_and_offices(browser: TestClient, demo: FrontDeskDemo) -> None:  # type: ignore[type-arg]
    sign_in_citizen(browser, demo.citizen.document_number)
    assert browser.get("/console/worklist").status_code == 403
    sign_in_official(browser, "clerk", "330782002")
    answer = post_form(browser, f"/console/marriages/{demo.pending_marriage}/registration",
                       {"confirmed": "yes", "a_present": "yes"}, page="/console/worklist")  # fmt: skip
    assert answer.status_code == 403 and "原受理的登记机关" in answer.text  # type: ignore[attr-defined]
    assert browser.get(f"/console/dv-inquiries/{demo.inquiry}").status_code == 404
    sign_in_official(browser, "department", "police")
    assert browser.get("/console/audit/").status_code == 403


def test_dv_details_appear_on_the_applicants_result_page_and_nowhere_else(
    browser: TestClient,
    demo: FrontDeskDemo,
    web_registry: Registry,  # type: ignore[type-arg]
) -> None:
    court = Act(Actor("judge-1", "dv-source", "330782-court"), local_noon(date(2026, 3, 1)), "dv-1")
    subject = web_registry.marriage.marriage(demo.pending_for_inquiry).party_a
    web_registry.dv_records.add_record(
        court, subject=subject, category="protection-order", document_number="(2026)浙0782民保令1号",
        issued_on=date(2026, 3, 1), expires_on=date(2026, 8, 31),
    )  # fmt: skip
    sign_in_official(browser, "clerk", "330782001")
    approved = post_form(browser, f"/console/dv-inquiries/{demo.inquiry}/approval", {"confirmed": "yes"},
                         page=f"/console/dv-inquiries/{demo.inquiry}")  # fmt: skip
    assert approved.status_code == 303  # type: ignore[attr-defined]
    shown_to_clerk = browser.get(f"/console/dv-inquiries/{demo.inquiry}").text
    sign_in_citizen(browser, demo.inquirer.document_number)
    elsewhere = [shown_to_clerk, browser.get("/portal").text, browser.get(f"/portal/dv-inquiries/{demo.inquiry}").text,
                 browser.get(f"/portal/marriages/{demo.pending_for_inquiry}").text]  # fmt: skip
    result = browser.get(f"/portal/dv-inquiries/{demo.inquiry}/result").text
    assert "人身安全保护令" in result and "2026" in result
    for page in elsewhere:
        assert "人身安全保护令" not in page and "民保令" not in page


def test_a_form_sent_twice_files_once(browser: TestClient, demo: FrontDeskDemo) -> None:  # type: ignore[type-arg]
    sign_in_official(browser, "clerk", "330782001")
    form = csrf_of(browser, "/console/marriages/new")
    key = re.search(r'name="form_key" value="([^"]+)"', browser.get("/console/marriages/new").text)
    assert key is not None
    body = {"_csrf_token": form, "form_key": key.group(1), "party_a_name": "钱多", "party_b_name": "孙丽",
            "party_a_number": resident_id(date(1990, 1, 1), "male"),
            "party_b_number": resident_id(date(1991, 1, 1), "female")}  # fmt: skip
    first = browser.post("/console/marriages", data=body, follow_redirects=False)
    again = browser.post("/console/marriages", data=body, follow_redirects=False)
    assert first.status_code == again.status_code == 303
    assert first.headers["location"] == again.headers["location"]


def test_english_is_one_click_away(browser: TestClient) -> None:  # type: ignore[type-arg]
    assert "民政服务，一次办好" in browser.get("/").text
    english = browser.get("/language?to=en&next=/sign-in")
    assert english.url.path == "/sign-in" and "Development sign-in" in english.text
    assert browser.get("/language?to=en&next=https://evil.example/").url.path == "/"


def test_every_problem_code_of_the_registry_has_a_chinese_message() -> None:
    codes: set[str] = set()
    for path in [*ROOT.glob("registry/**/*.py"), *ROOT.glob("api/**/*.py"), *ROOT.glob("projections/**/*.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == "Failure":
                first = node.args[0] if node.args else None
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    codes.add(first.value)
    missing = sorted(
        code for code in codes if message(code, "zh") == PROBLEMS["domain-error"][0] and code != "domain-error"
    )
    assert not missing, missing
    assert message("divorce-withdrawn", "zh") == PROBLEMS["divorce-"][0]  # codes built from a state, by prefix


def test_every_word_the_templates_use_is_in_the_catalogue_in_both_languages() -> None:
    used: set[str] = set()
    for template in (ROOT / "api/web/templates").rglob("*.html"):
        used |= set(re.findall(r'_\(\s*"([a-z_.\-]+)"', template.read_text()))
    python = "".join(p.read_text() for p in (ROOT / "api/web").glob("*.py"))
    used |= set(re.findall(r'question="([a-z_.\-]+)"', python))
    assert not sorted(key for key in used if key not in TEXT and not key.endswith((".", "_")))  # prefixes of labels
    assert all(zh.strip() and en.strip() for zh, en in TEXT.values())
    assert all(zh.strip() and en.strip() for zh, en in PROBLEMS.values())
    assert TODAY


def test_the_worklist_pages_through_an_offices_items_and_htmx_gets_the_lists_alone(
    browser: TestClient,
    demo: FrontDeskDemo,
    web_registry: Registry,  # type: ignore[type-arg]
) -> None:
    clerk = Act(Actor("clerk-1", "clerk", "330782001"), local_noon(TODAY), "fill")
    for n in range(10):  # with the demo's 4 open items: 14, a page of 10 and one of 4
        web_registry.marriage.apply_for_marriage(
            clerk, party_a=person(date(1980 + n, 5, 5), "male"), party_b=person(date(1981 + n, 5, 5), "female")
        )
    browser.app.state.read_side.catch_up()
    sign_in_official(browser, "clerk", "330782001")
    first = browser.get("/console/worklist")
    assert "共 14 项" in first.text and 'href="/console/worklist?offset=10&amp;inquiries=0"' in first.text
    partial = browser.get("/console/worklist?offset=10&inquiries=0", headers={"HX-Request": "true"})
    assert "<html" not in partial.text and partial.text.count("/console/marriages/") == 4


def test_a_signed_in_caller_spends_one_budget_on_pages_and_api_alike(
    web_registry: Registry, clock: FixedClock, demo: FrontDeskDemo
) -> None:
    """The portal counts its caller by subject, as the API does: beyond the limit a page answers 429 too."""
    settings = replace(web_registry.settings, rate_limit=3, rate_limit_anonymous=100)
    with TestClient(create_app(settings, registry=web_registry, clock=clock)) as client:
        sign_in_citizen(client, demo.citizen.document_number)
        answers = [client.get("/portal").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]


def test_a_subject_spends_one_budget_on_the_api_and_the_pages(web_registry: Registry, clock: FixedClock) -> None:
    """An official signed in to the console and calling the API with a token of the same subject has one budget."""
    settings = replace(web_registry.settings, rate_limit=3, rate_limit_anonymous=100)
    token = Tokens(web_registry).clerk  # subject clerk-1, the official signed in below
    with TestClient(create_app(settings, registry=web_registry, clock=clock)) as client:
        sign_in_official(client, "clerk", OFFICE)
        api = [client.get("/v1/worklists/marriage", headers=token).status_code for _ in range(2)]
        pages = [client.get("/console/worklist").status_code for _ in range(2)]
    assert api + pages == [200, 200, 200, 429]
