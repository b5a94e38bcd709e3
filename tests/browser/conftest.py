"""Browser tests: Debian's chromium, headless, driven by Playwright (never a downloaded browser), against the real
`registry serve` process on the embedded store (where the development sign-in exists).

Each module gets its own data directory and free port, so runs in parallel (pytest-xdist) do not meet.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.web.demo import FrontDeskDemo, load_front_desk_demo, resident
from registry.common.actors import Act, Actor
from registry.common.clock import SystemClock
from registry.common.identity import Person
from registry.deaths.death import DeathReport
from registry.settings import Settings
from registry.system import open_registry
from tests.conftest import IN_CI
from tests.e2e.test_server_process import free_port

CHROMIUM = os.environ.get("REGISTRY_CHROMIUM", "/usr/bin/chromium")
LAUNCH_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
]  # fmt: skip
AXE = (Path(__file__).parent / "vendor" / "axe-4.14.1.min.js").read_text()
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Where screenshots go: docs/screenshots when REGISTRY_SCREENSHOTS names it (scripts/screenshots), else a temp dir.
SCREENSHOTS = os.environ.get("REGISTRY_SCREENSHOTS")


@dataclass
class Site:
    """The running registry and what was loaded into it."""

    base: str
    settings: Settings
    demo: FrontDeskDemo
    bereaved: Person  # a next of kin with no bundle yet
    deceased: Person  # whose death is registered, with no bundle yet
    log: Path


def _seed(settings: Settings) -> tuple[FrontDeskDemo, Person, Person]:
    registry = open_registry(settings)
    try:
        now = SystemClock().now()
        demo = load_front_desk_demo(registry, now, run=3)
        deceased = resident("周国强", date(1938, 3, 3), "male", 77)
        hospital = Actor("doctor-e2e", "hospital", "330782-hospital-1")
        report = DeathReport("medical", "浙医死证E2E-1", (now - timedelta(days=4)).date(), "义乌市中心医院", True)
        registry.deaths.register_death(Act(hospital, now - timedelta(days=4), "e2e-death"), deceased=deceased,
                                       report=report)  # fmt: skip
        return demo, resident("周小红", date(1968, 8, 8), "female", 78), deceased
    finally:
        registry.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """Migrate, load the demo scene, start `registry serve` on a free port; stop it afterwards."""
    data = tmp_path_factory.mktemp("registry")
    port = free_port()
    env = {**os.environ, "REGISTRY_DATA_DIR": str(data / "var"), "REGISTRY_PORT": str(port),
           "REGISTRY_LOG_FORMAT": "json"}  # fmt: skip
    env.pop("REGISTRY_DATABASE_URL", None)
    command = [sys.executable, "-m", "api.cli"]
    subprocess.run([*command, "db", "migrate"], env=env, check=True, capture_output=True)
    settings = Settings.from_env({"REGISTRY_DATA_DIR": str(data / "var"), "REGISTRY_PORT": str(port)})
    demo, bereaved, deceased = _seed(settings)
    log_path = data / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen([*command, "serve"], env=env, stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    if httpx.get(f"{base}/ready", timeout=1).json().get("status") == "ready":
                        break
                except (httpx.TransportError, ValueError):
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the server did not start:\n{log_path.read_text()}")
                time.sleep(0.1)
            yield Site(base, settings, demo, bereaved, deceased, log_path)
        finally:
            process.terminate()
            process.wait(timeout=10)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """One headless Debian chromium for the session (scripts/test installs it when missing)."""
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} is missing (scripts/test installs Debian's chromium as root)"
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(chromium: Any, site: Site) -> Iterator[Any]:
    """Fresh browsers (contexts: their own cookies), Chinese first, a desktop viewport unless asked otherwise."""
    contexts: list[Any] = []

    def open_page(width: int = 1280, height: int = 900, locale: str = "zh-CN") -> Any:
        context = chromium.new_context(base_url=site.base, locale=locale, viewport={"width": width, "height": height})
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def sign_in_citizen(page: Any, number: str) -> None:
    page.goto("/sign-in")
    page.get_by_label("居民身份证号码").fill(number)
    page.locator("form[action='/sign-in/citizen'] button[type=submit]").click()
    page.wait_for_url("**/portal")


def sign_in_official(page: Any, role: str, office: str = "") -> None:
    page.goto("/sign-in")
    page.get_by_label("角色").select_option(role)
    page.get_by_label("机关或部门代码").fill(office)
    page.get_by_label("工号").fill(f"{role}-e2e")
    page.locator("form[action='/sign-in/official'] button[type=submit]").click()
    page.wait_for_url("**/console/**")


def confirm(page: Any) -> None:
    """The confirmation step before an irreversible act, then the page it leads to, loaded (a click does not wait for
    the redirect's page: a check made at once may still see the confirmation)."""
    heading = page.get_by_role("heading", name="请确认")
    heading.wait_for()
    page.get_by_role("button", name="确认提交").click()
    heading.wait_for(state="detached")
    page.wait_for_load_state()


def accessibility_violations(page: Any) -> list[str]:
    """Serious and critical WCAG 2.1 AA violations that axe-core finds on the page (injected by the test)."""
    page.evaluate(AXE)
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_AA)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def screenshot(page: Any, name: str, tmp: Path) -> Path:
    folder = Path(SCREENSHOTS) if SCREENSHOTS else tmp
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
