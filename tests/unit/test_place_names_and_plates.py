"""Place names and door plates: given/when/then for the naming lifecycle and the numbering rules."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from uuid import UUID, uuid4

import pytest

from registry.common.actors import Actor
from registry.common.errors import Forbidden, NotEligible, WrongState
from registry.common.workdays import WorkingCalendar
from registry.places.jurisdiction import filing_destination
from registry.places.name_index import SpecificNameIndex
from registry.places.names import PlaceName
from registry.places.plates import LEFT, RIGHT, RoadNumbering
from registry.places.policy import CIVIL_AFFAIRS, CONSULTED, DEFAULT_AUTHORITIES
from tests.support import act

DAY = date(2026, 11, 2)
CALENDAR = WorkingCalendar.published()
OFFICER = Actor("officer-1", "place-name-officer", "330782-civil-affairs")
GOVERNMENT = Actor("mayor-office", "place-name-officer", "330782-government")
HOUSING = Actor("housing-1", "place-name-officer", "330782-housing")


def proposed(
    name: str = "丹溪路", kind: str = "road", permit: bool = False, banned: dict[str, str] | None = None,
    built_and_unnamed: bool = False,
) -> PlaceName:  # fmt: skip
    place = PlaceName.propose(
        act(DAY, by=OFFICER), name=name, sound="", kind=kind, area="city", specific=name[:-1], index_keys=[],
        origin_and_meaning="纪念朱丹溪", planning_reference="规划2026-1", planning_permit_issued=permit,
        built_and_unnamed=built_and_unnamed, banned=banned or {}, homophones=[], id=uuid4(),
    )  # fmt: skip
    return place


def test_a_duplicate_specific_part_in_the_index_is_refused_naming_the_holder_and_a_homophone_is_listed() -> None:
    index = SpecificNameIndex.open(act(DAY), "area:city/road/chou zhou")
    first = uuid4()
    index.hold(act(DAY), first, "稠州路", "稠州")
    with pytest.raises(NotEligible) as caught:
        index.hold(act(DAY), uuid4(), "稠州街", "稠州")
    assert caught.value.failures[0].code == "name-duplicate" and "稠州路" in caught.value.detail
    assert index.homophones(uuid4(), "仇州") == ["稠州路"]
    assert index.homophones(first, "稠州") == []


def test_a_name_with_a_banned_entry_passes_review_only_with_the_reviewers_reason_for_each_entry() -> None:
    place = proposed("曼哈顿万达广场", kind="square-park",
                     banned={"万达": "company-or-trademark-name", "曼哈顿": "foreign-place-name"})  # fmt: skip
    with pytest.raises(NotEligible) as caught:
        place.review(act(DAY, by=OFFICER), opinion="符合规范", no_link_reasons={"万达": "万达村旧名"})
    assert [f.code for f in caught.value.failures] == ["foreign-place-name"]
    with pytest.raises(NotEligible) as unknown:
        place.review(act(DAY, by=OFFICER), opinion="", no_link_reasons={"万达": "x", "曼哈顿": "x", "巴黎": "x"})
    assert [f.code for f in unknown.value.failures] == ["no-such-banned-entry"]
    place.review(act(DAY, by=OFFICER), opinion="符合规范", no_link_reasons={"万达": "万达村旧名", "曼哈顿": "音译巧合"})
    assert place.no_link_reasons == {"万达": "万达村旧名", "曼哈顿": "音译巧合"}


def test_an_estate_is_named_before_its_planning_permit_unless_built_and_still_unnamed() -> None:
    with pytest.raises(NotEligible) as caught:
        proposed("丹溪小区", kind="estate", permit=True)
    assert [f.code for f in caught.value.failures] == ["named-after-planning-permit"]
    assert proposed("丹溪小区", kind="estate", permit=True, built_and_unnamed=True).built_and_unnamed


def noticed(kind: str = "road", starts_on: date = DAY) -> PlaceName:
    place = proposed(kind=kind)
    place.review(act(starts_on, by=OFFICER), opinion="符合规范", no_link_reasons={})
    place.publish_notice(act(starts_on, by=OFFICER), starts_on=starts_on, days=15, calendar=CALENDAR)
    return place


def approve(place: PlaceName, on: date, by: Actor = GOVERNMENT, homophones: list[str] | None = None,
            reason: str = "") -> None:  # fmt: skip
    place.approve(
        act(on, by=by), on=on, authority=DEFAULT_AUTHORITIES[place.kind], consulted=CONSULTED.get(place.kind),
        homophones=homophones or [], homophone_reason=reason, calendar=CALENDAR,
    )  # fmt: skip


def test_the_public_consultation_runs_15_days_after_its_publication_and_approval_comes_after_it() -> None:
    place = noticed()  # published Monday 2 November: day 15 is Tuesday 17 November
    assert place.notice_last_day == date(2026, 11, 17)
    with pytest.raises(WrongState) as caught:
        approve(place, date(2026, 11, 17))
    assert caught.value.failures[0].code == "public-notice-not-over"
    approve(place, date(2026, 11, 18))


def test_a_consultation_ending_on_a_rest_day_runs_to_the_next_working_day() -> None:
    place = noticed(starts_on=date(2026, 9, 16))  # day 15 is 1 October, in the National Day holiday
    assert place.notice_last_day == date(2026, 10, 8)


def test_only_the_authority_for_the_kind_approves() -> None:
    with pytest.raises(Forbidden):
        approve(noticed(), date(2026, 11, 20), by=OFFICER)
    with pytest.raises(Forbidden):
        approve(noticed(kind="estate"), date(2026, 11, 20), by=GOVERNMENT)


def test_an_estate_is_approved_by_housing_only_after_civil_affairs_gives_its_opinion() -> None:
    place = noticed(kind="estate")
    with pytest.raises(NotEligible) as caught:
        approve(place, date(2026, 11, 20), by=HOUSING)
    assert [f.code for f in caught.value.failures] == ["opinion-missing"]
    with pytest.raises(Forbidden):
        place.give_opinion(act(DAY, by=GOVERNMENT), opinion="同意", consulted=CIVIL_AFFAIRS)
    place.give_opinion(act(DAY, by=OFFICER), opinion="同意", consulted=CIVIL_AFFAIRS)
    approve(place, date(2026, 11, 20), by=HOUSING)
    assert place.filing_to == "330782-civil-affairs"  # another department files with civil affairs at its level


def test_a_homophone_is_approved_only_with_the_authoritys_recorded_reason() -> None:
    place = noticed()
    with pytest.raises(NotEligible) as caught:
        approve(place, date(2026, 11, 20), homophones=["仇溪路"])
    assert caught.value.failures[0].code == "name-sounds-like" and "仇溪路" in caught.value.detail
    approve(place, date(2026, 11, 20), homophones=["仇溪路"], reason="历史地名, 群众认可")
    [*_, approved] = place.collect_events()
    assert approved.homophone_reason == "历史地名, 群众认可"  # type: ignore[attr-defined]


def test_announcement_and_filing_are_due_15_days_after_approval_extended_past_rest_days() -> None:
    place = noticed(starts_on=date(2026, 9, 1))
    approve(place, date(2026, 9, 20))  # a make-up working Sunday; day 15 is 5 October, in the holiday
    assert (place.announcement_due_on, place.filing_due_on) == (date(2026, 10, 8), date(2026, 10, 8))
    assert place.filing_to == "330700-government"  # the city government files with Jinhua's government


@pytest.mark.parametrize(
    ("authority", "destination"),
    [
        ("330782-government", "330700-government"),
        ("330782-civil-affairs", "330700-civil-affairs"),
        ("330782-housing", "330782-civil-affairs"),
        ("33-government", "state-council"),
    ],
)
def test_a_name_is_filed_where_article_13_says_for_its_approving_body(authority: str, destination: str) -> None:
    assert filing_destination(authority) == destination


def test_a_late_announcement_is_recorded_late_and_a_name_is_used_only_once_announced() -> None:
    place = noticed()
    approve(place, date(2026, 11, 18))  # due Thursday 3 December
    with pytest.raises(WrongState) as caught:
        place.put_in_use(act(date(2026, 12, 1)), on=date(2026, 12, 1))
    assert caught.value.failures[0].code == "name-not-announced"
    place.announce(act(date(2026, 12, 4)), on=date(2026, 12, 4), channel="市政府网站")
    [*_, announced] = place.collect_events()
    assert announced.late is True  # type: ignore[attr-defined]
    place.put_in_use(act(date(2026, 12, 5)), on=date(2026, 12, 5))


def test_filing_after_15_days_is_recorded_late_and_a_rename_keeps_the_old_name() -> None:
    place = noticed()
    approve(place, date(2026, 11, 17) + timedelta(days=1))
    place.file_above(act(date(2026, 12, 4)), on=date(2026, 12, 4))
    [*_, filed] = place.collect_events()
    assert filed.late is True  # type: ignore[attr-defined]
    place.rename(
        act(DAY, by=GOVERNMENT), name="朱丹溪路", sound="", specific="朱丹溪", index_keys=[], on=date(2026, 12, 5),
        reason="全称", authority="330782-government", homophones=[], homophone_reason="",
    )  # fmt: skip
    assert (place.name, place.former_names) == ("朱丹溪路", ["丹溪路"])


# -- numbering ---------------------------------------------------------------------------------------------------

YESTERDAY = DAY - timedelta(days=1)


def numbering(*earlier: tuple[str, float]) -> RoadNumbering:
    """A road with plates numbered on an earlier day (final numbers) at the given sides and distances."""
    road = RoadNumbering.start(act(YESTERDAY), uuid4())
    for side, distance in earlier:
        road.issue(act(YESTERDAY), side=side, distance=distance, plate_id=uuid4(), final=set())
    return road


def labels_by_position(road: RoadNumbering, side: str) -> list[tuple[float, str]]:
    return sorted((s.distance, s.label) for s in road.side(side) if s.plate_id is not None)


def test_numbers_ascend_from_the_start_odd_on_the_left_even_on_the_right() -> None:
    road = numbering()
    labels = [road.issue(act(DAY), side=s, distance=d, plate_id=uuid4(), final=set())[0].label
              for s, d in ((LEFT, 10), (LEFT, 50), (RIGHT, 12), (RIGHT, 40), (LEFT, 90))]  # fmt: skip
    assert labels == ["1", "3", "2", "4", "5"]


@pytest.mark.parametrize("arrivals", list(itertools.permutations((200.0, 210.0, 220.0, 230.0))))
def test_buildings_beyond_the_last_plate_numbered_the_same_day_continue_the_series_by_position(
    arrivals: tuple[float, ...],
) -> None:
    road = numbering((RIGHT, 50), (RIGHT, 80), (RIGHT, 100))  # plates 2, 4 and 6, final
    for distance in arrivals:
        road.issue(act(DAY), side=RIGHT, distance=distance, plate_id=uuid4(), final=set())
    assert labels_by_position(road, RIGHT)[3:] == [(200, "8"), (210, "10"), (220, "12"), (230, "14")]


@pytest.mark.parametrize("arrivals", list(itertools.permutations((150.0, 200.0, 250.0))))
def test_infill_sub_numbers_given_the_same_day_ascend_with_position(arrivals: tuple[float, ...]) -> None:
    road = numbering((RIGHT, 100), (RIGHT, 300))  # 2 and 4, final
    for distance in arrivals:
        road.issue(act(DAY), side=RIGHT, distance=distance, plate_id=uuid4(), final=set())
    assert labels_by_position(road, RIGHT) == [(100, "2"), (150, "2-1"), (200, "2-2"), (250, "2-3"), (300, "4")]


def test_a_number_given_on_an_earlier_day_stays_and_the_newcomer_before_it_gets_a_sub_number() -> None:
    road = numbering((RIGHT, 100), (RIGHT, 230))  # 2 at 100 m and 4 at 230 m, both final
    slot, moved = road.issue(act(DAY), side=RIGHT, distance=210, plate_id=uuid4(), final=set())
    assert (slot.label, moved) == ("2-1", [])


def test_a_number_whose_sign_is_up_or_whose_plate_is_retired_stays_even_on_its_first_day() -> None:
    road = numbering((RIGHT, 100))
    installed = uuid4()
    road.issue(act(DAY), side=RIGHT, distance=230, plate_id=installed, final=set())  # 4
    slot, moved = road.issue(act(DAY), side=RIGHT, distance=210, plate_id=uuid4(), final={installed})
    assert (slot.label, moved) == ("2-1", [])


def test_a_newcomer_before_todays_plates_moves_them_up_and_says_which() -> None:
    road = numbering((RIGHT, 100))
    first: UUID = uuid4()
    road.issue(act(DAY), side=RIGHT, distance=230, plate_id=first, final=set())  # 4
    slot, moved = road.issue(act(DAY), side=RIGHT, distance=210, plate_id=uuid4(), final=set())
    assert slot.label == "4" and [(s.plate_id, s.label) for s in moved] == [(first, "6")]


def test_no_sub_number_fits_between_a_final_number_and_its_final_first_sub_number() -> None:
    road = numbering((RIGHT, 100), (RIGHT, 300))  # 2 and 4
    road.issue(act(DAY), side=RIGHT, distance=250, plate_id=uuid4(), final=set())  # 2-1, final the next day
    with pytest.raises(NotEligible) as caught:
        road.issue(act(DAY + timedelta(days=1)), side=RIGHT, distance=200, plate_id=uuid4(), final=set())
    assert caught.value.failures[0].code == "plate-no-number-between"


def test_an_infill_building_between_two_numbers_gets_a_sub_number() -> None:
    road = numbering((RIGHT, 10), (RIGHT, 50))
    assert road.issue(act(DAY), side=RIGHT, distance=30, plate_id=uuid4(), final=set())[0].label == "2-1"
    assert road.issue(act(DAY), side=RIGHT, distance=40, plate_id=uuid4(), final=set())[0].label == "2-2"


def test_a_reserved_spare_number_goes_to_the_building_that_comes_there() -> None:
    road = numbering((LEFT, 10))
    road.reserve(act(DAY), side=LEFT, count=2, from_distance=20, to_distance=60)
    road.issue(act(DAY), side=LEFT, distance=100, plate_id=uuid4(), final=set())
    assert road.issue(act(DAY), side=LEFT, distance=30, plate_id=uuid4(), final=set())[0].label == "3"
    numbers = sorted((s.number, s.sub) for s in road.side(LEFT))
    assert numbers == [(1, 0), (3, 0), (5, 0), (7, 0)]  # 5 is still spare; no number skipped or repeated


def test_two_plates_for_one_position_are_refused() -> None:
    road = numbering((LEFT, 10))
    with pytest.raises(NotEligible):
        road.issue(act(DAY), side=LEFT, distance=10, plate_id=uuid4(), final=set())
