"""Process policies reacting to deaths in other contexts, each exactly once (tracking saved with the reaction)."""

from __future__ import annotations

from eventsourcing.persistence import IntegrityError, Tracking

from registry.common.actors import Act, Actor
from registry.deaths.application import Deaths
from registry.marriage.application import MarriageRegistry

POLICY_ACTOR = Actor(id="policy:widowhood", role="system", office="registry")
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
