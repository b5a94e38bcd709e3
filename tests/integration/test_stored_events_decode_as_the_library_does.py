"""The registry's applications decode their stored events with msgspec, into the events the library's own decoder
gives (tests/unit/test_msgspec_transcoding.py proves it for every event class; this, on stored, encrypted events)."""

from __future__ import annotations

from eventsourcing.persistence import JSONTranscoder, Mapper

from registry.common.transcoding import MsgspecJSONTranscoder
from registry.system import Registry
from tests.integration.test_projections import some_history


def test_every_stored_event_decodes_as_the_library_decodes_it(registry: Registry) -> None:
    some_history(registry)
    compared = 0
    for application in registry.applications().values():
        assert isinstance(application.mapper.transcoder, MsgspecJSONTranscoder)
        library_transcoder = JSONTranscoder()
        application.register_transcodings(library_transcoder)
        library = Mapper[object](library_transcoder, cipher=application.mapper.cipher)
        for notification in application.recorder.select_notifications(start=1, limit=10_000):
            ours, theirs = application.mapper.to_domain_event(notification), library.to_domain_event(notification)
            assert (type(ours), repr(vars(ours))) == (type(theirs), repr(vars(theirs)))
            compared += 1
    assert compared >= 10
