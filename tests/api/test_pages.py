"""Every list pages the same way: `limit` (default 100, at most 500) and `after` (the previous `next_after`)."""

from __future__ import annotations

from litestar.testing import TestClient

from registry.common.actors import Role
from tests.api.conftest import Tokens
from tests.api.test_marriage_api import couple

Client = TestClient  # type: ignore[type-arg]


def list_routes(tokens: Tokens) -> dict[str, dict[str, str]]:
    """Every collection the API answers, with a caller allowed to read it."""
    officer = tokens.header(Role.PLACE_NAME_OFFICER, "officer-1", "330782-civil-affairs")
    utility = tokens.header(Role.UTILITY, "power-co", "state-grid-yiwu")
    return {
        "/v1/worklists/marriage": tokens.clerk,
        "/v1/worklists/department": tokens.header(Role.DEPARTMENT, "police-1", "police"),
        "/v1/worklists/death-decisions": tokens.supervisor,
        "/v1/worklists/plate-signs": officer,
        "/v1/worklists/name-announcements": officer,
        "/v1/addresses": tokens.clerk,
        "/v1/address-feed": utility,
        "/v1/address-feed/snapshot?at=0": utility,
        "/v1/audit/marriage/checkpoints": tokens.auditor,
    }


def with_query(route: str, query: str) -> str:
    return f"{route}{'&' if '?' in route else '?'}{query}"


def test_every_list_refuses_a_page_larger_than_500_naming_the_limit(client: Client, tokens: Tokens) -> None:
    for route, headers in list_routes(tokens).items():
        assert client.get(with_query(route, "limit=500"), headers=headers).status_code == 200, route
        refused = client.get(with_query(route, "limit=501"), headers=headers)
        assert (refused.status_code, refused.json()["type"]) == (400, "/problems/malformed-request"), route
        assert [e["field"] for e in refused.json()["errors"]] == ["limit"], route


def test_every_list_refuses_a_cursor_it_did_not_give(client: Client, tokens: Tokens) -> None:
    for route, headers in list_routes(tokens).items():
        if route == "/v1/address-feed":
            continue  # its cursor is a log position, a number
        refused = client.get(with_query(route, "after=bm90LWEtY3Vyc29y"), headers=headers)
        assert (refused.status_code, refused.json()["type"]) == (422, "/problems/after-malformed"), route


def test_every_list_documents_limit_and_after_in_the_openapi(client: Client, tokens: Tokens) -> None:
    paths = client.get("/schema/openapi.json").json()["paths"]
    for route in list_routes(tokens):
        path = route.split("?")[0].replace("/marriage/", "/{application}/")
        operation = paths.get(path) or paths[path + "/"]
        parameters = {p["name"]: p for p in operation["get"]["parameters"]}
        assert parameters["limit"]["schema"]["maximum"] == 500, route
        assert "after" in parameters, route


def test_a_worklist_read_page_by_page_holds_every_item_once_in_order(client: Client, tokens: Tokens) -> None:
    filed = [client.post("/v1/marriages", json=couple(), headers=tokens.clerk) for _ in range(5)]
    position = max(int(r.headers["registry-log-position"]) for r in filed)
    whole = client.get(f"/v1/worklists/marriage?wait_for={position}", headers=tokens.clerk).json()
    assert whole["next_after"] is None and len(whole["items"]) == 5
    pages, after = [], None
    while True:
        query = "limit=2" + (f"&after={after}" if after else "")
        page = client.get(f"/v1/worklists/marriage?{query}", headers=tokens.clerk).json()
        pages.append(page["items"])
        after = page["next_after"]
        if after is None:
            break
    assert [len(items) for items in pages] == [2, 2, 1]
    assert [item for items in pages for item in items] == whole["items"]
