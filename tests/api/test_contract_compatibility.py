"""/v1 only grows: no operation, parameter or field of the committed reference disappears (issue 16; README,
"The API contract")."""

from __future__ import annotations

import json

from tests.api.contract import REFERENCE, promises, served_document


def test_no_operation_parameter_or_field_of_the_v1_reference_disappears() -> None:
    kept = promises(json.loads(REFERENCE.read_text()))
    served = promises(served_document())

    gone = sorted(kept - served)

    assert not gone, "breaking changes to /v1 (see README, The API contract):\n" + "\n".join(gone)


def test_the_reference_promises_every_operation_of_v1() -> None:
    operations = {promise for promise in promises(json.loads(REFERENCE.read_text())) if promise.count(" ") == 1}
    assert len(operations) >= 70 and "POST /v1/marriages" in operations
