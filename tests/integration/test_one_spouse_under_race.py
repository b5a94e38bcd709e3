"""One current spouse per person, even when many clerks register marriages for the same person at once."""

import threading
from datetime import date

from registry.common.errors import ConcurrentChange, NotEligible
from registry.system import Registry
from tests.support import BOTH_PRESENT, act, person

DAY = date(2026, 11, 22)
RACERS = 16


def test_of_many_concurrent_registrations_involving_one_person_exactly_one_succeeds(registry: Registry) -> None:
    man = person(date(1990, 1, 1), "male")
    applications = [
        registry.marriage.apply_for_marriage(
            act(DAY), party_a=man, party_b=person(date(1995, 1, 1), "female")
        ).aggregate_id
        for _ in range(RACERS)
    ]
    start = threading.Barrier(RACERS)
    outcomes: list[str] = []

    def register(marriage_id):  # type: ignore[no-untyped-def]
        start.wait()
        try:
            registry.marriage.register_marriage(act(DAY), marriage_id, attendance=BOTH_PRESENT)
            outcomes.append("registered")
        except NotEligible as refused:
            outcomes.append(refused.failures[0].code)
        except ConcurrentChange:
            outcomes.append("conflict")

    threads = [threading.Thread(target=register, args=(m,)) for m in applications]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert outcomes.count("registered") == 1
    assert set(outcomes) <= {"registered", "party-already-married", "conflict"}
    registered = [m for m in applications if registry.marriage.marriage(m).state == "registered"]
    assert len(registered) == 1
    status = registry.marriage.marital_status(man.document_key)
    assert status is not None and [m.marriage_id for m in status.marriages] == registered
