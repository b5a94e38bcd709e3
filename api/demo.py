"""Demo data: a few couples at two offices, so that a newcomer can try every endpoint at once; loaded once per store."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from api.auth import mint_token
from api.web.demo import describe_front_desk_demo
from registry.common.actors import Act, Actor, Role
from registry.common.clock import SystemClock, local_date
from registry.common.errors import NotFound
from registry.common.idempotency import IdempotencyRecord
from registry.common.identity import Person, identify, resident_id_check_character
from registry.keys import Purpose
from registry.marriage.application import MarriageRegistry
from registry.marriage.values import Attendance, CourtJudgment
from registry.settings import Settings
from registry.system import open_registry

OFFICE = "330782001"
CLERK = Actor("demo-clerk", Role.CLERK.value, OFFICE)
COURT = Actor("demo-court", Role.COURT.value, "330782-court")
DEMO_MARK = "registry-demo"  # the idempotency key of the demo's first command: its record marks the store as loaded
PRESENT = Attendance(True, True, True, True, True)


def demo_person(name: str, birth: date, sex: str, serial: int) -> Person:
    body = f"330782{birth:%Y%m%d}{serial * 2 + (1 if sex == 'male' else 0):03d}"
    return identify(
        document_type="resident-id",
        document_number=body + resident_id_check_character(body),
        name=name,
        today=date.today(),
    )


@dataclass(frozen=True)
class LoadedDemo:
    """What `registry demo` loaded, as it is kept beside the store (no tokens: those are minted on every run)."""

    witness: str  # the first marriage's id: while it is in the store, the demo is loaded there
    citizen_ref: str  # the keyed hash of the citizen the demo's citizen token is for
    summary: list[str]
    examples: list[str]
    front_desk: list[str]


def run_demo(settings: Settings, validity: timedelta) -> Iterator[str]:
    """`registry demo`: loads the demo into a store once; run again, it adds nothing and prints fresh tokens.

    The data directory keeps what the demo printed (demo.json); the store itself keeps the mark that it was loaded
    (the first command's idempotency record), so a run from another machine on the same PostgreSQL adds nothing."""
    record = settings.data_dir / "demo.json"
    loaded = _recorded_demo(settings, record)
    if loaded is None and _marked_in_store(settings):
        yield "The demo data is already in this store (loaded by `registry demo` elsewhere); nothing was added."
        yield from demo_tokens(settings, _citizen_ref(settings), validity)
        return
    if loaded is None:
        loaded = load_demo(settings)
        record.parent.mkdir(parents=True, exist_ok=True)
        record.write_text(json.dumps(asdict(loaded), ensure_ascii=False, indent=1))
    else:
        yield "The demo data is already in this store (loaded by an earlier `registry demo`); nothing was added."
    yield from loaded.summary
    yield from demo_tokens(settings, loaded.citizen_ref, validity)
    yield from loaded.examples
    yield from loaded.front_desk


def _recorded_demo(settings: Settings, record: Path) -> LoadedDemo | None:
    """The demo recorded beside the store, if its first marriage is still in the store (a new store loads it anew)."""
    if not record.exists():
        return None
    loaded = LoadedDemo(**json.loads(record.read_text()))
    registry = open_registry(settings)
    try:
        registry.marriage.marriage(uuid.UUID(loaded.witness))
    except NotFound:
        return None
    finally:
        registry.close()
    return loaded


def _marked_in_store(settings: Settings) -> bool:
    registry = open_registry(settings)
    try:
        return registry.marriage.find(IdempotencyRecord.id_for(CLERK, DEMO_MARK), IdempotencyRecord) is not None
    finally:
        registry.close()


def _citizen_ref(settings: Settings) -> str:
    registry = open_registry(settings)
    try:
        return registry.marriage.person_keys.ref(_demo_people()[1].document_key)
    finally:
        registry.close()


def demo_tokens(settings: Settings, citizen_ref: str, validity: timedelta) -> list[str]:
    """Tokens for a clerk, the demo's citizen and an auditor, valid for `validity`."""
    seconds = int(validity.total_seconds())
    secret = settings.keys[Purpose.TOKEN]
    clerk = mint_token(secret, subject=CLERK.id, role=Role.CLERK, office=OFFICE, ttl_seconds=seconds)
    auditor = mint_token(secret, subject="demo-auditor", role=Role.AUDITOR, ttl_seconds=seconds)
    citizen = mint_token(secret, subject=citizen_ref, role=Role.CITIZEN, ttl_seconds=seconds)
    return ["", f"CLERK={clerk}", f"CITIZEN={citizen}   # 李娜, party to the first marriage", f"AUDITOR={auditor}", ""]


def load_demo(settings: Settings) -> LoadedDemo:
    """Register two marriages, leave one application pending, start one divorce, record one court divorce; then load
    the portal's and the console's scene (a death and its bundle, a DV inquiry, a reward claim, a road, its plates)."""
    people = _demo_people()
    registry = open_registry(settings)
    try:
        records = _load_marriages(registry.marriage, SystemClock().now(), people)
    finally:
        registry.close()
    citizen_ref = registry.marriage.person_keys.ref(people[1].document_key)
    summary, examples = _summary(records, people), _examples(settings, records, people)
    return LoadedDemo(str(records.first), citizen_ref, summary, examples, describe_front_desk_demo(settings))


@dataclass(frozen=True)
class DemoMarriages:
    """The ids of the records the demo's marriages left."""

    first: uuid.UUID  # registered, then divorced by a court
    second: uuid.UUID  # registered, a divorce by agreement pending
    divorce: uuid.UUID
    pending: uuid.UUID
    remarriage: uuid.UUID  # the first marriage's husband applies again


def _demo_people() -> list[Person]:
    """The same people on every run: a store holds the demo once (see DEMO_MARK)."""
    return [
        demo_person("王伟", date(1994, 3, 12), "male", 1),
        demo_person("李娜", date(1996, 7, 8), "female", 2),
        demo_person("张强", date(1990, 1, 25), "male", 3),
        demo_person("刘芳", date(1991, 11, 30), "female", 4),
        demo_person("陈杰", date(1998, 5, 5), "male", 5),
        demo_person("杨静", date(1999, 9, 9), "female", 6),
        demo_person("赵敏", date(1995, 2, 14), "female", 7),
    ]


def _load_marriages(marriages: MarriageRegistry, now: datetime, people: list[Person]) -> DemoMarriages:
    def act(by: Actor = CLERK, key: str | None = None) -> Act:
        return Act(by=by, at=now, request_id=f"demo-{uuid.uuid4().hex[:8]}", idempotency_key=key)

    first = marriages.apply_for_marriage(act(key=DEMO_MARK), party_a=people[0], party_b=people[1]).aggregate_id
    marriages.register_marriage(act(), first, attendance=(PRESENT, PRESENT))
    second = marriages.apply_for_marriage(act(), party_a=people[2], party_b=people[3]).aggregate_id
    marriages.register_marriage(act(), second, attendance=(PRESENT, PRESENT))
    divorce = marriages.file_divorce(act(), marriage_id=second, attendance=(PRESENT, PRESENT)).aggregate_id
    pending = marriages.apply_for_marriage(act(), party_a=people[4], party_b=people[5]).aggregate_id
    judgment = CourtJudgment("义乌市人民法院", "(2026)浙0782民初1号", local_date(now))
    marriages.record_judgment(act(COURT), first, kind="divorce", judgment=judgment, reason="")
    remarriage = marriages.apply_for_marriage(act(), party_a=people[0], party_b=people[6]).aggregate_id
    return DemoMarriages(first, second, divorce, pending, remarriage)


def _summary(records: DemoMarriages, people: list[Person]) -> list[str]:
    return [
        "Loaded: 2 registered marriages (one since divorced by a court), 1 divorce in cooling-off,",
        "        2 pending applications, at office 330782001.",
        f"  marriage (divorced by court)  {records.first}",
        f"  marriage (divorce pending)    {records.second}",
        f"  divorce application           {records.divorce}",
        f"  pending applications          {records.pending} {records.remarriage}",
        f"  a party's identity number     {people[2].document_number}  (use it in POST bodies only)",
    ]


def _examples(settings: Settings, records: DemoMarriages, people: list[Person]) -> list[str]:
    base = f"http://{settings.host}:{settings.port}"
    attended = {
        "present": True,
        "declares_voluntary": True,
        "signed_no_spouse_statement": True,
        "signed_no_kinship_statement": True,
    }
    return [
        "Try:",
        f'  curl -s -H "Authorization: Bearer $CLERK" {base}/v1/marriages/{records.second}',
        f'  curl -s -H "Authorization: Bearer $CITIZEN" {base}/v1/marriages/{records.first}',
        '  curl -s -H "Authorization: Bearer $CLERK" -H "Content-Type: application/json" \\',
        f'       -d \'{{"document_number": "{people[2].document_number}"}}\' {base}/v1/persons/marital-status',
        '  curl -s -X POST -H "Authorization: Bearer $CLERK" -H "Content-Type: application/json" \\',
        f"       -d '{json.dumps({'party_a': attended, 'party_b': attended})}' \\",
        f"       {base}/v1/marriages/{records.pending}/registration",
        f"  API docs: {base}/schema",
    ]
