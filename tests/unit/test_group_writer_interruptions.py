"""An interrupted group write never reports a command saved that was not, and never leaves the writer stuck."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from eventsourcing.application import ProcessingEvent

from registry.common.group_commit import GroupWriter, StoreInterrupted


class Interrupting:
    """A record function that is interrupted once the whole group has arrived, then records nothing more."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, processing_event: ProcessingEvent[Any]) -> list[Any]:
        self.calls += 1
        if self.calls == 1:
            raise KeyboardInterrupt
        return [object() for _ in processing_event.events]


def one_event() -> ProcessingEvent[Any]:
    processing_event: ProcessingEvent[Any] = ProcessingEvent()
    processing_event.events.append(type("Event", (), {"originator_id": object(), "originator_version": 1})())
    return processing_event


def test_an_interrupted_group_write_fails_every_command_of_the_group_and_the_next_write_goes_through() -> None:
    record = Interrupting()
    writer = GroupWriter(record, max_wait=5.0)
    outcomes: dict[str, Any] = {}
    with writer.deciding():  # a command still deciding: the leader waits for it to join the group
        leader = threading.Thread(target=lambda: outcomes.update(leader=_outcome(writer)))
        leader.start()
        follower = threading.Thread(target=lambda: outcomes.update(follower=_outcome(writer)))
        follower.start()
        while len(writer._queue) < 2 and leader.is_alive():
            threading.Event().wait(0.01)
    leader.join(10)
    follower.join(10)
    assert {type(outcomes["leader"]), type(outcomes["follower"])} == {KeyboardInterrupt, StoreInterrupted}
    assert len(writer.write(one_event())) == 1


def _outcome(writer: GroupWriter) -> Any:
    try:
        return writer.write(one_event())
    except BaseException as error:
        return error


def test_a_lone_interrupted_write_leaves_the_writer_free() -> None:
    writer = GroupWriter(Interrupting())
    with pytest.raises(KeyboardInterrupt):
        writer.write(one_event())
    assert len(writer.write(one_event())) == 1
