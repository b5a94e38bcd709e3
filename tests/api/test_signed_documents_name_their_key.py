"""Every signed document names the key it was signed with (`kid`), as the JWKS publishes it (issue 12): a verifier
holding several keys (an old one kept with old checkpoints, a new one after a rotation) picks the right one."""

from __future__ import annotations

from typing import Any

from api.certificates import verification_code
from registry.keys import Purpose
from registry.system import Registry
from tests.api.conftest import Tokens
from tests.api.test_audit_proofs_api import signed_after_filing
from tests.api.test_marriage_api import REGISTRATION, Client, file


def published(client: Client) -> dict[str, dict[str, Any]]:
    return {key["kid"]: key for key in client.get("/.well-known/jwks.json").json()["keys"]}


def test_a_checkpoint_names_the_checkpoint_signing_key(client: Client, tokens: Tokens) -> None:
    checkpoint, _ = signed_after_filing(client, tokens)
    assert Purpose.CHECKPOINT_SIGNING.value in checkpoint.key_id
    assert published(client)[checkpoint.key_id]["use"] == "sig"


def test_a_certificate_statement_names_the_certificate_signing_key(
    client: Client, tokens: Tokens, registry: Registry
) -> None:
    filed = file(client, tokens)
    registration = client.post(f"/v1/marriages/{filed['id']}/registration", json=REGISTRATION, headers=tokens.clerk)
    position = registration.headers["registry-log-position"]  # the certificate index has caught up with it:
    client.get(f"/v1/statistics/marital-status?wait_for={position}", headers=tokens.supervisor)
    certificate = registration.json()["certificates"]["a"]
    code = verification_code(registry.settings.keys[Purpose.CERTIFICATE_CODE], certificate)
    statement = client.post("/v1/certificates/verification", json={"certificate": certificate, "code": code}).json()
    assert Purpose.CERTIFICATE_SIGNING.value in statement["kid"] and statement["kid"] in published(client)


def test_an_exchange_page_names_the_exchange_signing_key_and_the_name_is_signed(registry: Registry) -> None:
    from registry.exchange.pages import canonical, sign_page

    settings = registry.settings
    kid = settings.signing_key_id(Purpose.EXCHANGE_SIGNING)
    page = sign_page(settings.keys.signer(Purpose.EXCHANGE_SIGNING), {"events": []}, kid)
    assert page["kid"] == kid and b'"kid"' in canonical(page)


def test_the_jwks_publishes_one_distinct_signing_key_per_purpose_with_its_kid_and_use(client: Client) -> None:
    keys = published(client)
    purposes = (Purpose.CHECKPOINT_SIGNING, Purpose.EXCHANGE_SIGNING, Purpose.CERTIFICATE_SIGNING)
    by_purpose = {purpose: [key for kid, key in keys.items() if f"-{purpose.value}-" in kid] for purpose in purposes}
    assert all(len(found) == 1 for found in by_purpose.values()) and len(keys) == 3
    assert all((key["kty"], key["crv"], key["use"]) == ("OKP", "Ed25519", "sig") for key in keys.values())
    assert len({key["x"] for key in keys.values()}) == 3  # three keys, not one key under three names
