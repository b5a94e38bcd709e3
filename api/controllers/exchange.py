"""The marriage exchange between provinces: the public key, the signed feed, certificate verification."""

from __future__ import annotations

import base64
import hmac
from typing import Annotated, Any

import msgspec
from anyio import to_thread
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from litestar import Controller, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import JSONBody, Parameter

from api.auth import allow
from api.certificates import verification_code
from api.context import AnyRequest, principal_of
from api.feed_waits import MAX_WAIT_SECONDS, FeedWaits
from api.limits import SMALL_BODY_MAX
from api.schemas.common import Input
from projections.audit.checkpoints import public_key_text
from projections.catalog import ReadSide
from projections.exchange_feed import party_document_key
from projections.exchange_feed.queries import Fact, facts_after
from projections.marital_status.queries import marriage_with_certificate
from projections.store import ViewStore
from registry.common.actors import Role
from registry.common.clock import Clock
from registry.common.errors import Failure, Forbidden, NotFound
from registry.exchange.application import MarriageExchange
from registry.exchange.follower import peers_from
from registry.exchange.pages import sign_page
from registry.keys import SIGNING_PURPOSES, Purpose
from registry.system import Registry

WAIT_DESCRIPTION = (
    f"seconds (at most {MAX_WAIT_SECONDS:g}) to hold the request while no fact follows `after`; it is answered as soon "
    "as one is committed, else with an empty page when the wait ends (0: answer at once)"
)
STATUS_BY_STATE = {"registered": "valid", "void": "annulled-or-void: void", "annulled": "annulled-or-void: annulled",
                   "dissolved": "ended-by-divorce", "ended-by-death": "ended-by-death"}  # fmt: skip


class CertificateCheck(Input, kw_only=True):
    certificate: Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
    code: Annotated[str, msgspec.Meta(min_length=1, max_length=16)]


def signing_key(registry: Registry, purpose: Purpose) -> Ed25519PrivateKey:
    return registry.settings.keys.signer(purpose)


def jwk(registry: Registry, purpose: Purpose) -> dict[str, Any]:
    """One public key as an RFC 8037 OKP JWK; `kid` names the registry and the purpose, `use` is signing."""
    raw = base64.b64decode(public_key_text(signing_key(registry, purpose)))
    x = base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
    kid = registry.settings.signing_key_id(purpose)
    return {"kty": "OKP", "crv": "Ed25519", "x": x, "use": "sig", "alg": "EdDSA", "kid": kid}


def signed(registry: Registry, purpose: Purpose, document: dict[str, Any]) -> dict[str, Any]:
    """The document signed with this registry's key for `purpose`, naming that key's `kid`."""
    return sign_page(signing_key(registry, purpose), document, registry.settings.signing_key_id(purpose))


def shared_fact(exchange: MarriageExchange, fact: dict[str, Any]) -> dict[str, Any]:
    """A fact as peers see it: the marriage, the date, and each party as the federation's person hash."""
    parties = [{"person": exchange.person_hash(party_document_key(party))} for party in fact["parties"]]
    origin = {"origin": fact["origin"]} if "origin" in fact else {}  # a marriage registered elsewhere, ended here
    return {"marriage": fact["marriage"], "on": fact["on"], "parties": parties, **origin}


def feed_page(
    registry: Registry, read_side: ReadSide, reader: str, after: int, limit: int, wait: float = 0
) -> dict[str, Any]:
    """The signed page of facts after a position for one reader; `wait` (if any) is said in it, signed."""
    facts, next_after = facts_after(read_side.store, read_side.feed_key, after, limit=limit)
    page = {
        "jurisdiction": registry.settings.jurisdiction, "after": after, "reader": reader,
        "events": [envelope(registry, fact) for fact in facts], "next_after": next_after,
        **({"wait": wait} if wait else {}),
    }  # fmt: skip
    return signed(registry, Purpose.EXCHANGE_SIGNING, page)


def envelope(registry: Registry, fact: Fact) -> dict[str, Any]:
    """A fact as a CloudEvents-style envelope, its parties named by the federation's person hash."""
    jurisdiction = registry.settings.jurisdiction
    return {
        "specversion": "1.0", "id": f"{jurisdiction}:{fact.sequence}", "source": f"urn:civil-registry:{jurisdiction}",
        "type": fact.type, "time": fact.time, "subject": fact.subject, "sequence": fact.sequence,
        "previous": fact.previous, "data": shared_fact(registry.exchange, fact.data),
    }  # fmt: skip


class ExchangeController(Controller):
    tags = ("exchange",)

    @get("/.well-known/jwks.json", sync_to_thread=False, exclude_from_auth=True)
    def jwks(self, registry: NamedDependency[Registry]) -> dict[str, Any]:
        """The registry's public signing keys (RFC 8037 OKP, Ed25519), one per purpose: checkpoints, exchange pages,
        certificate statements; each `kid` names its purpose, and signed documents carry the `kid` they were signed
        with."""
        return {"keys": [jwk(registry, purpose) for purpose in SIGNING_PURPOSES]}

    @get("/v1/exchange/feed", guards=[allow(Role.EXCHANGE_PEER)])
    async def feed(
        self, request: AnyRequest, state: State, registry: NamedDependency[Registry],
        after: Annotated[int, Parameter(ge=0)] = 0, limit: Annotated[int, Parameter(ge=1, le=500)] = 100,
        wait: Annotated[float, Parameter(ge=0, le=MAX_WAIT_SECONDS, description=WAIT_DESCRIPTION)] = 0,
    ) -> dict[str, Any]:  # fmt: skip
        """Marriage-status facts after a position, as CloudEvents-style envelopes, in a page signed as a whole.

        Only the peers configured in REGISTRY_EXCHANGE_PEERS may read it; each party is the federation's person hash.
        With `wait`, a request that finds no fact after the position is held until one is committed or the wait ends
        (long polling); the page then says `wait`.
        """
        reader = principal_of(request).office
        if reader not in {peer.jurisdiction for peer in peers_from(registry.settings.exchange_peers)}:
            raise Forbidden(
                [Failure("not-an-exchange-peer", "this registry exchanges facts with its configured peers")]
            )
        page = await to_thread.run_sync(feed_page, registry, state.read_side, reader, after, limit, wait)
        if page["events"] or wait == 0:
            return page
        waits: FeedWaits = state.feed_waits
        await waits.hold(reader, after, wait)
        return await to_thread.run_sync(feed_page, registry, state.read_side, reader, after, limit, wait)

    @post(
        "/v1/certificates/verification", sync_to_thread=True, status_code=200, exclude_from_auth=True,
        request_max_body_size=SMALL_BODY_MAX,
    )  # fmt: skip
    def verify_certificate(
        self, data: JSONBody[CertificateCheck], state: State, registry: NamedDependency[Registry],
        clock: NamedDependency[Clock],
    ) -> dict[str, Any]:  # fmt: skip
        """A signed statement of what the certificate shows and whether it still stands; nothing more."""
        return certificate_statement(registry, state.read_side.store, clock, data.certificate, data.code)


def certificate_statement(
    registry: Registry, store: ViewStore, clock: Clock, certificate: str, code: str
) -> dict[str, Any]:
    """What a certificate shows and whether it still stands, signed; NotFound unless number and code agree."""
    expected = verification_code(registry.settings.keys[Purpose.CERTIFICATE_CODE], certificate)
    marriage_id = marriage_with_certificate(store, certificate)
    if not hmac.compare_digest(expected.encode(), code.strip().upper().encode()) or marriage_id is None:
        raise NotFound(detail="no certificate with that number and code")
    marriage = registry.marriage.marriage(marriage_id)
    statement = {
        "issuer": f"urn:civil-registry:{registry.settings.jurisdiction}", "certificate": certificate,
        "status": STATUS_BY_STATE.get(marriage.state, marriage.state),
        "registered_on": marriage.registered_on.isoformat() if marriage.registered_on else None,
        "office": marriage.office, "names": [marriage.party_a.name, marriage.party_b.name],
        "stated_at": clock.now().isoformat(),
    }  # fmt: skip
    return signed(registry, Purpose.CERTIFICATE_SIGNING, statement)
