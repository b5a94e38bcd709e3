"""Signed feed pages between provincial registries: CloudEvents-style envelopes chained by position."""

from __future__ import annotations

import base64
import json
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey


def canonical(page: dict[str, Any]) -> bytes:
    unsigned = {k: v for k, v in page.items() if k != "signature"}
    return json.dumps(unsigned, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sign_page(key: Ed25519PrivateKey, page: dict[str, Any]) -> dict[str, Any]:
    return {**page, "signature": base64.b64encode(key.sign(canonical(page))).decode()}


def page_problems(public_key: Ed25519PublicKey, page: dict[str, Any], *, jurisdiction: str, position: int) -> list[str]:
    """Why a page must not be applied: a bad signature, another source, or a gap in the chain of facts."""
    try:
        public_key.verify(base64.b64decode(page.get("signature", "")), canonical(page))
    except (InvalidSignature, ValueError):
        return ["the page's signature is not the peer's"]
    problems = []
    if page.get("jurisdiction") != jurisdiction:
        problems.append(f"the page comes from {page.get('jurisdiction')!r}, not {jurisdiction!r}")
    expected = position
    for envelope in page.get("events", []):
        if int(envelope["previous"]) != expected or int(envelope["sequence"]) <= expected:
            problems.append(f"a gap or reordering before position {envelope['sequence']} (expected after {expected})")
            break
        expected = int(envelope["sequence"])
    return problems
