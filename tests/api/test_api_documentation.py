"""The API's own documentation: served whole from the registry, on a machine with no internet."""

from __future__ import annotations

import re
from typing import Any

from litestar.testing import TestClient

Client = TestClient[Any]


def test_the_interactive_docs_load_nothing_from_another_origin(client: Client) -> None:
    page = client.get("/schema")
    assert page.status_code == 200
    addresses = re.findall(r"""(?:src|href|url)\s*[=:(]\s*["']([^"']+)["']""", page.text)
    assert addresses, "the page names its scripts and styles"
    for address in addresses:
        assert address.startswith("/"), f"{address} is not served by the registry"
        assert client.get(address).status_code == 200, address


def test_the_openapi_document_is_served_without_a_token(client: Client) -> None:
    document = client.get("/schema/openapi.json")
    assert document.status_code == 200 and document.json()["info"]["title"] == "Civil-affairs registry"
