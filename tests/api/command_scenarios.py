"""One command on one record for every command route of the API, each set up so that the command succeeds.

Keyed by the route's path as the app's route table spells it; tests/api/test_if_match_everywhere.py walks them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from litestar.testing import TestClient

from registry.common.actors import Role
from registry.common.clock import FixedClock
from tests.api.conftest import Tokens
from tests.deaths_support import CITY, resident_id_of
from tests.support import resident_id

Client = TestClient  # type: ignore[type-arg]
PRESENT = {"present": True, "declares_voluntary": True, "signed_no_spouse_statement": True,
           "signed_no_kinship_statement": True}  # fmt: skip
AGREED = {**PRESENT, "signed_divorce_agreement": True}
REGISTRATION = {"party_a": PRESENT, "party_b": PRESENT}
PLEDGED = {"truthfulness_pledge_signed": True, "confidentiality_pledge_signed": True}
KIN = {"name": "王小明", "relationship": "child", "contact_phone": "13800000000", "payout_account": "6222000000000000"}


@dataclass(frozen=True)
class Command:
    """A command on a record: where it goes and who sends it; where the record is read, by whom; whose log it
    writes (the application's name)."""

    url: str
    body: dict[str, Any] | None
    by: dict[str, str]
    record: str
    reader: dict[str, str]
    context: str


@dataclass(frozen=True)
class World:
    """The app under test, its callers and its clock."""

    client: Client
    tokens: Tokens
    clock: FixedClock

    def made(self, url: str, body: dict[str, Any] | None, by: dict[str, str]) -> str:
        """Send a command that must succeed; the id of the record it answers with."""
        response = self.client.post(url, json=body, headers=by)
        assert 200 <= response.status_code < 300, response.text
        record_id: str = response.json()["id"]
        return record_id

    def role(self, role: Role, office: str) -> dict[str, str]:
        return self.tokens.header(role, f"{role.value}-1", office)


Scenario = Callable[[World], Command]
SCENARIOS: dict[str, Scenario] = {}


def scenario(route: str) -> Callable[[Scenario], Scenario]:
    def register(build: Scenario) -> Scenario:
        SCENARIOS[route] = build
        return build

    return register


# -- marriage, divorce -------------------------------------------------------------------------------------------


def filed_marriage(world: World) -> str:
    couple = {"party_a": {"document_number": resident_id(date(1995, 3, 3), "male"), "name": "王伟"},
              "party_b": {"document_number": resident_id(date(1996, 4, 4), "female"), "name": "李娜"}}  # fmt: skip
    return world.made("/v1/marriages", couple, world.tokens.clerk)


def registered_marriage(world: World) -> str:
    marriage_id = filed_marriage(world)
    return world.made(f"/v1/marriages/{marriage_id}/registration", REGISTRATION, world.tokens.clerk)


def on_marriage(world: World, marriage_id: str, act: str, body: dict[str, Any], by: dict[str, str]) -> Command:
    record = f"/v1/marriages/{marriage_id}"
    return Command(f"{record}/{act}", body, by, record, world.tokens.clerk, "marriage")


@scenario("/v1/marriages/{marriage_id:uuid}/registration")
def register_marriage(world: World) -> Command:
    return on_marriage(world, filed_marriage(world), "registration", REGISTRATION, world.tokens.clerk)


@scenario("/v1/marriages/{marriage_id:uuid}/refusal")
def refuse_marriage(world: World) -> Command:
    body = {"reason": "a party seemed coerced"}
    return on_marriage(world, filed_marriage(world), "refusal", body, world.tokens.clerk)


@scenario("/v1/marriages/{marriage_id:uuid}/certificate-reissues")
def reissue_certificate(world: World) -> Command:
    body = {"party": "a", "reason": "lost"}
    return on_marriage(world, registered_marriage(world), "certificate-reissues", body, world.tokens.clerk)


@scenario("/v1/marriages/{marriage_id:uuid}/judgments")
def record_judgment(world: World) -> Command:
    body = {"kind": "divorce", "court": "义乌市人民法院", "judgment_number": "(2026)浙0782民初1号",
            "effective_on": world.clock.now().date().isoformat()}  # fmt: skip
    return on_marriage(world, registered_marriage(world), "judgments", body, world.tokens.court)


def on_divorce(world: World, act: str, body: dict[str, Any], *, cooled_off: bool = False) -> Command:
    filed = {"marriage_id": registered_marriage(world), "party_a": AGREED, "party_b": AGREED}
    record = f"/v1/divorces/{world.made('/v1/divorces', filed, world.tokens.clerk)}"
    if cooled_off:
        world.clock.advance(timedelta(days=31))
    return Command(f"{record}/{act}", body, world.tokens.clerk, record, world.tokens.clerk, "marriage")


@scenario("/v1/divorces/{divorce_id:uuid}/withdrawal")
def withdraw_divorce(world: World) -> Command:
    return on_divorce(world, "withdrawal", {"party": "a"})


@scenario("/v1/divorces/{divorce_id:uuid}/registration")
def register_divorce(world: World) -> Command:
    return on_divorce(world, "registration", REGISTRATION, cooled_off=True)


# -- domestic violence -------------------------------------------------------------------------------------------


def on_dv_record(world: World, act: str, body: dict[str, Any]) -> Command:
    court = world.role(Role.DV_SOURCE, "330782-court")
    order = {"subject": {"document_number": resident_id(date(1990, 1, 1), "male"), "name": "赵刚"},
             "category": "protection-order", "document_number": "(2026)浙0782民保令1号", "issued_on": "2026-11-01",
             "expires_on": "2027-01-31"}  # fmt: skip
    record = f"/v1/dv-records/{world.made('/v1/dv-records', order, court)}"
    return Command(f"{record}/{act}", body, court, record, court, "dv_records")


@scenario("/v1/dv-records/{record_id:uuid}/extensions")
def extend_dv_record(world: World) -> Command:
    return on_dv_record(world, "extensions", {"expires_on": "2027-04-30"})


@scenario("/v1/dv-records/{record_id:uuid}/revocation")
def revoke_dv_record(world: World) -> Command:
    return on_dv_record(world, "revocation", {"reason": "overturned on appeal"})


@scenario("/v1/dv-records/{record_id:uuid}/sealing")
def seal_dv_record(world: World) -> Command:
    return on_dv_record(world, "sealing", {"reason": "expunged by the court"})


def on_dv_inquiry(world: World, act: str, body: dict[str, Any] | None) -> Command:
    man = {"document_number": resident_id(date(1990, 1, 1), "male"), "name": "赵刚"}
    woman = {"document_number": resident_id(date(1992, 2, 2), "female"), "name": "钱芳"}
    marriage_id = world.made("/v1/marriages", {"party_a": man, "party_b": woman}, world.tokens.clerk)
    inquiry = {"marriage_id": marriage_id, "subject": man, **PLEDGED}
    applicant = world.tokens.citizen(woman["document_number"])
    record = f"/v1/dv-inquiries/{world.made('/v1/dv-inquiries', inquiry, applicant)}"
    return Command(f"{record}/{act}", body, world.tokens.clerk, record, world.tokens.clerk, "dv_inquiries")


@scenario("/v1/dv-inquiries/{inquiry_id:uuid}/approval")
def approve_dv_inquiry(world: World) -> Command:
    return on_dv_inquiry(world, "approval", None)


@scenario("/v1/dv-inquiries/{inquiry_id:uuid}/refusal")
def refuse_dv_inquiry(world: World) -> Command:
    return on_dv_inquiry(world, "refusal", {"reason": "the pledge is unsigned on paper"})


# -- deaths and the bundled service ------------------------------------------------------------------------------


def registered_death(world: World, by: dict[str, str] | None = None, *, number: str = "", place: str = "医院") -> str:
    certificate = {"deceased": {"document_number": number or resident_id_of(CITY), "name": "王大"},
                   "certificate_kind": "medical", "certificate_number": "浙医死证2026-0001", "died_on": "2026-11-20",
                   "place": place, "in_city": True}  # fmt: skip
    return world.made("/v1/deaths", certificate, by or world.role(Role.HOSPITAL, "330782-hospital-1"))


def on_death(world: World, death_id: str, act: str, body: dict[str, Any], by: dict[str, str]) -> Command:
    record = f"/v1/deaths/{death_id}"
    return Command(f"{record}/{act}", body, by, record, world.tokens.supervisor, "deaths")


@scenario("/v1/deaths/{death_id:uuid}/review")
def review_death(world: World) -> Command:
    number = resident_id_of(CITY)
    death_id = registered_death(world, number=number)
    registered_death(world, world.tokens.clerk, number=number, place="家中")  # a conflicting certificate: review
    body = {"decision": "keep", "reason": "the hospital is right"}
    return on_death(world, death_id, "review", body, world.tokens.supervisor)


@scenario("/v1/deaths/{death_id:uuid}/confirmation")
def confirm_death(world: World) -> Command:
    death_id = registered_death(world, world.tokens.clerk)
    return on_death(world, death_id, "confirmation", {"reason": "checked with the hospital"}, world.tokens.supervisor)


@scenario("/v1/deaths/{death_id:uuid}/rejection")
def reject_death(world: World) -> Command:
    death_id = registered_death(world, world.tokens.clerk)
    return on_death(world, death_id, "rejection", {"reason": "no such certificate"}, world.tokens.supervisor)


@scenario("/v1/deaths/{death_id:uuid}/benefit-payments")
def record_benefit_payment(world: World) -> Command:
    body = {"benefit": "pension", "paid_for": "2026-11-21", "amount_fen": 210000}
    desk = world.role(Role.DEPARTMENT, "social-security")
    return on_death(world, registered_death(world), "benefit-payments", body, desk)


def on_task(world: World, act: str, body: dict[str, Any]) -> Command:
    son = world.tokens.citizen(resident_id(date(1970, 5, 5), "male"))
    case = {"death_id": registered_death(world), "facts": {}, "applicant": KIN}
    record = f"/v1/bundle-cases/{world.made('/v1/bundle-cases', case, son)}"
    police = world.role(Role.DEPARTMENT, "police")
    url = f"{record}/tasks/household-registration-cancellation/{act}"
    return Command(url, body, police, record, world.tokens.clerk, "deaths")


@scenario("/v1/bundle-cases/{case_id:uuid}/tasks/{service:str}/acknowledgement")
def acknowledge_task(world: World) -> Command:
    return on_task(world, "acknowledgement", {})


@scenario("/v1/bundle-cases/{case_id:uuid}/tasks/{service:str}/completion")
def complete_task(world: World) -> Command:
    return on_task(world, "completion", {"note": "户销2026-1"})


@scenario("/v1/bundle-cases/{case_id:uuid}/tasks/{service:str}/rejection")
def reject_task(world: World) -> Command:
    return on_task(world, "rejection", {"note": "not registered in this city"})


# -- eco-burial rewards ------------------------------------------------------------------------------------------


def on_claim(world: World, act: str, body: dict[str, Any], *, after: tuple[str, ...] = ()) -> Command:
    son = world.tokens.citizen(resident_id(date(1970, 5, 5), "male"))
    claim = {"death_id": registered_death(world),
             "claimant": {"name": "王小明", "relationship": "child", "payout_account": "6222000000000000"},
             "cremation": {"number": "火化2026-1", "crematorium": "义乌市殡仪馆", "cremated_on": "2026-11-21"},
             "burial": {"kind": "ash-scattering", "place": "义乌市骨灰撒散区", "buried_on": "2026-11-22"}}  # fmt: skip
    record = f"/v1/reward-claims/{world.made('/v1/reward-claims', claim, son)}"
    office = world.role(Role.CLERK, "330782-civil-affairs")
    for earlier in after:
        world.made(f"{record}/{earlier}", {"note": "PAY-2026-0001"} if earlier == "payment" else {}, office)
    return Command(f"{record}/{act}", body, office, record, office, "burial")


@scenario("/v1/reward-claims/{claim_id:uuid}/approval")
def approve_claim(world: World) -> Command:
    return on_claim(world, "approval", {})


@scenario("/v1/reward-claims/{claim_id:uuid}/rejection")
def reject_claim(world: World) -> Command:
    return on_claim(world, "rejection", {"note": "buried outside the scattering area"})


@scenario("/v1/reward-claims/{claim_id:uuid}/payment")
def pay_claim(world: World) -> Command:
    return on_claim(world, "payment", {"note": "PAY-2026-0001"}, after=("approval",))


@scenario("/v1/reward-claims/{claim_id:uuid}/recovery")
def recover_claim(world: World) -> Command:
    return on_claim(world, "recovery", {"note": "paid twice"}, after=("approval", "payment"))


@scenario("/v1/reward-schedule/entries")
def add_schedule_entry(world: World) -> Command:
    """The schedule is one record; it is recorded with its first entry (until then it is the default, version 0)."""
    supervisor = world.tokens.supervisor
    first = {"effective_from": "2027-01-01", "amounts_fen": {"ash-scattering": 700000}, "reason": "budget 2027"}
    response = world.client.post("/v1/reward-schedule/entries", json=first, headers=supervisor)
    assert response.status_code == 201, response.text
    body = {"effective_from": "2028-01-01", "amounts_fen": {"ash-scattering": 800000}, "reason": "budget 2028"}
    return Command("/v1/reward-schedule/entries", body, supervisor, "/v1/reward-schedule", supervisor, "burial")


# -- places ------------------------------------------------------------------------------------------------------


def officer(world: World) -> dict[str, str]:
    return world.role(Role.PLACE_NAME_OFFICER, "330782-civil-affairs")


def proposed_road(world: World) -> str:
    return world.made("/v1/place-names", {"name": "丹溪路", "kind": "road", "origin_and_meaning": "纪念朱丹溪"},
                      officer(world))  # fmt: skip


def approved_road(world: World) -> str:
    road = proposed_road(world)
    world.made(f"/v1/place-names/{road}/review", {"note": "符合规范"}, officer(world))
    world.made(f"/v1/place-names/{road}/notice", {}, officer(world))
    world.clock.advance(timedelta(days=16))  # the public notice is over
    return world.made(f"/v1/place-names/{road}/approval", {}, world.role(Role.PLACE_NAME_OFFICER, "330782-government"))


def on_place(world: World, place_id: str, act: str, body: dict[str, Any], by: dict[str, str]) -> Command:
    record = f"/v1/place-names/{place_id}"
    return Command(f"{record}/{act}", body, by, record, officer(world), "places")


@scenario("/v1/place-names/{place_id:uuid}/{step:str}")
def review_name(world: World) -> Command:
    return on_place(world, proposed_road(world), "review", {"note": "符合规范"}, officer(world))


@scenario("/v1/place-names/{place_id:uuid}/renaming")
def rename(world: World) -> Command:
    government = world.role(Role.PLACE_NAME_OFFICER, "330782-government")
    return on_place(world, approved_road(world), "renaming", {"name": "朱丹溪路", "reason": "全称"}, government)


@scenario("/v1/roads/{road_id:uuid}/spare-numbers")
def reserve_spare_numbers(world: World) -> Command:
    """Spare numbers are kept along the road: the road's record is what the caller read and names."""
    body = {"side": "left", "count": 2, "from_distance": 100, "to_distance": 200}
    road = approved_road(world)
    return Command(f"/v1/roads/{road}/spare-numbers", body, officer(world), f"/v1/place-names/{road}",
                   officer(world), "places")  # fmt: skip


def on_plate(world: World, act: str, body: dict[str, Any] | None) -> Command:
    plate = {"road_id": approved_road(world), "side": "left", "distance": 10, "building_ref": "规建2026-1",
             "town": "稠城街道", "estate": "丹溪小区"}  # fmt: skip
    construction = world.role(Role.CONSTRUCTION, "330782-construction")
    record = f"/v1/door-plates/{world.made('/v1/building-completions', plate, construction)}"
    return Command(f"{record}/{act}", body, officer(world), record, officer(world), "places")


@scenario("/v1/door-plates/{plate_id:uuid}/sign-installation")
def install_sign(world: World) -> Command:
    return on_plate(world, "sign-installation", None)


@scenario("/v1/door-plates/{plate_id:uuid}/dwellings")
def add_dwelling(world: World) -> Command:
    return on_plate(world, "dwellings", {"building": "2", "unit": "3", "room": "501"})


@scenario("/v1/door-plates/{plate_id:uuid}/demolition")
def demolish(world: World) -> Command:
    return on_plate(world, "demolition", {"reason": "拆迁"})
