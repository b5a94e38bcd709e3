"""Who acts, and on which request: every event carries both."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Role(StrEnum):
    """The roles of the people and systems that use the registry."""

    CLERK = "clerk"
    SUPERVISOR = "supervisor"
    COURT = "court"
    AUDITOR = "auditor"
    CITIZEN = "citizen"
    DV_SOURCE = "dv-source"  # a court or police authority that issues domestic-violence records
    HOSPITAL = "hospital"  # issues medical death certificates
    POLICE = "police"  # issues police death certificates
    DEPARTMENT = "department"  # staff of a department acting on its tasks (office = the department's code)
    PLACE_NAME_OFFICER = "place-name-officer"  # proposes, reviews, approves (office = authority) names; numbers plates
    CONSTRUCTION = "construction"  # planning and construction: reports completed buildings (zero-trip plates)
    EXCHANGE_PEER = "exchange-peer"  # another province's registry (office = its jurisdiction code)
    UTILITY = "utility"  # a utility company keeping a copy of the address register through its feed
    OPERATOR = "operator"  # runs the registry: readiness details, quarantined events, metrics (no personal data)


@dataclass(frozen=True)
class Actor:
    """An authenticated actor: subject id, role, and the office or department they act for."""

    id: str
    role: str
    office: str = ""


@dataclass(frozen=True)
class Act:
    """One act: who does it, when (from the injected clock), and on which request."""

    by: Actor
    at: datetime
    request_id: str
    idempotency_key: str | None = None
