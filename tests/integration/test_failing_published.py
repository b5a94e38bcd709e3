"""The processes that keep the read models apart from the servers (`registry project`, `registry serve`'s child)
publish their failing steps, and a server's /ready names them as it names those of a runner in its own process
(projections/failing.py)."""

from __future__ import annotations

import time
from datetime import date

from api.controllers.health import readiness
from projections.catalog import ReadSide
from projections.failing import publish_failing, published_failing
from registry.system import Registry
from tests.support import BOTH_PRESENT, act, person

DAY = date(2026, 11, 22)


def failing_reasons(registry: Registry, server: ReadSide) -> list[str]:
    return [reason for reason in readiness(registry, server)["reasons"] if " is failing " in reason]


def marry(registry: Registry) -> None:
    man, woman = person(date(1990, 1, 1), "male"), person(date(1992, 2, 2), "female")
    marriage = registry.marriage.apply_for_marriage(act(DAY), party_a=man, party_b=woman).aggregate_id
    registry.marriage.register_marriage(act(DAY), marriage, attendance=BOTH_PRESENT)


def test_a_server_keeping_no_read_models_names_in_ready_the_steps_failing_in_the_read_models_process(
    registry: Registry, read_side: ReadSide
) -> None:
    marry(registry)
    with read_side.store.transaction() as cursor:
        cursor.execute("DROP TABLE marital_status")  # a fault of the store: the step fails, nothing is quarantined
    keeper = read_side.projection_service(publish_failing=True)  # as `registry project` runs it
    server = ReadSide(registry)  # a server's read side: it keeps no read models
    try:
        keeper.run_round()
        keeper.publish_failing()  # as run_forever does after every round
        [reason] = failing_reasons(registry, server)
        assert reason.startswith("marital_status/marriage is failing (")

        read_side.migrate()  # the table is back: the next round catches up and publishes that nothing fails
        keeper.run_round()
        keeper.publish_failing()
        assert failing_reasons(registry, server) == []
        assert readiness(registry, server)["status"] == "ready"
    finally:
        server.close()


def test_a_read_models_process_corrects_what_another_left_for_a_step_it_applies(
    registry: Registry, read_side: ReadSide
) -> None:
    publish_failing(read_side.store, {"audit_trail/marriage": "OperationalError"}, [])  # a process that died failing
    keeper = read_side.projection_service(publish_failing=True)
    keeper.run_round()
    keeper.publish_failing()
    assert published_failing(read_side.store) == {}


def test_two_processes_failing_the_same_step_both_publish_it_and_the_last_error_is_named(read_side: ReadSide) -> None:
    publish_failing(read_side.store, {"audit_trail/marriage": "OperationalError"}, [])
    publish_failing(read_side.store, {"audit_trail/marriage": "UndefinedTable"}, [])  # no conflict between them
    assert published_failing(read_side.store) == {"audit_trail/marriage": "UndefinedTable"}


def test_a_read_models_process_that_stops_withdraws_the_failing_steps_it_published(
    registry: Registry, read_side: ReadSide
) -> None:
    marry(registry)
    with read_side.store.transaction() as cursor:
        cursor.execute("DROP TABLE marital_status")
    keeper = read_side.projection_service(publish_failing=True)
    keeper.start()  # run_forever in a thread, as `registry project` runs it
    try:
        deadline = time.monotonic() + 10
        while not published_failing(read_side.store) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert list(published_failing(read_side.store)) == ["marital_status/marriage"]
    finally:
        keeper.stop()
    assert published_failing(read_side.store) == {}


def test_a_round_whose_failing_steps_cannot_be_published_still_completes_and_publishes_after_a_later_round(
    registry: Registry, read_side: ReadSide
) -> None:
    marry(registry)
    with read_side.store.transaction() as cursor:
        cursor.execute("DROP TABLE projection_failing")  # as on a store not yet migrated
        cursor.execute("DROP TABLE marital_status")
    keeper = read_side.projection_service(publish_failing=True)
    keeper.run_round()
    keeper.publish_failing()  # fails, quietly but for a warning: the round's work stands
    assert list(keeper.failing) == ["marital_status/marriage"]

    read_side.migrate()
    keeper.run_round()  # marital_status catches up; what fails now (nothing) is published
    keeper.publish_failing()
    assert published_failing(read_side.store) == {}
    assert keeper.failing == {}
