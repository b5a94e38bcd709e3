"""Process policies reacting to deaths in other contexts, each exactly once (tracking saved with the reaction)."""

from __future__ import annotations

from typing import Any

from eventsourcing.persistence import Tracking

from registry.burial.application import EcoBurialRewards
from registry.common.actors import Act, Actor
from registry.common.policy import Policy
from registry.deaths.application import Deaths
from registry.marriage.application import MarriageRegistry

POLICY_ACTOR = Actor(id="policy:widowhood", role="system", office="registry")
ECO_BURIAL_ACTOR = Actor(id="policy:eco-burial-reward", role="system", office="civil-affairs")


# The events after which a death may be in effect and free of review: a registration by its issuer (or one stored
# before confirmation existed), a supervisor's or issuer's confirmation, and the end of a review.
MAY_TAKE_EFFECT = ("deaths:Death.Registered", "deaths:Death.Confirmed", "deaths:Death.ReviewResolved")


class WidowhoodPolicy(Policy):
    """Follows the deaths log: when a married deceased's death first is in effect and free of review, the spouse is
    widowed as of the date of death known then.

    A clerk's registration awaiting confirmation, a rejected one, or a death under review widows nobody: the
    confirmation or the review's end is the event that does. Only the first moment a death is in effect reacts, so a
    review after the widowing never widows again, nor re-dates the marriage's end (see notes/deaths.md).
    """

    topics = MAY_TAKE_EFFECT
    actor = POLICY_ACTOR

    def __init__(self, deaths: Deaths, marriages: MarriageRegistry) -> None:
        super().__init__(deaths, marriages)
        self.deaths = deaths
        self.marriages = marriages

    def react(self, act: Act, event: Any, tracking: Tracking) -> None:
        death = self.deaths.first_in_effect_at(event.originator_id, event.originator_version)
        if death is None:
            self.marriages.save_tracked(tracking)
            return
        self.marriages.widow_spouse_of(
            act, deceased_ref=death.deceased_ref, died_on=death.report.died_on, tracking=tracking
        )


class EcoBurialTaskPolicy(Policy):
    """Follows the rewards log: a paid eco-burial reward completes the bundle's eco-burial task."""

    topics = ("burial:RewardClaim.Paid",)
    actor = ECO_BURIAL_ACTOR

    def __init__(self, rewards: EcoBurialRewards, deaths: Deaths) -> None:
        super().__init__(rewards, deaths)
        self.rewards = rewards
        self.deaths = deaths

    def react(self, act: Act, event: Any, tracking: Tracking) -> None:
        claim = self.rewards.claim(event.originator_id)
        self.deaths.complete_task_by_policy(
            act, death_id=claim.death_id, service="eco-burial-reward",
            reference=f"reward claim {claim.id} paid: {event.payment_reference}", tracking=tracking,
        )  # fmt: skip
