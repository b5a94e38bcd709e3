"""The real app with its pages, on the embedded store (where the development sign-in exists), a demo scene loaded,
and a clock the test controls. Browsers keep cookies: so does the test client."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from litestar.testing import TestClient

from api.app import create_app
from api.web.demo import FrontDeskDemo, load_front_desk_demo
from projections.catalog import migrate_all
from registry.common.clock import FixedClock
from registry.settings import Settings
from registry.system import Registry, open_registry
from tests.conftest import TEST_KEYS
from tests.support import local_noon

TODAY = date(2026, 11, 20)
CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')


@pytest.fixture
def web_registry(tmp_path: Path) -> Iterator[Registry]:
    settings = Settings.from_env({**TEST_KEYS, "REGISTRY_DATA_DIR": str(tmp_path / "var")})
    migrate_all(settings)
    opened = open_registry(settings)
    yield opened
    opened.close()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(local_noon(TODAY))


@pytest.fixture
def demo(web_registry: Registry, clock: FixedClock) -> FrontDeskDemo:
    return load_front_desk_demo(web_registry, clock.now(), run=11)


@pytest.fixture
def browser(web_registry: Registry, clock: FixedClock, demo: FrontDeskDemo) -> Iterator[TestClient]:  # type: ignore[type-arg]
    app = create_app(registry=web_registry, clock=clock, run_projections=True)
    with TestClient(app) as client:
        client.app.state.read_side.catch_up()
        yield client


def csrf_of(client: TestClient, path: str = "/sign-in") -> str:  # type: ignore[type-arg]
    """The CSRF token a page's forms carry (a GET sets the cookie)."""
    page = client.get(path)
    match = CSRF.search(page.text)
    assert match is not None, page.text[:500]
    return match.group(1)


def post_form(client: TestClient, path: str, form: dict[str, str], page: str = "/sign-in") -> object:  # type: ignore[type-arg]
    return client.post(path, data={**form, "_csrf_token": csrf_of(client, page)}, follow_redirects=False)


def sign_in_citizen(client: TestClient, number: str) -> None:  # type: ignore[type-arg]
    answer = post_form(client, "/sign-in/citizen", {"id_number": number})
    assert answer.status_code == 303, answer.text  # type: ignore[attr-defined]


def sign_in_official(client: TestClient, role: str, office: str = "") -> None:  # type: ignore[type-arg]
    answer = post_form(client, "/sign-in/official", {"role": role, "office": office, "staff_id": f"{role}-1"})
    assert answer.status_code == 303, answer.text  # type: ignore[attr-defined]
