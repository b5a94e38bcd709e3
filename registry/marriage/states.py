"""The states a marriage record passes through, and when an application left open lapses."""

from __future__ import annotations

from datetime import date, timedelta

APPLIED = "applied"
REFUSED = "refused"
REGISTERED = "registered"
DISSOLVED = "dissolved"
ENDED_BY_DEATH = "ended-by-death"
VOID = "void"
ANNULLED = "annulled"
LAPSED = "lapsed"  # derived, never recorded: an application not registered or refused in time

# A local choice, not the law's: the Marriage Registration Regulations (2025) art 10 say the office registers on the
# spot or refuses with reasons, and set no period; an application nobody comes back for lapses after this many days
# (REGISTRY_APPLICATION_LAPSE_DAYS), so that none stays open for ever (docs/domain.md M10).
APPLICATION_LAPSE_DAYS = 30


def application_lapses_on(applied_on: date, lapse_days: int) -> date:
    """The first day an application filed on applied_on, still open, has lapsed: day lapse_days is its last."""
    return applied_on + timedelta(days=lapse_days + 1)
