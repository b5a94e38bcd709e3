"""Schemathesis' stateful testing over the OpenAPI links: a create (POST /v1/marriages, /v1/deaths, ...) is chained to
the operations on the record it created, each called by a role the operation names in `x-roles`; every answer must
be documented, as in tests/fuzz/test_openapi.py (issue 16). Bounded and derandomized like that test."""

from __future__ import annotations

from typing import Any, ClassVar

import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test
from litestar import Litestar

from tests.fuzz.test_openapi import CHECKS, app, callers, fuzz_registry, served_openapi

__all__ = ["app", "callers", "fuzz_registry"]  # the fixtures this module shares with test_openapi.py

STEPS = 8
RUNS = 12

schema = schemathesis.openapi.from_dict(served_openapi())
schema.config.phases.update(phases=["stateful"])
schema.config.generation.update(deterministic=True, database="none")


class RegistryWorkflow(schema.as_state_machine()):  # type: ignore[misc]
    """Each call made by the first role its operation names (none on public operations)."""

    app: ClassVar[Litestar]
    callers: ClassVar[dict[str, dict[str, str]]]

    def get_call_kwargs(self, case: schemathesis.Case) -> dict[str, Any]:
        roles = case.operation.definition.raw.get("x-roles") or ["anonymous"]
        return {"headers": self.callers[roles[0]], "app": self.app}

    def validate_response(self, response: Any, case: schemathesis.Case, **kwargs: Any) -> None:
        case.validate_response(response, checks=CHECKS)


def test_chained_operations_answer_only_what_the_openapi_documents(
    app: Litestar, callers: dict[str, dict[str, str]]
) -> None:
    RegistryWorkflow.app, RegistryWorkflow.callers = app, callers
    run_state_machine_as_test(
        RegistryWorkflow,
        settings=settings(
            max_examples=RUNS, stateful_step_count=STEPS, deadline=None, derandomize=True, database=None,
            suppress_health_check=list(HealthCheck),
        ),
    )  # fmt: skip
