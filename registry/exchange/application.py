"""MarriageExchange: facts from other provinces' feeds, verified and applied once each, per peer."""

from __future__ import annotations

import re
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import BaseAggregate
from eventsourcing.persistence import Tracking
from eventsourcing.utils import EnvType

from registry.common.actors import Act
from registry.common.application import TrackedApplication
from registry.common.errors import Failure, InvalidInput, NotConfigured
from registry.common.identity import document_key
from registry.common.ids import PersonKeys
from registry.exchange.foreign import ForeignStatus

REGISTERED = "cn.gov.civil-affairs.marriage.registered"
ENDINGS = {
    "cn.gov.civil-affairs.marriage.divorced": "divorced",
    "cn.gov.civil-affairs.marriage.void": "void",
    "cn.gov.civil-affairs.marriage.annulled": "annulled",
    "cn.gov.civil-affairs.marriage.widowed": "widowed",
}


def tracking_name(jurisdiction: str) -> str:
    return f"peer:{jurisdiction}"


PERSON_HASH = re.compile(r"^[0-9a-f]{64}$")


class MarriageExchange(TrackedApplication):
    """Facts from the federated provinces. A person is named in the exchange by a keyed hash of their identity
    document under the federation's shared key — never by number or name — which is the least a peer needs to refuse
    a bigamous marriage (the registry computes the same hash for the parties in front of it)."""

    name = "exchange"

    def __init__(self, env: EnvType | None = None, *, federation: PersonKeys | None) -> None:
        super().__init__(env)
        self.federation = federation

    def person_hash(self, document_key: str) -> str:
        """The federation's name for a person (NotConfigured without a federation key)."""
        if self.federation is None:
            raise NotConfigured(detail="the marriage exchange needs REGISTRY_FEDERATION_KEY")
        return self.federation.ref(document_key)

    def married_elsewhere(self, key: str) -> list[str]:
        """Where else this person (by document key) is currently married, as far as the peers have reported."""
        if self.federation is None:
            return []
        status = self.find(ForeignStatus.id_for(self.federation.ref(key)), ForeignStatus)
        return status.married_in if status else []

    def position_of(self, jurisdiction: str) -> int:
        return self.position_in(tracking_name(jurisdiction))

    def apply_fact(self, act: Act, jurisdiction: str, envelope: dict[str, Any]) -> None:
        """Apply one verified fact with the peer's position in the same transaction.

        A fact that is not of the agreed shape refuses whole with InvalidInput, before anything is saved: the
        follower stops before it rather than skip it.
        """
        kind, data, persons = self._checked(envelope)
        changed: list[BaseAggregate[UUID]] = []
        for person in persons:
            status = self.find(ForeignStatus.id_for(person), ForeignStatus) or ForeignStatus.open(act, person)
            if kind == REGISTERED:
                status.married(act, jurisdiction=jurisdiction, marriage_ref=data["marriage"],
                               on=date.fromisoformat(data["on"]))  # fmt: skip
            else:
                status.ended(act, jurisdiction=jurisdiction, marriage_ref=data["marriage"], how=ENDINGS[kind])
            changed.append(status)
        self.save_tracked(Tracking(tracking_name(jurisdiction), int(envelope["sequence"])), *changed)

    def _checked(self, envelope: dict[str, Any]) -> tuple[str, dict[str, Any], list[str]]:
        """The fact's type, data and the persons it names, or InvalidInput naming what is wrong."""
        try:
            kind, data = envelope["type"], envelope["data"]
            marriage, on, parties = data["marriage"], date.fromisoformat(data["on"]), data["parties"]
            persons = [self._person_of(party) for party in parties]
        except (KeyError, TypeError, ValueError, AttributeError):
            raise InvalidInput([Failure("exchange-fact-malformed", "the fact is not of the agreed shape")]) from None
        if kind != REGISTERED and kind not in ENDINGS:
            raise InvalidInput([Failure("exchange-fact-type-unknown", "not a marriage fact this registry knows")])
        if not isinstance(marriage, str) or not 0 < len(marriage) <= 80 or not 1 <= len(persons) <= 2 or on is None:
            raise InvalidInput([Failure("exchange-fact-malformed", "a fact names one marriage and its parties")])
        return kind, data, persons

    def _person_of(self, party: dict[str, Any]) -> str:
        """A party by the federation's person hash; a peer of the earlier format sends the document, hashed here."""
        if "person" in party:
            person = str(party["person"])
            if not PERSON_HASH.match(person):
                raise ValueError("not a person hash")
            return person
        return self.person_hash(document_key(party["document_type"], party["document_number"], party["nationality"]))
