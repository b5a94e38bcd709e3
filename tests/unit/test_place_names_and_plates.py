"""Place names and door plates: given/when/then for the naming lifecycle and the numbering rules."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from registry.common.actors import Actor
from registry.common.errors import Forbidden, NotEligible, WrongState
from registry.places.application import sound_of
from registry.places.names import NameIndex, PlaceName
from registry.places.plates import LEFT, RIGHT, RoadNumbering
from tests.support import act

DAY = date(2026, 11, 2)
OFFICER = Actor("officer-1", "place-name-officer", "330782-civil-affairs")
GOVERNMENT = Actor("mayor-office", "place-name-officer", "330782-government")
BANNED = {"万达": "company-or-trademark-name", "曼哈顿": "foreign-place-name"}


def proposed(name: str = "丹溪路", kind: str = "road", permit: bool = False) -> PlaceName:
    return PlaceName.propose(act(DAY, by=OFFICER), name=name, sound=sound_of(name), kind=kind,
                             origin_and_meaning="纪念朱丹溪", planning_reference="规划2026-1",
                             planning_permit_issued=permit, banned=BANNED)  # fmt: skip


def test_names_that_sound_the_same_without_tones_have_the_same_sound() -> None:
    assert sound_of("稠州路") == sound_of("仇州路") == "chou zhou lu"


def test_a_homophone_in_the_same_scope_is_refused_naming_the_name_in_use() -> None:
    index = NameIndex.open(act(DAY), "city:330782", sound_of("稠州路"))
    first = uuid4()
    index.hold(act(DAY), first, "稠州路")
    with pytest.raises(NotEligible) as caught:
        index.hold(act(DAY), uuid4(), "仇州路")
    assert (caught.value.failures[0].code, "稠州路" in caught.value.failures[0].detail) == ("name-sounds-like", True)
    with pytest.raises(NotEligible) as duplicate:
        index.hold(act(DAY), uuid4(), "稠州路")
    assert duplicate.value.failures[0].code == "name-duplicate"


def test_company_and_foreign_place_names_are_refused_naming_the_rule() -> None:
    with pytest.raises(NotEligible) as caught:
        proposed("曼哈顿万达广场", kind="square-park")
    assert sorted(f.code for f in caught.value.failures) == ["company-or-trademark-name", "foreign-place-name"]


def test_an_estate_is_named_before_its_planning_permit() -> None:
    with pytest.raises(NotEligible) as caught:
        proposed("丹溪小区", kind="estate", permit=True)
    assert [f.code for f in caught.value.failures] == ["named-after-planning-permit"]


def noticed(kind: str = "road") -> PlaceName:
    place = proposed(kind=kind)
    place.review(act(DAY, by=OFFICER), opinion="符合规范")
    place.publish_notice(act(DAY, by=OFFICER), starts_on=DAY)
    return place


def test_approval_on_the_last_day_of_the_15_day_notice_is_refused_and_the_next_day_accepted() -> None:
    place = noticed()
    with pytest.raises(WrongState) as caught:
        place.approve(act(date(2026, 11, 16), by=GOVERNMENT), on=date(2026, 11, 16))
    assert caught.value.failures[0].code == "public-notice-not-over"
    place.approve(act(date(2026, 11, 17), by=GOVERNMENT), on=date(2026, 11, 17))
    assert place.filing_due_on == date(2026, 12, 2)


def test_only_the_authority_for_the_kind_approves() -> None:
    with pytest.raises(Forbidden):
        noticed().approve(act(date(2026, 11, 20), by=OFFICER), on=date(2026, 11, 20))


def test_filing_after_15_days_is_recorded_late_and_a_rename_keeps_the_old_name() -> None:
    place = noticed()
    place.approve(act(date(2026, 11, 17), by=GOVERNMENT), on=date(2026, 11, 17))
    place.file_above(act(date(2026, 12, 3)), on=date(2026, 12, 3))
    [*_, filed] = place.collect_events()
    assert filed.late is True  # type: ignore[attr-defined]
    place.rename(act(DAY), name="朱丹溪路", sound=sound_of("朱丹溪路"), on=date(2026, 12, 5), reason="全称")
    assert (place.name, place.former_names) == ("朱丹溪路", ["丹溪路"])


def numbering() -> RoadNumbering:
    return RoadNumbering.start(act(DAY), uuid4())


def test_numbers_ascend_from_the_start_odd_on_the_left_even_on_the_right() -> None:
    road = numbering()
    labels = [road.issue(act(DAY), side=s, distance=d, plate_id=uuid4()).label
              for s, d in ((LEFT, 10), (LEFT, 50), (RIGHT, 12), (RIGHT, 40), (LEFT, 90))]  # fmt: skip
    assert labels == ["1", "3", "2", "4", "5"]


def test_an_infill_building_between_two_numbers_gets_a_sub_number() -> None:
    road = numbering()
    for distance in (10, 50):
        road.issue(act(DAY), side=RIGHT, distance=distance, plate_id=uuid4())
    assert road.issue(act(DAY), side=RIGHT, distance=30, plate_id=uuid4()).label == "2-1"
    assert road.issue(act(DAY), side=RIGHT, distance=40, plate_id=uuid4()).label == "2-2"


def test_a_reserved_spare_number_goes_to_the_building_that_comes_there() -> None:
    road = numbering()
    road.issue(act(DAY), side=LEFT, distance=10, plate_id=uuid4())
    road.reserve(act(DAY), side=LEFT, count=2, from_distance=20, to_distance=60)
    road.issue(act(DAY), side=LEFT, distance=100, plate_id=uuid4())
    assert road.issue(act(DAY), side=LEFT, distance=30, plate_id=uuid4()).label == "3"
    numbers = sorted((s.number, s.sub) for s in road.side(LEFT))
    assert numbers == [(1, 0), (3, 0), (5, 0), (7, 0)]  # 5 is still spare; no number skipped or repeated


def test_two_plates_for_one_position_are_refused() -> None:
    road = numbering()
    road.issue(act(DAY), side=LEFT, distance=10, plate_id=uuid4())
    with pytest.raises(NotEligible):
        road.issue(act(DAY), side=LEFT, distance=10, plate_id=uuid4())
