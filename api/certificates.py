"""The verification code printed on a marriage certificate."""

from __future__ import annotations

import base64
import hashlib
import hmac


def verification_code(key: bytes, certificate: str) -> str:
    """Printed on the certificate: whoever holds both may ask the registry to vouch for it."""
    digest = hmac.new(key, f"certificate:{certificate}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest)[:10].decode()
