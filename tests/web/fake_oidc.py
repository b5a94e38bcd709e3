"""A small OpenID provider on loopback for the tests: discovery, JWKS, authorize (signs the user in at once) and a
token endpoint that checks the client's secret and the PKCE verifier, and returns an RS256-signed ID token."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa


@dataclass
class FakeProvider:
    client_id: str = "registry-web"
    client_secret: str = "s3cret-of-the-registry"
    claims: dict[str, Any] = field(default_factory=dict)  # what the next ID token says about the user
    signing_key: Any = field(default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048))
    published_key: Any = None  # the key in the JWKS (the signing key's unless a test swaps it)
    issuer: str = ""
    codes: dict[str, dict[str, str]] = field(default_factory=dict)

    def jwks(self) -> dict[str, Any]:
        key = self.published_key or self.signing_key
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
        return {"keys": [{**jwk, "kid": "k1", "use": "sig", "alg": "RS256"}]}

    def id_token(self, nonce: str) -> str:
        now = int(time.time())
        body = {"iss": self.issuer, "aud": self.client_id, "iat": now, "exp": now + 300, "nonce": nonce,
                **self.claims}  # fmt: skip
        return jwt.encode(body, self.signing_key, algorithm="RS256", headers={"kid": "k1"})


def _handler(provider: FakeProvider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_: Any) -> None:
            pass

        def _json(self, body: dict[str, Any], status: int = 200) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            url = urllib.parse.urlparse(self.path)
            if url.path == "/.well-known/openid-configuration":
                issuer = provider.issuer
                self._json({"issuer": issuer, "authorization_endpoint": f"{issuer}/authorize",
                            "token_endpoint": f"{issuer}/token", "jwks_uri": f"{issuer}/jwks"})  # fmt: skip
            elif url.path == "/jwks":
                self._json(provider.jwks())
            elif url.path == "/authorize":
                query = dict(urllib.parse.parse_qsl(url.query))
                code = secrets.token_urlsafe(16)
                provider.codes[code] = query
                target = f"{query['redirect_uri']}?{urllib.parse.urlencode({'code': code, 'state': query['state']})}"
                self.send_response(302)
                self.send_header("Location", target)
                self.end_headers()
            else:
                self._json({"error": "not_found"}, 404)

        def do_POST(self) -> None:
            form = dict(urllib.parse.parse_qsl(self.rfile.read(int(self.headers["Content-Length"])).decode()))
            expected = base64.b64encode(f"{provider.client_id}:{provider.client_secret}".encode()).decode()
            asked = provider.codes.pop(form.get("code", ""), None)
            verifier = form.get("code_verifier", "")
            challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
            if self.headers.get("Authorization") != f"Basic {expected}" or asked is None:
                self._json({"error": "invalid_client"}, 401)
            elif challenge != asked["code_challenge"] or form.get("redirect_uri") != asked["redirect_uri"]:
                self._json({"error": "invalid_grant"}, 400)
            else:
                self._json({"access_token": "x", "token_type": "Bearer", "id_token": provider.id_token(asked["nonce"])})

    return Handler


@contextmanager
def fake_provider() -> Iterator[FakeProvider]:
    provider = FakeProvider()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(provider))
    provider.issuer = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()
