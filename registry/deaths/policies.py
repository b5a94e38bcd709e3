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


class WidowhoodPolicy:
    """Follows the deaths log: a married deceased's spouse becomes widowed (and may remarry)."""

    def __init__(self, deaths: Deaths, marriages: MarriageRegistry) -> None:
        self.deaths = deaths
        self.marriages = marriages

    def catch_up(self) -> int:
        """React to every registered death not yet processed; returns how many it processed."""
        processed = 0
        while True:
            position = self.marriages.position_in(self.deaths.name)
            notifications = self.deaths.recorder.select_notifications(
                start=position, limit=BATCH, inclusive_of_start=False, topics=["deaths:Death.Registered"]
            )
            for notification in notifications:
                event = self.deaths.mapper.to_domain_event(notification)
                act = Act(by=POLICY_ACTOR, at=event.timestamp, request_id=getattr(event, "request_id", ""))  # type: ignore[attr-defined]
                try:
                    self.marriages.widow_spouse_of(
                        act,
                        deceased_ref=event.deceased_ref,  # type: ignore[attr-defined]
                        died_on=event.report.died_on,  # type: ignore[attr-defined]
                        tracking=Tracking(self.deaths.name, notification.id),
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
