"""Production sign-in: OpenID Connect (authorization code with PKCE) against the provider in the settings.

The registry verifies the provider's ID token itself: signature by a key of the provider's JWKS (asymmetric
algorithms only), issuer, audience, expiry and the nonce of this very sign-in. A citizen's identity number claim is
checked like any number the registry takes and only its keyed hash enters the session; an official's role and
office come from their claims and must be a console role.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import json
import secrets
import urllib.parse
import urllib.request
from functools import cached_property
from typing import Annotated, Any

import jwt
from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromQuery, QueryParameter
from litestar.response import Redirect

from api.auth import Principal
from api.web.pages import AnyRequest, safe_next
from api.web.public import CONSOLE_ROLES, OFFICE_OPTIONAL
from api.web.session import start_session
from registry.common.actors import Role
from registry.common.clock import Clock, local_date
from registry.common.errors import Failure, InvalidInput, NotConfigured
from registry.common.identity import RESIDENT_ID, validated_document_key
from registry.settings import Settings
from registry.system import Registry

ALGORITHMS = ["RS256", "PS256", "ES256", "EdDSA"]  # the provider's keys are public keys: never HS*, never none
TIMEOUT_SECONDS = 10
LEEWAY_SECONDS = 60


class SignInRefused(InvalidInput):
    """An answer from the identity provider that the sign-in rules reject (a page with the reason, 422)."""

    code = "sign-in-refused"
    title = "The identity provider's answer was not accepted"


def _loopback(host: str | None) -> bool:
    try:
        return host == "localhost" or ipaddress.ip_address(host or "").is_loopback
    except ValueError:
        return False


class Provider:
    """The configured provider: its discovery document and keys, fetched when first needed."""

    def __init__(self, settings: Settings) -> None:
        issuer, client_id, secret = settings.oidc_issuer, settings.oidc_client_id, settings.oidc_client_secret
        if not (issuer and client_id and secret):
            raise NotConfigured(
                detail="set REGISTRY_OIDC_ISSUER, REGISTRY_OIDC_CLIENT_ID and REGISTRY_OIDC_CLIENT_SECRET"
            )
        parsed = urllib.parse.urlparse(issuer)
        if parsed.scheme != "https" and not _loopback(parsed.hostname):
            raise NotConfigured(detail="REGISTRY_OIDC_ISSUER must be https (a loopback address excepted)")
        self.settings, self.issuer, self.client_id, self.secret = settings, issuer, client_id, secret
        self.redirect_uri = f"{settings.browser_url}/sign-in/oidc/callback"

    @cached_property
    def metadata(self) -> dict[str, Any]:
        return self._get_json(f"{self.issuer}/.well-known/openid-configuration")

    @cached_property
    def keys(self) -> jwt.PyJWKClient:
        return jwt.PyJWKClient(self.metadata["jwks_uri"], cache_keys=True, timeout=TIMEOUT_SECONDS)

    def authorization_url(self, state: str, nonce: str, verifier: str) -> str:
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        query = urllib.parse.urlencode({
            "response_type": "code", "client_id": self.client_id, "redirect_uri": self.redirect_uri,
            "scope": "openid", "state": state, "nonce": nonce, "code_challenge": challenge,
            "code_challenge_method": "S256",
        })  # fmt: skip
        return f"{self.metadata['authorization_endpoint']}?{query}"

    def id_token_claims(self, code: str, verifier: str, nonce: str) -> dict[str, Any]:
        """Redeem the code at the token endpoint and verify the ID token it returns."""
        form = urllib.parse.urlencode({
            "grant_type": "authorization_code", "code": code, "redirect_uri": self.redirect_uri,
            "code_verifier": verifier,
        }).encode()  # fmt: skip
        basic = base64.b64encode(
            f"{urllib.parse.quote(self.client_id)}:{urllib.parse.quote(self.secret)}".encode()
        ).decode()
        request = urllib.request.Request(
            self.metadata["token_endpoint"], data=form, method="POST",
            headers={"Authorization": f"Basic {basic}", "Content-Type": "application/x-www-form-urlencoded",
                     "Accept": "application/json"},
        )  # fmt: skip
        answer = self._read_json(request)
        token = answer.get("id_token")
        if not isinstance(token, str):
            raise SignInRefused([Failure("sign-in-refused", "the token endpoint returned no ID token")])
        try:
            key = self.keys.get_signing_key_from_jwt(token)
            claims: dict[str, Any] = jwt.decode(
                token, key.key, algorithms=ALGORITHMS, audience=self.client_id, issuer=self.issuer,
                leeway=LEEWAY_SECONDS, options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )  # fmt: skip
        except (jwt.PyJWTError, ValueError) as error:
            raise SignInRefused(
                [Failure("sign-in-refused", f"the ID token is not valid ({type(error).__name__})")]
            ) from None
        if not secrets.compare_digest(str(claims.get("nonce", "")), nonce):
            raise SignInRefused([Failure("sign-in-refused", "the ID token answers another sign-in (nonce)")])
        return claims

    def _get_json(self, url: str) -> dict[str, Any]:
        return self._read_json(urllib.request.Request(url, headers={"Accept": "application/json"}))

    @staticmethod
    def _read_json(request: urllib.request.Request) -> dict[str, Any]:
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
                body: dict[str, Any] = json.loads(response.read())
                return body
        except (OSError, ValueError) as error:
            raise SignInRefused(
                [Failure("sign-in-refused", f"the provider did not answer ({type(error).__name__})")]
            ) from None


def principal_of_claims(claims: dict[str, Any], settings: Settings, registry: Registry, clock: Clock) -> Principal:
    """An official by their role and office claims; otherwise a citizen by their identity number claim."""
    role_claim = claims.get(settings.oidc_role_claim)
    if role_claim:
        try:
            role = Role(str(role_claim))
        except ValueError:
            role = Role.CITIZEN
        office = str(claims.get(settings.oidc_office_claim) or "")[:64]
        if role not in CONSOLE_ROLES or (role not in OFFICE_OPTIONAL and not office):
            raise SignInRefused([Failure("sign-in-refused", "the role or office claim is not one of the console's")])
        return Principal(subject=str(claims["sub"])[:128], role=role, office=office)
    number = claims.get(settings.oidc_id_number_claim)
    if not isinstance(number, str):
        raise SignInRefused([Failure("sign-in-refused", "the ID token carries no identity number")])
    key = validated_document_key(RESIDENT_ID, number, "CHN", today=local_date(clock.now()))
    return Principal(subject=registry.marriage.person_keys.ref(key), role=Role.CITIZEN, office="")


class OidcSignIn(Controller):
    path = "/sign-in/oidc"
    include_in_schema = False

    @get("/", sync_to_thread=True)
    def start(self, request: AnyRequest, registry: NamedDependency[Registry], next: FromQuery[str] = "") -> Redirect:
        """Send the browser to the provider, remembering this sign-in's state, nonce and PKCE verifier."""
        provider = Provider(registry.settings)
        state, nonce, verifier = (secrets.token_urlsafe(32) for _ in range(3))
        request.set_session(
            {"oidc": {"state": state, "nonce": nonce, "verifier": verifier, "next": safe_next(next, "")}}
        )
        return Redirect(path=provider.authorization_url(state, nonce, verifier))

    @get("/callback", sync_to_thread=True)
    def callback(
        self, request: AnyRequest, registry: NamedDependency[Registry], clock: NamedDependency[Clock],
        code: FromQuery[str] = "", answered_state: Annotated[str, QueryParameter(name="state")] = "",
    ) -> Redirect:  # fmt: skip
        """The provider's answer: only for the sign-in this browser started; a new session on success."""
        session = request.session if isinstance(request.session, dict) else {}
        pending: dict[str, str] = session.get("oidc") or {}
        expected = str(pending.get("state", ""))
        if not expected or not code or not secrets.compare_digest(answered_state.encode(), expected.encode()):
            request.clear_session()
            raise InvalidInput([Failure("sign-in-refused", "this answer is not for a sign-in this browser started")])
        settings = registry.settings
        claims = Provider(settings).id_token_claims(code[:2048], pending["verifier"], pending["nonce"])
        principal = principal_of_claims(claims, settings, registry, clock)
        label = str(claims.get("name") or principal.office or "")[:64] or "****"
        start_session(request, principal, label, settings.web_session_hours)
        home = "/portal" if principal.role == Role.CITIZEN else "/console"
        return Redirect(path=safe_next(pending.get("next", ""), home), status_code=303)
