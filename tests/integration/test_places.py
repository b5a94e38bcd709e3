"""Place names and door plates on SQLite and PostgreSQL: lifecycle, numbering under races, history, the feed."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta
from uuid import UUID

import pytest

from projections.addresses.queries import AddressSearch, address_versions, changes_after, feed_head, snapshot_page
from projections.catalog import ReadSide
from registry.common.actors import Actor
from registry.common.clock import CHINA_STANDARD_TIME
from registry.common.errors import ConcurrentChange, NotEligible
from registry.places.plates import RoadNumbering
from registry.system import Registry
from tests.support import act

PROPOSED_ON = date(2026, 9, 1)
APPROVED_ON = date(2026, 9, 20)
OFFICER = Actor("officer-1", "place-name-officer", "330782-civil-affairs")
GOVERNMENT = Actor("mayor-office", "place-name-officer", "330782-government")
CONSTRUCTION = Actor("permits-1", "construction", "330782-construction")


def approved_road(registry: Registry, name: str = "丹溪路") -> UUID:
    places = registry.places
    road = places.propose(
        act(PROPOSED_ON, by=OFFICER), name=name, kind="road", origin_and_meaning="纪念朱丹溪"
    ).aggregate_id
    places.advance(act(PROPOSED_ON, by=OFFICER), road, step="review", note="符合规范")
    places.advance(act(PROPOSED_ON, by=OFFICER), road, step="notice")
    places.advance(act(APPROVED_ON, by=GOVERNMENT), road, step="approve")
    return road


def plate(registry: Registry, road: UUID, building: str, distance: float, side: str = "left", day: date = APPROVED_ON,
          applied_on: date | None = None) -> UUID:  # fmt: skip
    return registry.places.assign_plate(
        act(day, by=CONSTRUCTION), road_id=road, side=side, distance=distance, building_ref=building, town="稠城街道",
        applied_on=applied_on,
    ).aggregate_id  # fmt: skip


def test_a_homophone_in_its_scope_is_flagged_and_approved_only_with_the_authoritys_recorded_reason(
    registry: Registry,
) -> None:
    approved_road(registry, "稠州路")
    places = registry.places
    homophone = places.propose(act(PROPOSED_ON, by=OFFICER), name="仇州路", kind="road", origin_and_meaning="仇氏")
    assert places.place(homophone.aggregate_id).homophones_when_proposed == ["稠州路"]
    places.advance(act(PROPOSED_ON, by=OFFICER), homophone.aggregate_id, step="review", note="符合规范")
    places.advance(act(PROPOSED_ON, by=OFFICER), homophone.aggregate_id, step="notice")
    with pytest.raises(NotEligible) as caught:
        places.advance(act(APPROVED_ON, by=GOVERNMENT), homophone.aggregate_id, step="approve")
    assert caught.value.failures[0].code == "name-sounds-like" and "稠州路" in caught.value.detail
    places.advance(
        act(APPROVED_ON, by=GOVERNMENT), homophone.aggregate_id, step="approve", homophone_reason="仇氏聚居地"
    )
    assert places.place(homophone.aggregate_id).state == "approved"


def test_a_refused_name_frees_its_sound(registry: Registry) -> None:
    def homophones_of(name: str) -> list[str]:
        proposed = registry.places.propose(
            act(PROPOSED_ON, by=OFFICER), name=name, kind="road", origin_and_meaning="人名"
        )
        return registry.places.place(proposed.aggregate_id).homophones_when_proposed

    first = registry.places.propose(act(PROPOSED_ON, by=OFFICER), name="张三路", kind="road", origin_and_meaning="人名")
    assert homophones_of("章三路") == ["张三路"]  # zhang san: the first name holds its sound
    registry.places.advance(act(PROPOSED_ON, by=OFFICER), first.aggregate_id, step="refuse", rule="personal-name",
                            note="a personal name")  # fmt: skip
    assert homophones_of("樟三路") == ["章三路"]  # the refused name no longer counts; the other still does


def test_renaming_a_road_readdresses_every_plate_with_a_new_certificate(registry: Registry) -> None:
    road = approved_road(registry)
    plates = [plate(registry, road, f"B{n}", 10 * n) for n in range(1, 4)]
    before = {p: registry.places.plate(p).certificate for p in plates}
    registry.places.rename(act(date(2026, 10, 8), by=GOVERNMENT), road, name="朱丹溪路", reason="全称")
    for plate_id in plates:
        current = registry.places.plate(plate_id)
        assert current.road_name == "朱丹溪路" and current.certificate != before[plate_id]
    assert registry.places.place(road).former_names == ["丹溪路"]
    assert registry.places.plate(plates[0]).address() == "义乌市稠城街道朱丹溪路1号"


def test_a_plate_applied_for_is_due_within_10_working_days_and_a_completion_needs_no_application(
    registry: Registry,
) -> None:
    road = approved_road(registry)
    applied = registry.places.plate(plate(registry, road, "B1", 10, applied_on=date(2026, 9, 21)))
    assert (applied.via, applied.application_due_on) == ("application", date(2026, 10, 12))
    zero_trip = registry.places.plate(plate(registry, road, "B2", 20))
    assert (zero_trip.via, zero_trip.applied_on) == ("zero-trip", None)
    assert zero_trip.sign_due_on == APPROVED_ON + timedelta(days=60)


def race(registry: Registry, road: UUID, jobs: list[tuple[str, float]], side: str = "left",
         day: date = APPROVED_ON) -> list[str]:  # fmt: skip
    """Assign plates from several threads at once; each outcome is the plate's id, or the refusal."""
    start = threading.Barrier(len(jobs))
    outcomes: list[str] = []

    def assign(building: str, distance: float) -> None:
        start.wait()
        try:
            outcomes.append(str(plate(registry, road, building, distance, side=side, day=day)))
        except (NotEligible, ConcurrentChange) as refused:
            outcomes.append(
                type(refused).__name__ + ":" + refused.failures[0].code if refused.failures else type(refused).__name__
            )

    threads = [threading.Thread(target=assign, args=job) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_two_clerks_assigning_a_plate_to_one_building_at_once_exactly_one_succeeds(registry: Registry) -> None:
    road = approved_road(registry)
    outcomes = race(registry, road, [("B1", 10.0)] * 6)
    refusals = {"NotEligible:building-has-a-plate", "NotEligible:plate-position-taken"}
    issued = [o for o in outcomes if o not in refusals]
    assert len(outcomes) == 6 and len(issued) == 1 and registry.places.plate(UUID(issued[0])).label == "1"


def labels_along(registry: Registry, outcomes: list[str]) -> list[tuple[float, str]]:
    """(distance, label) of every plate issued, as they stand after the race, in order of position."""
    numbering = registry.places.find(RoadNumbering.id_for(registry.places.plate(UUID(outcomes[0])).road_id),
                                     RoadNumbering)  # fmt: skip
    assert numbering is not None
    distance = {s.plate_id: s.distance for s in numbering.slots}
    return sorted((distance[UUID(o)], registry.places.plate(UUID(o)).label) for o in outcomes)


def test_concurrent_assignments_along_one_road_never_repeat_or_skip_a_number(registry: Registry) -> None:
    road = approved_road(registry)
    plate(registry, road, "B0", 1.0)
    outcomes = race(registry, road, [(f"B{n}", 100.0 + n) for n in range(1, 9)])
    labels = [label for _, label in labels_along(registry, outcomes)]
    assert labels == ["3", "5", "7", "9", "11", "13", "15", "17"]  # ascending with position, none skipped or twice


def test_buildings_completed_at_once_beyond_the_last_plate_get_8_10_12_14_in_order_of_position(
    registry: Registry,
) -> None:
    road = approved_road(registry)
    for n, distance in enumerate((50.0, 80.0, 100.0)):
        plate(registry, road, f"E{n}", distance, side="right")  # 2, 4, 6 on the day of approval
    completions = [("C230", 330.0), ("C210", 310.0), ("C200", 300.0), ("C220", 320.0)]
    outcomes = race(registry, road, completions, side="right", day=APPROVED_ON + timedelta(days=3))
    assert labels_along(registry, outcomes) == [(300, "8"), (310, "10"), (320, "12"), (330, "14")]
    for plate_id in outcomes:  # a plate that moved up was re-addressed with a new certificate edition
        current = registry.places.plate(UUID(plate_id))
        assert current.certificate.endswith(f"-{current.version}") and current.address().endswith(f"{current.label}号")
    read_side = ReadSide(registry)
    try:
        read_side.catch_up()
        rows = read_side.store.query(
            "SELECT v.label, s.label FROM address_versions v JOIN plate_signs s ON s.plate_id = v.plate_id "
            "WHERE v.superseded_at IS NULL AND v.valid_to IS NULL AND v.plate_id IN (?, ?, ?, ?)",
            outcomes,
        )
        assert sorted(rows, key=lambda r: int(r[0])) == [("8", "8"), ("10", "10"), ("12", "12"), ("14", "14")]
    finally:
        read_side.close()


def test_infill_buildings_completed_at_once_get_sub_numbers_ascending_with_position(registry: Registry) -> None:
    road = approved_road(registry)
    plate(registry, road, "E1", 100.0, side="right")  # 2
    plate(registry, road, "E2", 300.0, side="right")  # 4
    outcomes = race(registry, road, [("I250", 250.0), ("I150", 150.0), ("I200", 200.0)], side="right",
                    day=APPROVED_ON + timedelta(days=1))  # fmt: skip
    assert labels_along(registry, outcomes) == [(150, "2-1"), (200, "2-2"), (250, "2-3")]


def test_addresses_valid_on_a_date_and_as_the_register_knew_them(registry: Registry) -> None:
    road = approved_road(registry)
    plate(registry, road, "B1", 10)
    read_side = ReadSide(registry)
    try:
        read_side.catch_up()
        known_before_rename = datetime(2026, 10, 1, tzinfo=CHINA_STANDARD_TIME)  # between the two acts
        registry.places.rename(act(date(2026, 10, 8), by=GOVERNMENT), road, name="朱丹溪路", reason="全称")
        read_side.catch_up()

        def found(search: AddressSearch) -> list[str]:
            versions, _ = address_versions(read_side.store, date(2026, 12, 1), search)
            return [version.address for version in versions]

        assert found(AddressSearch(valid_on=date(2026, 10, 7))) == ["义乌市稠城街道丹溪路1号"]
        assert found(AddressSearch(valid_on=date(2026, 10, 8))) == ["义乌市稠城街道朱丹溪路1号"]
        assert found(AddressSearch(road="丹溪路")) == []  # today, the road has its new name
        assert found(AddressSearch(known_on=known_before_rename)) == ["义乌市稠城街道丹溪路1号"]
        # As the register knew it before the rename, the plate was valid from its assignment, with no end in sight.
        known, _ = address_versions(read_side.store, date(2026, 12, 1), AddressSearch(known_on=known_before_rename))
        assert [(v.valid_from, v.valid_to) for v in known] == [(APPROVED_ON, None)]
    finally:
        read_side.close()


def test_a_replica_built_from_the_change_feed_equals_the_register(registry: Registry) -> None:
    road = approved_road(registry)
    plates = [plate(registry, road, f"B{n}", 10 * n) for n in range(1, 5)]
    read_side = ReadSide(registry)
    try:
        read_side.catch_up()
        snapshot_at = feed_head(read_side.store)
        registry.places.rename(act(date(2026, 10, 8), by=GOVERNMENT), road, name="朱丹溪路", reason="全称")
        registry.places.plate_event(act(date(2026, 10, 9)), plates[1], what="demolition", reason="拆迁")
        plate(registry, road, "B9", 90)
        read_side.catch_up()
        replica = {}
        for plate_id, address in snapshot(read_side, snapshot_at):
            replica[plate_id] = address
        for change in changes_after(read_side.store, snapshot_at)[0]:
            if change.operation == "retired":
                replica.pop(change.plate_id, None)
            else:
                replica[change.plate_id] = change.address
        every_plate = (registry.places.plate(i) for i in [*plates, *live_extra(read_side, plates)])
        register = {str(p.id): p.address() for p in every_plate if p.retired_on is None}
        assert replica == register
    finally:
        read_side.close()


def snapshot(read_side: ReadSide, position: int) -> list[tuple[str, str]]:
    """The addresses in force as known at a position (each plate's last change up to it, unless retired), read
    three plates a page."""
    addresses: dict[str, str] = {}
    after = None
    while True:
        page = snapshot_page(read_side.store, position, limit=3, after=after)
        addresses.update(page.addresses)
        if page.next_after is None:
            return list(addresses.items())
        after = page.next_after


def live_extra(read_side: ReadSide, known: list[UUID]) -> list[UUID]:
    rows = read_side.store.query("SELECT DISTINCT plate_id FROM address_changes")
    return [UUID(r[0]) for r in rows if UUID(r[0]) not in known]
