"""Demo data for the portal and the console: every page has something real to show.

Acts are dated in the past where a page needs time to have passed (a divorce in its registration window, tasks
past their deadline, a road name through its public notice); the clock is the caller's.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from uuid import UUID

from api.certificates import verification_code
from registry.burial.claim import BurialRecord, Claimant, CremationRecord
from registry.common.actors import Act, Actor, Role
from registry.common.clock import SystemClock, local_date
from registry.common.errors import DomainError
from registry.common.identity import Person, identify, resident_id_check_character
from registry.deaths.bundle import NextOfKin
from registry.deaths.death import DeathReport
from registry.deaths.services import DeceasedFacts
from registry.keys import Purpose
from registry.marriage.values import Attendance
from registry.settings import Settings
from registry.system import Registry, open_registry

OFFICE = "330782001"
CLERK = Actor("demo-clerk", Role.CLERK.value, OFFICE)
HOSPITAL = Actor("demo-hospital", Role.HOSPITAL.value, "330782-hospital-1")
OFFICER = Actor("demo-officer", Role.PLACE_NAME_OFFICER.value, "330782-civil-affairs")
GOVERNMENT = Actor("demo-government", Role.PLACE_NAME_OFFICER.value, "330782-government")
CONSTRUCTION = Actor("demo-construction", Role.CONSTRUCTION.value, "330782-construction")
PRESENT = Attendance(True, True, True, True, True)
ROADS = ("丹溪路", "宾王路", "稠州北路", "工人西路", "香山路", "雪峰路", "江滨中路", "望道路")


def resident(name: str, birth: date, sex: str, serial: int) -> Person:
    """A resident of the city (division 330782) with a valid identity number."""
    body = f"330782{birth:%Y%m%d}{(serial % 499) * 2 + (1 if sex == 'male' else 0):03d}"
    number = body + resident_id_check_character(body)
    return identify(document_type="resident-id", document_number=number, name=name, today=date(2100, 1, 1))


@dataclass
class FrontDeskDemo:
    """What was loaded: the people to sign in as, and the records their pages show."""

    citizen: Person  # 李娜: a divorce in its registration window, a family bundle and an eco-burial claim
    cooling_off_party: Person  # 刘芳: a divorce still in cooling-off (withdrawn only at the office)
    inquirer: Person  # 杨静: a pending marriage application and a DV inquiry waiting for the clerk
    pending_couple: tuple[Person, Person]  # waiting at the counter to be registered
    divorce_in_window: UUID
    divorce_cooling_off: UUID
    pending_for_inquiry: UUID
    pending_marriage: UUID
    inquiry: UUID
    death: UUID
    bundle_case: UUID
    reward_claim: UUID
    certificate: str
    road: UUID | None = None
    plates: list[UUID] = field(default_factory=list)


def load_front_desk_demo(registry: Registry, now: datetime, run: int | None = None) -> FrontDeskDemo:
    """Load the scene; `run` picks a fresh set of people (a random one by default), so it can be loaded again."""
    run = uuid.uuid4().int % 400 if run is None else run

    def act(days_ago: int, by: Actor = CLERK) -> Act:
        return Act(by=by, at=now - timedelta(days=days_ago), request_id=f"demo-{uuid.uuid4().hex[:8]}")

    marriages = registry.marriage
    wei, na = resident("王伟", date(1990, 3, 12), "male", run), resident("李娜", date(1992, 7, 8), "female", run)
    qiang, fang = resident("张强", date(1988, 1, 25), "male", run), resident("刘芳", date(1989, 11, 30), "female", run)
    jie, jing = resident("陈杰", date(1996, 5, 5), "male", run), resident("杨静", date(1997, 9, 9), "female", run)
    lei, min_ = resident("孙磊", date(1995, 4, 1), "male", run), resident("赵敏", date(1995, 2, 14), "female", run)

    first = marriages.apply_for_marriage(act(60), party_a=wei, party_b=na).aggregate_id
    marriages.register_marriage(act(60), first, attendance=(PRESENT, PRESENT))
    in_window = marriages.file_divorce(act(42), marriage_id=first, attendance=(PRESENT, PRESENT)).aggregate_id
    second = marriages.apply_for_marriage(act(20), party_a=qiang, party_b=fang).aggregate_id
    marriages.register_marriage(act(20), second, attendance=(PRESENT, PRESENT))
    cooling = marriages.file_divorce(act(5), marriage_id=second, attendance=(PRESENT, PRESENT)).aggregate_id
    for_inquiry = marriages.apply_for_marriage(act(1), party_a=jie, party_b=jing).aggregate_id
    pending = marriages.apply_for_marriage(act(0), party_a=lei, party_b=min_).aggregate_id
    inquiry = registry.dv_inquiries.file(
        act(0, by=Actor(marriages.person_ref(jing), Role.CITIZEN.value)), marriage_id=for_inquiry,
        applicant_party="b", subject_document_key=jie.document_key, subject_name=jie.name,
        truthfulness_pledged=True, confidentiality_pledged=True,
    ).aggregate_id  # fmt: skip
    death, case, claim = _father_of(na, registry, act, run, local_date(now))
    demo = FrontDeskDemo(
        citizen=na, cooling_off_party=fang, inquirer=jing, pending_couple=(lei, min_), divorce_in_window=in_window,
        divorce_cooling_off=cooling, pending_for_inquiry=for_inquiry, pending_marriage=pending, inquiry=inquiry,
        death=death, bundle_case=case, reward_claim=claim, certificate=marriages.marriage(second).certificates["b"],
    )  # fmt: skip
    demo.road, demo.plates = _places(registry, act, run, local_date(now))
    return demo


def _father_of(
    child: Person, registry: Registry, act: Callable[[int, Actor], Act], run: int, today: date
) -> tuple[UUID, UUID, UUID]:
    """The child's father's death (10 days ago), the bundle the child applied for, and the child's reward claim."""
    deceased = resident("李建国", date(1941, 6, 1), "male", run)
    report = DeathReport(
        "medical", f"浙医死证{today.year}-{run:04d}", today - timedelta(days=10), "义乌市中心医院", True
    )
    death, _ = registry.deaths.register_death(act(10, HOSPITAL), deceased=deceased, report=report)
    child_ref = registry.marriage.person_ref(child)
    citizen = Actor(child_ref, Role.CITIZEN.value)
    kin = NextOfKin(child.name, "child", "13800000000", "6222020200001234567", child_ref)
    facts = DeceasedFacts(medical_insurance=True, pension=True, social_insurance=True, eco_burial=True)
    case = registry.deaths.apply_for_bundle(act(8, citizen), death_id=death.aggregate_id, applicant=kin, facts=facts)
    claim = registry.burial.file_claim(
        act(3, citizen), death_id=death.aggregate_id,
        claimant=Claimant(child.name, "child", "6222020200001234567", child_ref),
        cremation=CremationRecord(f"火化{today.year}-{run}", "义乌市殡仪馆", today - timedelta(days=7)),
        burial=BurialRecord("sea-burial", "东海海域", today - timedelta(days=5)),
    ).aggregate_id  # fmt: skip
    return death.aggregate_id, case.aggregate_id, claim


def _places(
    registry: Registry, act: Callable[[int, Actor], Act], run: int, today: date
) -> tuple[UUID | None, list[UUID]]:
    """A road through its lifecycle with plates, and an estate name proposed; (None, []) for a road already named by
    an earlier run (a name taken is left as it is)."""
    road: UUID | None = None
    plates: list[UUID] = []
    try:
        road, plates = _named_road(registry, act, ROADS[run % len(ROADS)])
        registry.places.propose(
            act(1, OFFICER), name=f"{ROADS[(run + 1) % len(ROADS)][:2]}花园", kind="estate",
            origin_and_meaning="因邻近道路得名", planning_reference=f"义规{today.year}-{run}",
        )  # fmt: skip
    except DomainError:
        pass
    return road, plates


def _named_road(registry: Registry, at: Callable[[int, Actor], Act], name: str) -> tuple[UUID, list[UUID]]:
    """A road proposed, reviewed, publicly noticed, approved, announced, filed and in use, with two plates."""
    places = registry.places
    road = places.propose(at(40, OFFICER), name=name, kind="road", origin_and_meaning="沿用历史地名").aggregate_id
    places.advance(at(40, OFFICER), road, step="review", note="符合命名规范")
    places.advance(at(39, OFFICER), road, step="notice")
    places.advance(at(20, GOVERNMENT), road, step="approve")
    places.advance(at(18, OFFICER), road, step="announce")
    places.advance(at(15, OFFICER), road, step="file")
    places.advance(at(14, OFFICER), road, step="use")
    plates = [
        places.assign_plate(
            at(10, CONSTRUCTION), road_id=road, side=side, distance=distance, building_ref=f"{name}-{distance}",
            town="稠城街道",
        ).aggregate_id
        for side, distance in (("left", 120.0), ("right", 260.0))
    ]  # fmt: skip
    return road, plates


def describe_front_desk_demo(settings: Settings) -> list[str]:
    """Load the scene into the configured store and say how to see it in the browser (`registry demo`)."""
    registry = open_registry(settings)
    try:
        demo = load_front_desk_demo(registry, SystemClock().now())
    finally:
        registry.close()
    web = settings.browser_url
    code = verification_code(settings.keys[Purpose.CERTIFICATE_CODE], demo.certificate)
    return [
        "",
        f"In the browser ({web}/sign-in, the development sign-in of the embedded store):",
        f"  citizen {demo.citizen.name}  {demo.citizen.document_number}  a divorce in its registration window,",
        "          the after-death bundle of her father and an eco-burial claim",
        f"  citizen {demo.cooling_off_party.name}  {demo.cooling_off_party.document_number}  a divorce in cooling-off",
        f"  citizen {demo.inquirer.name}  {demo.inquirer.document_number}  a DV inquiry waiting for the clerk",
        f"  clerk at office {OFFICE}; department police or social-security; place-name officer 330782-civil-affairs;",
        "  auditor (no office)",
        f"  certificate to verify at {web}/verify: {demo.certificate}, code {code}",
    ]
