"""The marriage context reacting to the exchange: a marriage registered here, dissolved in another province."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.persistence import Tracking

from registry.common.actors import Act, Actor
from registry.common.policy import Policy
from registry.exchange.application import MarriageExchange
from registry.marriage.application import MarriageRegistry

EXCHANGE_ACTOR = Actor(id="policy:ended-elsewhere", role="system", office="registry")


class EndedElsewherePolicy(Policy):
    """Follows the exchange log: another registry dissolved one of this registry's marriages (a divorce by agreement
    there, from the record in the exchange); the marriage and both people's status here follow, once."""

    topics = ("exchange:MarriageEndedElsewhere.Reported",)
    actor = EXCHANGE_ACTOR

    def __init__(self, exchange: MarriageExchange, marriages: MarriageRegistry) -> None:
        super().__init__(exchange, marriages)
        self.marriages = marriages

    def react(self, act: Act, event: Any, tracking: Tracking) -> None:
        try:
            marriage_id = UUID(event.marriage_id)
        except ValueError:  # not one of ours after all
            self.marriages.save_tracked(tracking)
            return
        self.marriages.end_as_reported(
            act, marriage_id=marriage_id, how=event.how, on=event.on, reported_by=event.reported_by,
            persons=frozenset(event.persons), tracking=tracking,
        )  # fmt: skip
