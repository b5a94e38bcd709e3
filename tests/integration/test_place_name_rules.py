"""Place-name rules of the 2022 Regulations on SQLite and PostgreSQL: scopes, disguised names, authorities,
announcement and filing, and names recorded by the previous version still found."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from uuid import UUID

import pytest
from eventsourcing.persistence import StoredEvent

from projections.catalog import ReadSide, migrate_all
from registry.common.actors import Actor
from registry.common.errors import CalendarMissing, Forbidden, InvalidInput, NotEligible
from registry.places.name_index import NameIndex
from registry.settings import Settings
from registry.system import Registry, open_registry
from tests.support import act

PROPOSED_ON = date(2026, 9, 1)
APPROVED_ON = date(2026, 9, 20)
OFFICER = Actor("officer-1", "place-name-officer", "330782-civil-affairs")
GOVERNMENT = Actor("mayor-office", "place-name-officer", "330782-government")
HOUSING = Actor("housing-1", "place-name-officer", "330782-housing")
PROVINCE = Actor("province-1", "place-name-officer", "33-government")


@pytest.fixture
def two_areas(store_env: dict[str, str]) -> Iterator[Registry]:
    """A registry whose city has two built-up areas."""
    settings = Settings.from_env({**store_env, "REGISTRY_BUILT_UP_AREAS": "central=中心城区,fotang=佛堂镇区"})
    migrate_all(settings)
    registry = open_registry(settings)
    yield registry
    registry.close()


def propose(registry: Registry, name: str, kind: str = "road", area: str | None = None) -> UUID:
    return registry.places.propose(
        act(PROPOSED_ON, by=OFFICER), name=name, kind=kind, area=area, origin_and_meaning="地名由来"
    ).aggregate_id


def approved(registry: Registry, name: str, kind: str = "road", by: Actor = GOVERNMENT, **reasons: str) -> UUID:
    place = propose(registry, name, kind)
    registry.places.advance(act(PROPOSED_ON, by=OFFICER), place, step="review", note="符合规范", **reasons)  # type: ignore[arg-type]
    registry.places.advance(act(PROPOSED_ON, by=OFFICER), place, step="notice")
    registry.places.advance(act(APPROVED_ON, by=by), place, step="approve")
    return place


def codes(error: pytest.ExceptionInfo[Exception]) -> list[str]:
    return [f.code for f in error.value.failures]  # type: ignore[attr-defined]


def test_a_duplicate_specific_part_is_refused_within_its_built_up_area_and_kind_only(two_areas: Registry) -> None:
    propose(two_areas, "解放路", area="central")
    with pytest.raises(NotEligible) as caught:
        propose(two_areas, "解放街", area="central")  # same specific part, same kind, same area
    assert codes(caught) == ["name-duplicate"] and "解放路" in str(caught.value)
    propose(two_areas, "解放路", area="fotang")  # another built-up area
    propose(two_areas, "解放小区", kind="estate", area="central")  # another kind
    with pytest.raises(InvalidInput) as unnamed:
        propose(two_areas, "光明路")  # two areas configured: the area must be named
    assert codes(unnamed) == ["built-up-area-unknown"]


def test_townships_are_compared_within_the_province_and_villages_within_the_county(registry: Registry) -> None:
    propose(registry, "稠城镇", kind="township")
    with pytest.raises(NotEligible):
        propose(registry, "稠城乡", kind="township")
    propose(registry, "稠城村", kind="village-community")
    with pytest.raises(NotEligible):
        propose(registry, "稠城社区", kind="village-community")
    assert registry.places.place(propose(registry, "丹溪村", kind="village-community")).scope == "county:330782"


def test_a_township_name_is_unique_within_the_province_whatever_built_up_area_it_is_in(two_areas: Registry) -> None:
    township = propose(two_areas, "稠城镇", kind="township", area="central")
    assert two_areas.places.place(township).scope == "province:33"
    with pytest.raises(NotEligible) as caught:
        propose(two_areas, "稠城乡", kind="township", area="fotang")
    assert codes(caught) == ["name-duplicate"] and "稠城镇" in str(caught.value)
    propose(two_areas, "稠城路", area="fotang")  # a road of the other area: another kind, another scope


def test_a_village_or_community_name_is_unique_within_the_county_whatever_built_up_area_it_is_in(
    two_areas: Registry,
) -> None:
    village = propose(two_areas, "丹溪村", kind="village-community", area="central")
    assert two_areas.places.place(village).scope == "county:330782"
    with pytest.raises(NotEligible) as caught:
        propose(two_areas, "丹溪社区", kind="village-community", area="fotang")
    assert codes(caught) == ["name-duplicate"] and "丹溪村" in str(caught.value)
    propose(two_areas, "丹溪路", area="central")
    propose(two_areas, "丹溪路", area="fotang")  # roads, by contrast, are compared within their own area only


def test_disguised_duplicates_and_banned_names_are_caught(registry: Registry) -> None:
    approved(registry, "解放路")
    for disguised in ("解放\u200b路", "解放\u3000路", "解放\u3164路"):  # zero-width, full-width space, Hangul filler
        with pytest.raises(InvalidInput) as hidden:
            propose(registry, disguised)
        assert codes(hidden) == ["name-invisible-character"]
    with pytest.raises(NotEligible) as look_alike:
        propose(registry, "解放\uf937")  # U+F937 looks like 路: NFKC makes it 路
    assert codes(look_alike) == ["name-duplicate"]
    traditional = propose(registry, "萬達路")
    assert registry.places.place(traditional).banned == {"万达": "company-or-trademark-name"}
    with pytest.raises(NotEligible) as unreviewed:
        registry.places.advance(act(PROPOSED_ON, by=OFFICER), traditional, step="review", note="符合规范")
    assert codes(unreviewed) == ["company-or-trademark-name"]
    registry.places.advance(act(PROPOSED_ON, by=OFFICER), traditional, step="refuse", rule="company-or-trademark-name",
                            note="以商标作地名")  # fmt: skip


def test_a_reviewer_accepts_a_name_with_no_link_to_a_banned_entry_recording_why(registry: Registry) -> None:
    place = approved(registry, "万达村路", no_link_reasons={"万达": "以万达村得名, 与企业无关"})  # type: ignore[arg-type]
    assert registry.places.place(place).no_link_reasons == {"万达": "以万达村得名, 与企业无关"}


def test_each_kind_is_approved_by_its_authority_and_filed_where_article_13_says(registry: Registry) -> None:
    estate = propose(registry, "丹溪小区", kind="estate")
    registry.places.advance(act(PROPOSED_ON, by=OFFICER), estate, step="review", note="符合规范")
    registry.places.advance(act(PROPOSED_ON, by=OFFICER), estate, step="notice")
    with pytest.raises(Forbidden):
        registry.places.advance(act(APPROVED_ON, by=GOVERNMENT), estate, step="approve")
    with pytest.raises(NotEligible) as no_opinion:
        registry.places.advance(act(APPROVED_ON, by=HOUSING), estate, step="approve")
    assert codes(no_opinion) == ["opinion-missing"]
    registry.places.advance(act(APPROVED_ON, by=OFFICER), estate, step="opinion", note="同意")
    registry.places.advance(act(APPROVED_ON, by=HOUSING), estate, step="approve")
    assert registry.places.place(estate).filing_to == "330782-civil-affairs"
    township = approved(registry, "丹溪镇", kind="township", by=PROVINCE)
    assert registry.places.place(township).filing_to == "state-council"
    road = approved(registry, "丹溪路")
    assert registry.places.place(road).filing_to == "330700-government"


def test_a_consultation_or_a_plate_deadline_reaching_a_year_without_a_calendar_is_refused(registry: Registry) -> None:
    place = propose(registry, "丹溪路")
    registry.places.advance(act(PROPOSED_ON, by=OFFICER), place, step="review", note="符合规范")
    with pytest.raises(CalendarMissing):
        registry.places.advance(act(date(2026, 12, 20), by=OFFICER), place, step="notice")
    road = approved(registry, "光明路")
    with pytest.raises(CalendarMissing):
        registry.places.assign_plate(
            act(date(2026, 12, 21), by=OFFICER), road_id=road, side="left", distance=10, building_ref="B1",
            town="稠城街道", applied_on=date(2026, 12, 21),
        )  # fmt: skip


def test_approved_names_not_announced_within_15_days_are_on_the_worklist(registry: Registry) -> None:
    late = approved(registry, "丹溪路")
    announced = approved(registry, "光明路")
    registry.places.advance(act(date(2026, 9, 25), by=OFFICER), announced, step="announce", note="市政府网站")
    registry.places.advance(act(date(2026, 9, 25), by=OFFICER), announced, step="file")
    read_side = ReadSide(registry)
    try:
        read_side.catch_up()
        rows = read_side.store.query(
            "SELECT place_id, name, announcement_due_on, filing_to FROM name_duties WHERE approved_on IS NOT NULL "
            "AND (announced_on IS NULL OR filed_on IS NULL)"
        )
        assert rows == [(str(late), "丹溪路", "2026-10-08", "330700-government")]
    finally:
        read_side.close()


def store_as_version_1(registry: Registry, event: object, topic: str, drop: tuple[str, ...]) -> None:
    """Store an event the way the previous version did: without the fields it did not have, no class_version."""
    state = {k: v for k, v in vars(event).items() if k not in ("originator_id", "originator_version", *drop)}
    mapper = registry.places.mapper
    assert mapper.cipher is not None
    registry.places.recorder.insert_events(
        [
            StoredEvent(
                event.originator_id,  # type: ignore[attr-defined]
                event.originator_version,  # type: ignore[attr-defined]
                topic,
                mapper.cipher.encrypt(mapper.transcoder.encode(state)),
            )
        ]
    )


def test_a_name_recorded_by_the_previous_version_is_found_after_migration(registry: Registry) -> None:
    from registry.common.workdays import WorkingCalendar
    from registry.places.names import PlaceName
    from registry.places.spelling import sound_of

    # A road proposed, reviewed, noticed, approved and renamed under version 1 of each event.
    old = PlaceName.propose(
        act(PROPOSED_ON, by=OFFICER), name="稠州路", sound=sound_of("稠州路"), kind="road", area="city", specific="",
        index_keys=[], origin_and_meaning="旧名", planning_reference="", planning_permit_issued=False,
        built_and_unnamed=False, banned={}, homophones=[], id=PlaceName.new_id(),
    )  # fmt: skip
    old.review(act(PROPOSED_ON, by=OFFICER), opinion="符合规范", no_link_reasons={})
    old.publish_notice(act(PROPOSED_ON), starts_on=PROPOSED_ON, days=15, calendar=WorkingCalendar.published())
    old.approve(act(APPROVED_ON, by=GOVERNMENT), on=APPROVED_ON, authority="330782-government", consulted=None,
                homophones=[], homophone_reason="", calendar=WorkingCalendar.published())  # fmt: skip
    old.rename(
        act(APPROVED_ON, by=GOVERNMENT), name="稠州大道", sound=sound_of("稠州大道"), specific="", index_keys=[],
        on=APPROVED_ON, reason="拓宽", authority="330782-government", homophones=[], homophone_reason="",
    )  # fmt: skip
    added_in_version_2 = {
        "Proposed": ("area", "specific", "index_keys", "banned", "homophones", "built_and_unnamed"),
        "ExpertReviewed": ("no_link_reasons",),
        "NoticePublished": (),
        "Approved": ("announcement_due_on", "filing_to", "homophones", "homophone_reason"),
        "Renamed": ("specific", "index_keys", "homophones", "homophone_reason"),
    }
    for event in old.collect_events():
        name = type(event).__name__
        store_as_version_1(registry, event, f"places:PlaceName.{name}", added_in_version_2[name])
    old_id = NameIndex.id_for("city:330782", "chou zhou lu")
    index = NameIndex._create_from(NameIndex.Opened, act(PROPOSED_ON), id=old_id, scope="city:330782",
                                   sound="chou zhou lu")  # fmt: skip
    index._record(NameIndex.Held, act(PROPOSED_ON), place_id=old.id, name="稠州路")
    registry.places.save(index)

    reloaded = registry.places.place(old.id)
    assert (reloaded.name, reloaded.state, reloaded.filing_due_on, reloaded.announcement_due_on) == (
        "稠州大道", "approved", date(2026, 10, 8), None,
    )  # fmt: skip
    migration = act(PROPOSED_ON, by=Actor("registry-migration", "system"))
    assert (registry.places.index_earlier_names(migration), registry.places.index_earlier_names(migration)) == (1, 0)
    with pytest.raises(NotEligible) as duplicate:
        propose(registry, "稠州街")
    assert codes(duplicate) == ["name-duplicate"] and "稠州大道" in str(duplicate.value)
    assert registry.places.place(propose(registry, "仇州路")).homophones_when_proposed == ["稠州大道"]
    assert registry.places.load(index.id, NameIndex).holder_name == "稠州路"  # the old index still reads
