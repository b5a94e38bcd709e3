"""Clocks are injected; aggregates never read the time themselves."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Protocol, runtime_checkable

# China Standard Time has been UTC+8 without daylight saving since 1991: dates of legal acts are local dates.
CHINA_STANDARD_TIME = timezone(timedelta(hours=8), "CST")


def local_date(moment: datetime) -> date:
    """The calendar date in the city at a given moment."""
    return moment.astimezone(CHINA_STANDARD_TIME).date()


@runtime_checkable
class Clock(Protocol):
    """Something that tells the current time (timezone-aware)."""

    def now(self) -> datetime: ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock for tests and replays that stays where it is set."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def now(self) -> datetime:
        return self.moment

    def advance(self, delta: timedelta) -> None:
        """Move the clock forward."""
        self.moment += delta
