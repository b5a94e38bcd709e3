"""Named domain errors with stable codes; the API maps each to a problem type in one place."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Failure:
    """One failed condition: a stable code, a human explanation (never personal data), and what it concerns."""

    code: str
    detail: str
    subject: str = ""


class DomainError(Exception):
    """Base class of every rule the registry refuses to break."""

    code = "domain-error"
    title = "The request breaks a rule of the registry"

    def __init__(self, failures: Sequence[Failure] | None = None, detail: str | None = None) -> None:
        self.failures = list(failures or [])
        self.detail = detail or "; ".join(f.detail for f in self.failures) or self.title
        super().__init__(self.detail)


class InvalidInput(DomainError):
    """Well-formed input that a rule rejects (a wrong check character, an impossible date)."""

    code = "invalid-input"
    title = "The input is not valid"


class NotEligible(DomainError):
    """A registration whose conditions are not all met; every failed condition is listed."""

    code = "not-eligible"
    title = "The conditions for this act are not met"


class WrongState(DomainError):
    """The act does not fit the record's current state (already registered, withdrawn, lapsed...)."""

    code = "wrong-state"
    title = "The record is not in a state that allows this act"


class NotFound(DomainError):
    """No record with that id, or none the caller may see: the two answers are the same, byte for byte, so that a
    caller cannot learn that a record they may not see exists. Raise it without a detail for records."""

    code = "not-found"
    title = "No such record"


class Forbidden(DomainError):
    """The actor may not perform this act on this record."""

    code = "forbidden"
    title = "Not allowed for this actor"


class VersionMismatch(DomainError):
    """The caller's expected version (If-Match) is not the record's current version."""

    code = "version-mismatch"
    title = "The record has changed since you read it"


class ConcurrentChange(DomainError):
    """Another request changed the same records at the same moment and retries did not resolve it."""

    code = "concurrent-change"
    title = "A concurrent change conflicted with this request"


class IdempotencyKeyReused(DomainError):
    """An idempotency key was reused with a different request."""

    code = "idempotency-key-reused"
    title = "This Idempotency-Key was already used for a different request"


class NotConfigured(DomainError):
    """A service this registry has not been configured to offer (e.g. the exchange without a federation key)."""

    code = "not-configured"
    title = "This service is not configured on this registry"


class MalformedRequest(DomainError):
    """A request header or parameter that is not of the form the API documents."""

    code = "malformed-request"
    title = "The request is malformed"


class CalendarMissing(DomainError):
    """A period reaches a year whose working calendar (the State Council's holiday schedule) is not configured."""

    code = "working-calendar-missing"
    title = "No working calendar for that year"
