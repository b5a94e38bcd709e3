"""docs/certificate-statements.md is a specification an outside verifier can follow: its worked example, its Python
check and its OpenSSL commands hold, and they hold for the statements the registry serves (issue 16)."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from api.certificates import verification_code
from registry.exchange.pages import sign_page
from registry.keys import Purpose
from registry.system import Registry
from tests.api.conftest import Tokens
from tests.api.test_marriage_api import REGISTRATION, Client, file

PAGE = Path(__file__).parents[2] / "docs" / "certificate-statements.md"
EXAMPLE_SEED_TEXT = b"worked example: not a registry key"


def block(tag: str) -> str:
    """The fenced block of the page whose info string ends with `tag` (e.g. ```json statement)."""
    found = re.findall(rf"```\w+ {tag}\n(.*?)```", PAGE.read_text(), flags=re.DOTALL)
    assert len(found) == 1, f"the page has one block tagged {tag}"
    return str(found[0])


def page_verifier() -> Callable[[dict[str, Any], list[dict[str, Any]]], bool]:
    """The page's Python check, run as written."""
    namespace: dict[str, Any] = {}
    exec(block("verifier"), namespace)  # the page's own code, as outsiders copy it
    return namespace["statement_holds"]  # type: ignore[no-any-return]


def example() -> tuple[dict[str, Any], dict[str, Any]]:
    return json.loads(block("statement")), json.loads(block("jwk"))


def test_the_example_holds_under_the_pages_python_check_and_fails_when_altered() -> None:
    statement, jwk = example()
    holds = page_verifier()

    assert holds(statement, [jwk])
    assert not holds({**statement, "status": "ended-by-divorce"}, [jwk])
    assert not holds({**statement, "kid": "330782-exchange-signing-61017547a13f7ab5"}, [{**jwk, "kid": "x"}])


def test_the_pages_canonical_bytes_are_the_bytes_the_registry_signs() -> None:
    statement, _ = example()
    canonical = block("canonical").rstrip("\n").encode()
    seed = hashlib.sha256(EXAMPLE_SEED_TEXT).digest()

    remade = sign_page(Ed25519PrivateKey.from_private_bytes(seed), {k: v for k, v in statement.items()
                       if k not in ("kid", "signature")}, statement["kid"])  # fmt: skip

    assert remade["signature"] == statement["signature"]  # Ed25519 is deterministic
    assert len(canonical) == 264
    assert hashlib.sha256(canonical).hexdigest() == "fae82e9dbc3c5424cc8c3cc66d78c5566c619e5364aaac39ba260189e24b282c"


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is not installed")
def test_the_pages_openssl_commands_verify_the_example_and_refuse_an_altered_one(tmp_path: Path) -> None:
    statement, _ = example()
    (tmp_path / "canonical.txt").write_text(block("canonical").rstrip("\n"))
    (tmp_path / "key.pem").write_text(block("pem"))

    def run() -> subprocess.CompletedProcess[str]:
        env = {"PATH": "/usr/bin:/bin", "SIGNATURE": statement["signature"]}
        return subprocess.run(["bash", "-c", block("openssl")], cwd=tmp_path, env=env, capture_output=True, text=True)

    verified = run()
    (tmp_path / "canonical.txt").write_text(block("canonical").rstrip("\n").replace('"valid"', '"vali d"'))
    altered = run()

    assert verified.returncode == 0 and "Signature Verified Successfully" in verified.stdout
    assert altered.returncode != 0 and "Signature Verification Failure" in altered.stdout + altered.stderr


def test_a_served_statement_holds_under_the_pages_check_with_the_published_key(
    client: Client, tokens: Tokens, registry: Registry
) -> None:
    filed = file(client, tokens)
    registration = client.post(f"/v1/marriages/{filed['id']}/registration", json=REGISTRATION, headers=tokens.clerk)
    position = registration.headers["registry-log-position"]
    client.get(f"/v1/statistics/marital-status?wait_for={position}", headers=tokens.supervisor)
    certificate = registration.json()["certificates"]["a"]
    code = verification_code(registry.settings.keys[Purpose.CERTIFICATE_CODE], certificate)

    served = client.post("/v1/certificates/verification", json={"certificate": certificate, "code": code})
    jwks = client.get("/.well-known/jwks.json").json()["keys"]

    assert served.status_code == 200
    assert page_verifier()(json.loads(served.content), jwks)
    assert set(json.loads(served.content)) == set(example()[0])  # the page describes every member served
