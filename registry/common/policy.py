"""Process policies: one context reacts to another's events, exactly once, in the order they were recorded."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import IntegrityError, Tracking

from registry.common.actors import Act, Actor
from registry.common.application import TrackedApplication

BATCH = 100


class Policy(ABC):
    """Follows the upstream application's log for some topics and reacts in the downstream application.

    Each reaction is saved in the downstream store together with the upstream position it answers (its tracking),
    so a repeat — a second runner, a crash before the next position — fails on the tracking key instead of reacting
    twice. A reaction that changes nothing still saves its tracking.
    """

    topics: Sequence[str]
    actor: Actor

    def __init__(self, upstream: Application[UUID], downstream: TrackedApplication) -> None:
        self.upstream = upstream
        self.downstream = downstream

    @property
    def upstream_name(self) -> str:
        """The application whose log this policy follows."""
        return self.upstream.name

    def catch_up(self) -> int:
        """React to every event not yet processed; returns how many it processed."""
        processed = 0
        while True:
            position = self.downstream.position_in(self.upstream.name)
            notifications = self.upstream.recorder.select_notifications(
                start=position, limit=BATCH, inclusive_of_start=False, topics=list(self.topics)
            )
            for notification in notifications:
                event = self.upstream.mapper.to_domain_event(notification)
                act = Act(by=self.actor, at=event.timestamp, request_id=str(getattr(event, "request_id", "")))  # type: ignore[attr-defined]
                try:
                    self.react(act, event, Tracking(self.upstream.name, notification.id))
                except IntegrityError:
                    return processed  # another runner went first: the next round resumes from the recorded position
                processed += 1
            if len(notifications) < BATCH:
                return processed

    @abstractmethod
    def react(self, act: Act, event: Any, tracking: Tracking) -> None:
        """Change the downstream application for one event, saving the tracking with the change."""
