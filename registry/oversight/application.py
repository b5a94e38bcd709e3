"""Oversight: the record of what auditors read."""

from __future__ import annotations

from registry.common.actors import Act
from registry.common.application import CommandResult, RegistryApplication
from registry.oversight.access import AccessRecord


class Oversight(RegistryApplication):
    """Keeps an AccessRecord for every auditor read; the audit trail follows it like any other log."""

    name = "oversight"

    def record_read(self, act: Act, *, what: str, target: str, criteria: dict[str, str] | None = None) -> CommandResult:
        return self.execute(act, lambda: [AccessRecord.record(act, what=what, target=target, criteria=criteria or {})])
