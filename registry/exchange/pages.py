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


def sign_page(key: Ed25519PrivateKey, page: dict[str, Any], kid: str) -> dict[str, Any]:
    """The page with the `kid` of the signing key, and the signature over both."""
    named = {**page, "kid": kid}
    return {**named, "signature": base64.b64encode(key.sign(canonical(named))).decode()}


def page_problems(
    public_key: Ed25519PublicKey, page: Any, *, jurisdiction: str, reader: str, position: int
) -> list[str]:
    """Why a page must not be applied: a bad signature, another source or reader, an answer to another request, a gap
    in the chain of facts, or a promise of more that makes no progress (which would loop for ever)."""
    if not isinstance(page, dict):
        return ["the page is not a JSON object"]
    try:
        public_key.verify(base64.b64decode(str(page.get("signature", ""))), canonical(page))
    except (InvalidSignature, ValueError, TypeError):
        return ["the page's signature is not the peer's"]
    problems = []
    if page.get("jurisdiction") != jurisdiction:
        problems.append(f"the page comes from {page.get('jurisdiction')!r}, not {jurisdiction!r}")
    if page.get("reader") != reader:
        problems.append(f"the page was made for reader {page.get('reader')!r}, not {reader!r}")
    if page.get("after") != position:
        problems.append(f"the page answers after={page.get('after')!r}, not the position asked for ({position})")
    events = page.get("events")
    if not isinstance(events, list):
        return [*problems, "the page has no list of events"]
    expected = position
    for envelope in events:
        try:
            previous, sequence = int(envelope["previous"]), int(envelope["sequence"])
        except (KeyError, TypeError, ValueError):
            problems.append(f"an envelope without its chain positions after position {expected}")
            break
        if previous != expected or sequence <= expected:
            problems.append(f"a gap or reordering before position {sequence} (expected after {expected})")
            break
        expected = sequence
    next_after = page.get("next_after")
    if next_after is not None and (not events or next_after != expected):
        problems.append("the page promises more facts but brings none, or not up to where it says it ends")
    return problems
