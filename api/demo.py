"""Demo data: a few couples at two offices, so that a newcomer can try every endpoint at once."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import date, timedelta

from api.auth import mint_token
from registry.common.actors import Act, Actor, Role
from registry.common.clock import SystemClock, local_date
from registry.common.identity import Person, identify, resident_id_check_character
from registry.keys import Purpose
from registry.marriage.values import Attendance, CourtJudgment
from registry.settings import Settings
from registry.system import open_registry

OFFICE = "330782001"
CLERK = Actor("demo-clerk", Role.CLERK.value, OFFICE)
COURT = Actor("demo-court", Role.COURT.value, "330782-court")
PRESENT = Attendance(True, True, True, True, True)


def demo_person(name: str, birth: date, sex: str, serial: int) -> Person:
    body = f"330782{birth:%Y%m%d}{serial * 2 + (1 if sex == 'male' else 0):03d}"
    return identify(
        document_type="resident-id",
        document_number=body + resident_id_check_character(body),
        name=name,
        today=date.today(),
    )


def load_demo(settings: Settings, validity: timedelta) -> Iterator[str]:
    """Register two marriages, leave one application pending, start one divorce, record one court divorce."""
    registry = open_registry(settings)
    now = SystemClock().now()
    run = uuid.uuid4().int % 400  # a fresh set of people on each run

    def act(by: Actor = CLERK) -> Act:
        return Act(by=by, at=now, request_id=f"demo-{uuid.uuid4().hex[:8]}")

    people = [
        demo_person("王伟", date(1994, 3, 12), "male", run + 1),
        demo_person("李娜", date(1996, 7, 8), "female", run + 2),
        demo_person("张强", date(1990, 1, 25), "male", run + 3),
        demo_person("刘芳", date(1991, 11, 30), "female", run + 4),
        demo_person("陈杰", date(1998, 5, 5), "male", run + 5),
        demo_person("杨静", date(1999, 9, 9), "female", run + 6),
        demo_person("赵敏", date(1995, 2, 14), "female", run + 7),
    ]
    try:
        marriages = registry.marriage
        first = marriages.apply_for_marriage(act(), party_a=people[0], party_b=people[1]).aggregate_id
        marriages.register_marriage(act(), first, attendance=(PRESENT, PRESENT))
        second = marriages.apply_for_marriage(act(), party_a=people[2], party_b=people[3]).aggregate_id
        marriages.register_marriage(act(), second, attendance=(PRESENT, PRESENT))
        divorce = marriages.file_divorce(act(), marriage_id=second, attendance=(PRESENT, PRESENT)).aggregate_id
        pending = marriages.apply_for_marriage(act(), party_a=people[4], party_b=people[5]).aggregate_id
        judgment = CourtJudgment("义乌市人民法院", f"(2026)浙0782民初{run}号", local_date(now))
        marriages.record_judgment(act(COURT), first, kind="divorce", judgment=judgment, reason="")
        remarriage = marriages.apply_for_marriage(act(), party_a=people[0], party_b=people[6]).aggregate_id
    finally:
        registry.close()

    seconds = int(validity.total_seconds())
    secret = settings.keys[Purpose.TOKEN]
    clerk = mint_token(secret, subject=CLERK.id, role=Role.CLERK, office=OFFICE, ttl_seconds=seconds)
    auditor = mint_token(secret, subject="demo-auditor", role=Role.AUDITOR, ttl_seconds=seconds)
    citizen_ref = registry.marriage.person_keys.ref(people[1].document_key)
    citizen = mint_token(secret, subject=citizen_ref, role=Role.CITIZEN, ttl_seconds=seconds)
    base = f"http://{settings.host}:{settings.port}"
    yield "Loaded: 2 registered marriages (one since divorced by a court), 1 divorce in cooling-off,"
    yield "        2 pending applications, at office 330782001."
    yield f"  marriage (divorced by court)  {first}"
    yield f"  marriage (divorce pending)    {second}"
    yield f"  divorce application           {divorce}"
    yield f"  pending applications          {pending} {remarriage}"
    yield f"  a party's identity number     {people[2].document_number}  (use it in POST bodies only)"
    yield ""
    yield f"CLERK={clerk}"
    yield f"CITIZEN={citizen}   # 李娜, party to the first marriage"
    yield f"AUDITOR={auditor}"
    yield ""
    yield "Try:"
    yield f'  curl -s -H "Authorization: Bearer $CLERK" {base}/v1/marriages/{second}'
    yield f'  curl -s -H "Authorization: Bearer $CITIZEN" {base}/v1/marriages/{first}'
    yield '  curl -s -H "Authorization: Bearer $CLERK" -H "Content-Type: application/json" \\'
    yield f'       -d \'{{"document_number": "{people[2].document_number}"}}\' {base}/v1/persons/marital-status'
    attended = {
        "present": True,
        "declares_voluntary": True,
        "signed_no_spouse_statement": True,
        "signed_no_kinship_statement": True,
    }
    yield '  curl -s -X POST -H "Authorization: Bearer $CLERK" -H "Content-Type: application/json" \\'
    yield f"       -d '{json.dumps({'party_a': attended, 'party_b': attended})}' \\"
    yield f"       {base}/v1/marriages/{pending}/registration"
    yield f"  API docs: {base}/schema"
