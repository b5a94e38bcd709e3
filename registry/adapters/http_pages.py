"""Pages of another province's exchange feed, fetched over HTTP (the exchange follower's page source)."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

TIMEOUT_SECONDS = 45  # a held feed request lasts at most 25 s (api/feed_waits.py), then its page


def http_fetch(url: str, token: str) -> dict[str, Any]:
    """The JSON page at url, asked for with the peer's bearer token.

    OSError when the peer is out of reach; ValueError when what it answers is not JSON.
    """
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
        page: dict[str, Any] = json.loads(response.read())
        return page
