"""The front desk's index on SQLite and PostgreSQL: a citizen's records by keyed hash, an office's inquiries."""

from __future__ import annotations

from datetime import date

from api.web.demo import load_front_desk_demo
from projections.catalog import ReadSide
from projections.front_desk.queries import inquiries_to_review, place_names, records_of
from registry.common.actors import Act, Actor
from registry.system import Registry
from tests.support import local_noon

NOW = local_noon(date(2026, 11, 20))


def test_a_citizens_records_are_found_by_their_keyed_hash_and_an_inquiry_only_by_its_applicant(
    registry: Registry, read_side: ReadSide
) -> None:
    demo = load_front_desk_demo(registry, NOW, run=7)
    read_side.catch_up()
    refs = registry.marriage.person_ref
    kinds = {(r.kind, r.record_id) for r in records_of(read_side.store, refs(demo.citizen))}
    assert ("divorce", str(demo.divorce_in_window)) in kinds
    assert ("bundle-case", str(demo.bundle_case)) in kinds
    assert ("reward-claim", str(demo.reward_claim)) in kinds
    assert [r.kind for r in records_of(read_side.store, refs(demo.inquirer))] == ["dv-inquiry", "marriage"]
    asked_about = registry.marriage.marriage(demo.pending_for_inquiry).party_a
    assert all(r.kind != "dv-inquiry" for r in records_of(read_side.store, refs(asked_about)))
    text = repr(read_side.store.query("SELECT * FROM front_desk_records"))
    assert demo.citizen.document_number not in text


def test_an_inquiry_leaves_the_offices_review_list_once_decided(registry: Registry, read_side: ReadSide) -> None:
    demo = load_front_desk_demo(registry, NOW, run=8)
    read_side.catch_up()
    page = inquiries_to_review(read_side.store, "330782001")
    assert [item.record_id for item in page.items] == [str(demo.inquiry)] and page.total == 1
    assert inquiries_to_review(read_side.store, "330782002").total == 0
    clerk = Act(Actor("clerk-1", "clerk", "330782001"), NOW, "req-approve")
    registry.dv_inquiries.refuse(clerk, demo.inquiry, reason="材料不全")
    read_side.catch_up()
    assert inquiries_to_review(read_side.store, "330782001").total == 0


def test_place_names_are_listed_with_their_current_name(registry: Registry, read_side: ReadSide) -> None:
    demo = load_front_desk_demo(registry, NOW, run=9)
    read_side.catch_up()
    names, total = place_names(read_side.store)
    assert total == 2 and {n.kind for n in names} == {"road", "estate"}
    roads, _ = place_names(read_side.store, kind="road")
    assert roads[0].place_id == str(demo.road)
