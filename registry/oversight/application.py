"""Oversight: the record of what officials read (PIPL arts 28, 29, 51: reads of personal data are accountable)."""

from __future__ import annotations

from collections.abc import Sequence

from registry.common.actors import Act
from registry.common.application import CommandResult, RegistryApplication
from registry.oversight.access import AccessRecord


class Oversight(RegistryApplication):
    """Keeps an AccessRecord for every official's read; the audit trail follows it like any other log."""

    name = "oversight"

    def record_read(
        self,
        act: Act,
        *,
        what: str,
        target: str,
        criteria: dict[str, str] | None = None,
        person_refs: Sequence[str] = (),
        route: str = "",
    ) -> CommandResult:
        record = AccessRecord.record(
            act, what=what, target=target, criteria=criteria or {}, person_refs=sorted(set(person_refs)), route=route
        )
        return self.execute(act, lambda: [record])
