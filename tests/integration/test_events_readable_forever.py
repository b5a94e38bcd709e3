"""Stored events stay readable: upcasters for events stored by older versions (the stable topics of every
class: tests/unit/test_stable_topics.py)."""

from __future__ import annotations

from datetime import date

from eventsourcing.persistence import StoredEvent

from registry.marriage.marriage import Marriage
from registry.system import Registry
from tests.support import act, person

DAY = date(2026, 11, 22)


def test_a_refusal_stored_as_version_1_loads_with_an_empty_list_of_failed_conditions(registry: Registry) -> None:
    filed = registry.marriage.apply_for_marriage(
        act(DAY), party_a=person(date(1990, 1, 1), "male"), party_b=person(date(1991, 1, 1), "female")
    )
    marriage = registry.marriage.marriage(filed.aggregate_id)
    marriage.refuse(act(DAY), reason="documents forged", failed_conditions=["ignored"], found=[])
    [refused] = marriage.collect_events()
    # Store it the way version 1 of the event was stored: no failed_conditions, no findings, no class_version.
    dropped = ("originator_id", "originator_version", "failed_conditions", "findings")
    state = {k: v for k, v in vars(refused).items() if k not in dropped}
    mapper = registry.marriage.mapper
    encoded = mapper.transcoder.encode(state)
    assert mapper.cipher is not None
    registry.marriage.recorder.insert_events(
        [
            StoredEvent(
                refused.originator_id,
                refused.originator_version,
                "marriage:Marriage.Refused",
                mapper.cipher.encrypt(encoded),
            )
        ]
    )
    reloaded = registry.marriage.marriage(filed.aggregate_id)
    assert (reloaded.state, reloaded.refusal_reason) == ("refused", "documents forged")
    [_, event] = registry.marriage.events.get(filed.aggregate_id)
    assert isinstance(event, Marriage.Refused) and event.failed_conditions == [] and event.findings == []
