from __future__ import annotations

from litestar.testing import TestClient

from api.web.demo import FrontDeskDemo
from tests.web.conftest import sign_in_citizen


def test_pages_render(browser: TestClient, demo: FrontDeskDemo) -> None:  # type: ignore[type-arg]
    for path in ("/", "/sign-in", "/verify"):
        r = browser.get(path)
        assert r.status_code == 200, (path, r.text[:2000])
    sign_in_citizen(browser, demo.citizen.document_number)
    for path in (
        "/portal",
        f"/portal/divorces/{demo.divorce_in_window}",
        f"/portal/bundle-cases/{demo.bundle_case}",
        f"/portal/reward-claims/{demo.reward_claim}",
        "/portal/addresses?road=x",
        "/portal/bundle-cases/new",
        "/portal/reward-claims/new",
    ):
        r = browser.get(path)
        assert r.status_code == 200, (path, r.text[:3000])
    print(browser.get("/portal").text)
