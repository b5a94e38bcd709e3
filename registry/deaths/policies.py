"""Process policies reacting to deaths in other contexts, each exactly once (tracking saved with the reaction)."""

from __future__ import annotations

from eventsourcing.persistence import IntegrityError, Tracking

from registry.burial.application import EcoBurialRewards
from registry.common.actors import Act, Actor
from registry.deaths.application import Deaths
from registry.marriage.application import MarriageRegistry

POLICY_ACTOR = Actor(id="policy:widowhood", role="system", office="registry")
ECO_BURIAL_ACTOR = Actor(id="policy:eco-burial-reward", role="system", office="civil-affairs")
BATCH = 100


# The events after which a death may be in effect and free of review: a registration by its issuer (or one stored
# before confirmation existed), a supervisor's or issuer's confirmation, and the end of a review.
MAY_TAKE_EFFECT = ["deaths:Death.Registered", "deaths:Death.Confirmed", "deaths:Death.ReviewResolved"]


class WidowhoodPolicy:
    """Follows the deaths log: when a married deceased's death first is in effect and free of review, the spouse is
    widowed as of the date of death known then.

    A clerk's registration awaiting confirmation, a rejected one, or a death under review widows nobody: the
    confirmation or the review's end is the event that does. Each event is processed exactly once (its tracking
    position is saved with the reaction), and only the first moment a death is in effect reacts, so a review after
    the widowing never widows again, nor re-dates the marriage's end (see notes/deaths.md).
    """

    def __init__(self, deaths: Deaths, marriages: MarriageRegistry) -> None:
        self.deaths = deaths
        self.marriages = marriages

    def catch_up(self) -> int:
        """React to every such event not yet processed; returns how many it processed."""
        processed = 0
        while True:
            position = self.marriages.position_in(self.deaths.name)
            notifications = self.deaths.recorder.select_notifications(
                start=position, limit=BATCH, inclusive_of_start=False, topics=MAY_TAKE_EFFECT
            )
            for notification in notifications:
                tracking = Tracking(self.deaths.name, notification.id)
                death = self.deaths.first_in_effect_at(notification.originator_id, notification.originator_version)  # type: ignore[arg-type]
                try:
                    if death is None:
                        self.marriages.save_tracked(tracking)
                    else:
                        event = self.deaths.mapper.to_domain_event(notification)
                        act = Act(by=POLICY_ACTOR, at=event.timestamp, request_id=getattr(event, "request_id", ""))  # type: ignore[attr-defined]
                        self.marriages.widow_spouse_of(
                            act, deceased_ref=death.deceased_ref, died_on=death.report.died_on, tracking=tracking
                        )
                except IntegrityError:
                    break  # another runner processed it first: start again from the recorded position
                processed += 1
            if len(notifications) < BATCH:
                return processed


class EcoBurialTaskPolicy:
    """Follows the rewards log: a paid eco-burial reward completes the bundle's eco-burial task."""

    def __init__(self, rewards: EcoBurialRewards, deaths: Deaths) -> None:
        self.rewards = rewards
        self.deaths = deaths

    def catch_up(self) -> int:
        processed = 0
        while True:
            position = self.deaths.position_in(self.rewards.name)
            notifications = self.rewards.recorder.select_notifications(
                start=position, limit=BATCH, inclusive_of_start=False, topics=["burial:RewardClaim.Paid"]
            )
            for notification in notifications:
                paid = self.rewards.mapper.to_domain_event(notification)
                claim = self.rewards.claim(paid.originator_id)
                act = Act(by=ECO_BURIAL_ACTOR, at=paid.timestamp, request_id=getattr(paid, "request_id", ""))  # type: ignore[attr-defined]
                try:
                    self.deaths.complete_task_by_policy(
                        act, death_id=claim.death_id, service="eco-burial-reward",
                        reference=f"reward claim {claim.id} paid: {paid.payment_reference}",  # type: ignore[attr-defined]
                        tracking=Tracking(self.rewards.name, notification.id),
                    )  # fmt: skip
                except IntegrityError:
                    break
                processed += 1
            if len(notifications) < BATCH:
                return processed
