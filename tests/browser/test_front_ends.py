"""What citizens, clerks, department staff and auditors do in a real browser, on the real server process."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import (
    Site,
    accessibility_violations,
    confirm,
    screenshot,
    sign_in_citizen,
    sign_in_official,
)
from tests.support import resident_id

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
OFFICE = "330782001"


def reload_until(page: Any, text: str, tries: int = 20) -> None:
    """Lists come from read models a moment behind the record: reload until the text shows."""
    for _ in range(tries):
        if page.get_by_text(text).count():
            return
        page.wait_for_timeout(250)
        page.reload()
    raise AssertionError(f"{text!r} never showed on {page.url}")


def test_a_citizen_follows_a_divorce_to_its_end(site: Site, new_page: Any) -> None:
    citizen = new_page()
    sign_in_citizen(citizen, site.demo.citizen.document_number)
    citizen.get_by_role("link", name=re.compile("查看 离婚申请")).click()
    assert citizen.get_by_text("可办理离婚登记").first.is_visible()
    deadline = citizen.get_by_test_id("registration-deadline").inner_text()
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", deadline)
    assert site.demo.citizen.document_number not in citizen.content()
    divorce_url = citizen.url

    clerk = new_page()
    sign_in_official(clerk, "clerk", OFFICE)
    clerk.goto(divorce_url.replace("/portal/", "/console/"))
    for party in ("a", "b"):
        clerk.locator(f"#f-{party}_present").check()
        clerk.locator(f"#f-{party}_voluntary").check()
    clerk.get_by_role("button", name="办理登记").click()
    confirm(clerk)
    assert clerk.get_by_text("已办理离婚登记。").is_visible()

    citizen.goto(divorce_url)
    assert citizen.get_by_text("已登记").first.is_visible()
    citizen.goto("/portal")
    assert citizen.get_by_text("离异").is_visible()

    other = new_page()  # and one in cooling-off, who is sent to the receiving office to withdraw
    sign_in_citizen(other, site.demo.cooling_off_party.document_number)
    other.get_by_role("link", name=re.compile("查看 离婚申请")).click()
    last_day = other.get_by_test_id("withdrawal-deadline").inner_text()
    notice = other.get_by_test_id("withdraw-at-office")
    assert notice.is_visible() and last_day in notice.inner_text() and OFFICE in notice.inner_text()
    assert other.get_by_role("button", name=re.compile("撤回")).count() == 0


def test_a_clerk_registers_a_marriage_and_a_refusal_lists_two_failures_at_once(site: Site, new_page: Any) -> None:
    clerk = new_page()
    sign_in_official(clerk, "clerk", OFFICE)
    couples = [(resident_id(date(1993, 6, 1), "male"), resident_id(date(1995, 7, 2), "female")) for _ in range(2)]
    for index, (man, woman) in enumerate(couples):
        clerk.goto("/console/marriages/new")
        clerk.locator("#f-party_a_name").fill(f"周杰{index}")
        clerk.locator("#f-party_a_number").fill(man)
        clerk.locator("#f-party_b_name").fill(f"吴丽{index}")
        clerk.locator("#f-party_b_number").fill(woman)
        clerk.get_by_role("button", name="提交").click()
        clerk.wait_for_url(re.compile(r"/console/marriages/[0-9a-f-]{36}$"))
        for party in ("a", "b"):
            for check in ("present", "voluntary", "no_spouse", "no_kinship"):
                refused_here = index == 0 and (party, check) in (("a", "present"), ("b", "no_spouse"))
                if not refused_here:
                    clerk.locator(f"#f-{party}_{check}").check()
        clerk.get_by_role("button", name="办理登记").click()
        confirm(clerk)
        if index == 0:
            failures = clerk.locator("#failures li")
            assert failures.count() == 2
            assert "甲方：当事人未亲自到场。" in failures.all_inner_texts()
            assert "乙方：当事人未签署本人无配偶的声明。" in failures.all_inner_texts()
            assert clerk.get_by_text("已依法记录不予登记决定").is_visible()  # regs art 10: recorded at once
            assert clerk.get_by_text("不予登记").first.is_visible()
        else:
            assert clerk.get_by_text("已登记，结婚证已发放。").is_visible()
            clerk.get_by_role("link", name=re.compile("打印证书")).first.click()
            assert clerk.get_by_role("heading", name=re.compile("结婚证")).is_visible()
            pdf = clerk.pdf()  # the print stylesheet gives the certificate alone
            assert pdf.startswith(b"%PDF")


def test_a_family_files_a_bundle_and_a_department_completes_a_task(site: Site, new_page: Any) -> None:
    family = new_page(width=390, height=844)  # on a phone
    sign_in_citizen(family, site.bereaved.document_number)
    family.goto("/portal/bundle-cases/new")
    family.get_by_label("逝者居民身份证号码").fill(site.deceased.document_number)
    family.get_by_label("申请人姓名").fill(site.bereaved.name)
    family.get_by_label("与逝者关系").select_option("child")
    family.get_by_label("联系电话").fill("13900000000")
    family.get_by_label("收款银行账号").fill("6222020200009876543")
    family.get_by_label("养老保险待遇").check()
    family.get_by_role("button", name="提交").click()
    family.wait_for_url(re.compile(r"/portal/bundle-cases/[0-9a-f-]{36}$"))
    assert family.get_by_text("户口注销").is_visible()
    assert "6222020200009876543" not in family.content() and "6543" in family.content()
    case_url = family.url

    police = new_page()
    sign_in_official(police, "department", "police")
    reload_until(police, "户口注销")
    police.goto(case_url.replace("/portal/", "/console/"))
    police.locator("#note-household-registration-cancellation-c").fill("公安注销2026-001")
    police.locator("form[action$='/household-registration-cancellation/completion'] button").click()
    confirm(police)
    police.wait_for_url(re.compile(r"/console/bundle-cases/"))

    family.reload()
    row = family.locator("tr", has_text="户口注销")
    assert "已办结" in row.inner_text() and "公安注销2026-001" in row.inner_text()


def test_an_auditor_reads_a_record_at_an_earlier_version_and_checks_a_checkpoint(site: Site, new_page: Any) -> None:
    auditor = new_page()
    sign_in_official(auditor, "auditor")
    auditor.goto(f"/console/audit/?application=marriage&record={site.demo.pending_for_inquiry}")
    assert auditor.get_by_test_id("state-version").inner_text() == "1"
    auditor.goto(f"/console/audit/?application=marriage&record={site.demo.divorce_cooling_off}")
    latest = int(auditor.get_by_test_id("state-version").inner_text())
    auditor.get_by_role("link", name="查看 版本 1").click()
    assert auditor.get_by_test_id("state-version").inner_text() == "1" and latest >= 1
    assert '"withdrawn_by": null' in auditor.locator("pre.json").inner_text()
    auditor.goto("/console/audit/checkpoint?application=marriage")
    assert int(auditor.get_by_test_id("tree-size").inner_text()) > 0
    assert auditor.get_by_text("签名有效").is_visible() and auditor.get_by_text("✔ 是").first.is_visible()


def test_every_page_has_no_serious_accessibility_violation(site: Site, new_page: Any, tmp_path: Path) -> None:
    """axe-core (WCAG 2.1 AA) on every page each user sees; the main ones are photographed for the README."""
    demo, problems = site.demo, {}

    def check(page: Any, path: str | None, shot: str | None = None) -> None:
        """The page at a path, or (None) the page the browser is on."""
        if path is not None:
            page.goto(path)
        problems[path or page.url] = accessibility_violations(page)
        if shot:
            screenshot(page, shot, tmp_path)

    anyone = new_page()
    for path, shot in (("/", "home"), ("/sign-in", "sign-in"), ("/verify", "verify")):
        check(anyone, path, shot)
    anyone.goto("/language?to=en&next=/")
    problems["/ (English)"] = accessibility_violations(anyone)
    assert anyone.get_by_role("heading", name="Civil-affairs services in one place").is_visible()

    clerk = new_page()
    sign_in_official(clerk, "clerk", OFFICE)
    check(clerk, "/console/worklist", "console-worklist")
    check(clerk, f"/console/marriages/{demo.pending_marriage}", "console-registration-checklist")
    check(clerk, "/console/marriages/new")
    check(clerk, f"/console/divorces/{demo.divorce_in_window}")
    check(clerk, f"/console/dv-inquiries/{demo.inquiry}")
    clerk.get_by_role("button", name="审核通过").click()
    check(clerk, None, "console-confirmation")  # the confirmation step
    confirm(clerk)

    inquirer = new_page()
    sign_in_citizen(inquirer, demo.inquirer.document_number)
    check(inquirer, "/portal")
    check(inquirer, f"/portal/dv-inquiries/{demo.inquiry}")
    check(inquirer, f"/portal/dv-inquiries/{demo.inquiry}/result", "portal-dv-result")
    assert inquirer.get_by_text("未查询到家庭暴力记录。").is_visible()
    check(inquirer, f"/portal/marriages/{demo.pending_for_inquiry}/dv-inquiry")

    citizen = new_page()
    sign_in_citizen(citizen, demo.citizen.document_number)
    for path, shot in (
        ("/portal", "portal-home"),
        (f"/portal/divorces/{demo.divorce_in_window}", "portal-divorce"),
        (f"/portal/bundle-cases/{demo.bundle_case}", "portal-bundle"),
        (f"/portal/reward-claims/{demo.reward_claim}", None),
        ("/portal/bundle-cases/new", None),
        ("/portal/reward-claims/new", None),
        ("/portal/addresses?road=", None),
    ):
        check(citizen, path, shot)
    citizen.goto("/portal")
    citizen.get_by_role("link", name=re.compile("查看 婚姻登记")).click()
    check(citizen, None, "portal-marriage")

    phone = new_page(width=390, height=844)
    sign_in_citizen(phone, demo.citizen.document_number)
    check(phone, "/portal", "portal-home-phone")

    department = new_page()
    sign_in_official(department, "department", "social-security")
    check(department, "/console/tasks", "console-department-tasks")
    check(department, f"/console/bundle-cases/{demo.bundle_case}")

    officer = new_page()
    sign_in_official(officer, "place-name-officer", "330782-civil-affairs")
    check(officer, "/console/places")
    if demo.road is not None:
        check(officer, f"/console/places/{demo.road}", "console-place-name")

    auditor = new_page()
    sign_in_official(auditor, "auditor")
    check(auditor, f"/console/audit/?application=marriage&record={demo.divorce_in_window}", "console-audit")
    check(auditor, "/console/audit/checkpoint")

    bad = {path: found for path, found in problems.items() if found}
    assert not bad, bad


def test_the_api_docs_page_lists_every_operation_and_loads_nothing_from_elsewhere(site: Site, new_page: Any) -> None:
    page = new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    document = page.request.get(f"{site.base}/schema/openapi.json").json()
    operations = sum(1 for item in document["paths"].values() for method in item if method != "parameters")

    page.goto("/schema")
    page.locator(".opblock").first.wait_for()
    page.wait_for_function(f"document.querySelectorAll('.opblock').length >= {operations}")

    assert page.locator(".opblock").count() == operations
    assert page.get_by_text("/v1/marriages/{marriage_id}/registration").count() >= 1
    assert requested and all(url.startswith(site.base) or url.startswith("data:") for url in requested), requested
