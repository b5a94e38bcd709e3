"""MarriageExchange: facts from other provinces' feeds, verified and applied once each, per peer."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
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
from registry.exchange.foreign import ForeignMarriage, ForeignStatus
from registry.exchange.reports import MarriageEndedElsewhere

REGISTERED = "cn.gov.civil-affairs.marriage.registered"
ENDINGS = {
    "cn.gov.civil-affairs.marriage.divorced": "divorced",
    "cn.gov.civil-affairs.marriage.void": "void",
    "cn.gov.civil-affairs.marriage.annulled": "annulled",
    "cn.gov.civil-affairs.marriage.widowed": "widowed",
}


@dataclass(frozen=True)
class PageApplied:
    """How many of a page's facts were applied, and the refusal of the one it stopped before (if it stopped)."""

    applied: int
    refused: InvalidInput | None = None


def tracking_name(jurisdiction: str) -> str:
    return f"peer:{jurisdiction}"


PERSON_HASH = re.compile(r"^[0-9a-f]{64}$")


class MarriageExchange(TrackedApplication):
    """Facts from the federated provinces. A person is named in the exchange by a keyed hash of their identity
    document under the federation's shared key — never by number or name — which is the least a peer needs to refuse
    a bigamous marriage (the registry computes the same hash for the parties in front of it)."""

    name = "exchange"

    def __init__(self, env: EnvType | None = None, *, federation: PersonKeys | None, jurisdiction: str = "") -> None:
        super().__init__(env)
        self.federation = federation
        self.jurisdiction = jurisdiction

    def person_hash(self, document_key: str) -> str:
        """The federation's name for a person (NotConfigured without a federation key)."""
        if self.federation is None:
            raise NotConfigured(detail="the marriage exchange needs REGISTRY_FEDERATION_KEY")
        return self.federation.ref(document_key)

    def married_elsewhere(self, key: str) -> list[str]:
        """Where else this person (by document key) is currently married, as far as the peers have reported."""
        return sorted({marriage.jurisdiction for marriage in self.current_marriages(key)})

    def current_marriages(self, key: str) -> list[ForeignMarriage]:
        """The person's marriages registered elsewhere and not reported ended."""
        return self.current_marriages_of([key]).get(key, [])

    def current_marriages_of(self, keys: Sequence[str]) -> dict[str, list[ForeignMarriage]]:
        """The same for several people, read together; a person of whom no peer has reported anything is absent."""
        if self.federation is None:
            return {}
        ids = {ForeignStatus.id_for(self.federation.ref(key)): key for key in keys}
        statuses = self.find_all(ids, ForeignStatus, shared=True)
        return {ids[status_id]: status.current_marriages() for status_id, status in statuses.items()}

    def shared_marriage(self, key_a: str, key_b: str) -> ForeignMarriage | None:
        """The marriage registered elsewhere between these two people, if a peer reported one still running."""
        running = self.current_marriages_of([key_a, key_b])
        theirs = set(running.get(key_b, []))
        return next((marriage for marriage in running.get(key_a, []) if marriage in theirs), None)

    def position_of(self, jurisdiction: str) -> int:
        return self.position_in(tracking_name(jurisdiction))

    def apply_fact(self, act: Act, jurisdiction: str, envelope: dict[str, Any]) -> None:
        """Apply one verified fact with the peer's position in the same transaction.

        A fact that is not of the agreed shape refuses whole with InvalidInput, before anything is saved: the
        follower stops before it rather than skip it.
        """
        tracking, changed = self._changes_for(act, jurisdiction, envelope, {})
        self.save_tracked(tracking, *changed)

    def apply_page(self, jurisdiction: str, facts: Sequence[tuple[Act, dict[str, Any]]]) -> PageApplied:
        """Apply a page of verified facts in one transaction, with the peer's position after the last of them: one
        commit per page, not per fact (a follower's round is what a bigamous registration elsewhere waits out).

        A fact that refuses stops the page before it, as apply_fact does: the facts before it are saved and the
        refusal is returned with their number.
        """
        statuses: dict[UUID, ForeignStatus] = {}
        changed: dict[UUID, BaseAggregate[UUID]] = {}
        tracking: Tracking | None = None
        for done, (act, envelope) in enumerate(facts):
            try:
                tracking, changes = self._changes_for(act, jurisdiction, envelope, statuses)
            except InvalidInput as refused:
                return self._save_page(jurisdiction, facts[:done], tracking, changed) or PageApplied(done, refused)
            changed.update((aggregate.id, aggregate) for aggregate in changes)
        return self._save_page(jurisdiction, facts, tracking, changed) or PageApplied(len(facts))

    def _save_page(
        self,
        jurisdiction: str,
        facts: Sequence[tuple[Act, dict[str, Any]]],
        tracking: Tracking | None,
        changed: dict[UUID, BaseAggregate[UUID]],
    ) -> PageApplied | None:
        """Save what these facts changed, with `tracking`; None once saved. If the store's last guard refuses a text
        in them, nothing of the page is saved: they are applied one by one instead, which keeps the facts before the
        refused one and stops before it."""
        if tracking is None:
            return None
        try:
            self.save_tracked(tracking, *changed.values())
        except InvalidInput:
            for done, (act, envelope) in enumerate(facts):
                try:
                    self.apply_fact(act, jurisdiction, envelope)
                except InvalidInput as refused:
                    return PageApplied(done, refused)
        return None

    def _changes_for(
        self, act: Act, jurisdiction: str, envelope: dict[str, Any], statuses: dict[UUID, ForeignStatus]
    ) -> tuple[Tracking, list[BaseAggregate[UUID]]]:
        """What one fact changes, and the peer's position after it; `statuses` holds the statuses already loaded
        (and changed) for this page, so that a person named twice in a page is changed in turn."""
        kind, data, persons = self._checked(envelope)
        origin, on, sequence = (
            str(data.get("origin") or jurisdiction),
            date.fromisoformat(data["on"]),
            int(envelope["sequence"]),
        )
        if kind == REGISTERED and origin != jurisdiction:
            raise InvalidInput([Failure("exchange-fact-malformed", "a marriage is announced by its own registry")])
        tracking = Tracking(tracking_name(jurisdiction), sequence)
        if origin not in (jurisdiction, self.jurisdiction):  # a third province's marriage: its own feed tells us
            return tracking, []
        changed: list[BaseAggregate[UUID]] = []
        if origin == self.jurisdiction:  # a marriage of ours, ended at the peer: the marriage context reacts
            changed.append(MarriageEndedElsewhere.report(
                act, jurisdiction=jurisdiction, sequence=sequence, marriage_id=data["marriage"], how=ENDINGS[kind],
                on=on, persons=sorted(persons),
            ))  # fmt: skip
        for person in persons:
            status = self._status_of(act, person, statuses)
            if kind == REGISTERED:
                status.married(act, jurisdiction=origin, marriage_ref=data["marriage"], on=on)
            else:
                status.ended(act, jurisdiction=origin, marriage_ref=data["marriage"], how=ENDINGS[kind])
            changed.append(status)
        return tracking, changed

    def _status_of(self, act: Act, person: str, statuses: dict[UUID, ForeignStatus]) -> ForeignStatus:
        """The person's foreign status: as this page left it, else as stored, else a new one."""
        status_id = ForeignStatus.id_for(person)
        if status_id not in statuses:
            statuses[status_id] = self.find(status_id, ForeignStatus) or ForeignStatus.open(act, person)
        return statuses[status_id]

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
        origin = data.get("origin")
        if origin is not None and not (isinstance(origin, str) and origin.isascii() and origin.isdigit()):
            raise InvalidInput([Failure("exchange-fact-malformed", "the origin is a jurisdiction code")])
        return kind, data, persons

    def _person_of(self, party: dict[str, Any]) -> str:
        """A party by the federation's person hash; a peer of the earlier format sends the document, hashed here."""
        if "person" in party:
            person = str(party["person"])
            if not PERSON_HASH.match(person):
                raise ValueError("not a person hash")
            return person
        return self.person_hash(document_key(party["document_type"], party["document_number"], party["nationality"]))
