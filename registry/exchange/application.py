"""MarriageExchange: facts from other provinces' feeds, verified and applied once each, per peer."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import BaseAggregate
from eventsourcing.persistence import Tracking
from eventsourcing.utils import EnvType

from registry.common.actors import Act
from registry.common.application import TrackedApplication
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


class MarriageExchange(TrackedApplication):
    name = "exchange"

    def __init__(self, env: EnvType | None = None, *, person_keys: PersonKeys) -> None:
        super().__init__(env)
        self.person_keys = person_keys

    def married_elsewhere(self, key: str) -> list[str]:
        """Where else this person (by document key) is currently married, as far as the peers have reported."""
        status = self.find(ForeignStatus.id_for(self.person_keys.ref(key)), ForeignStatus)
        return status.married_in if status else []

    def position_of(self, jurisdiction: str) -> int:
        return self.position_in(tracking_name(jurisdiction))

    def apply_fact(self, act: Act, jurisdiction: str, envelope: dict[str, Any]) -> None:
        """Apply one verified fact with the peer's position in the same transaction.

        Each party is keyed as the registry keys its own people (digits of any script read as ASCII), so the fact
        reaches the person it means; a number that has no key (another character outside ASCII) refuses the whole
        fact with InvalidInput, before anything is saved.
        """
        data = envelope["data"]
        keys = [document_key(p["document_type"], p["document_number"], p["nationality"]) for p in data["parties"]]
        changed: list[BaseAggregate[UUID]] = []
        for key in keys:
            ref = self.person_keys.ref(key)
            status = self.find(ForeignStatus.id_for(ref), ForeignStatus) or ForeignStatus.open(act, ref)
            if envelope["type"] == REGISTERED:
                status.married(act, jurisdiction=jurisdiction, marriage_ref=data["marriage"],
                               on=date.fromisoformat(data["on"]))  # fmt: skip
            elif envelope["type"] in ENDINGS:
                status.ended(
                    act, jurisdiction=jurisdiction, marriage_ref=data["marriage"], how=ENDINGS[envelope["type"]]
                )
            changed.append(status)
        self.save_tracked(Tracking(tracking_name(jurisdiction), int(envelope["sequence"])), *changed)
