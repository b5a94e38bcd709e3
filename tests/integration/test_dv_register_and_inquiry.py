"""The DV register and the pre-marriage inquiry on SQLite and PostgreSQL: disclosure, limits, sealing."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from uuid import UUID

import psycopg
import pytest

from projections.catalog import ReadSide, migrate_all
from registry.common.actors import Actor
from registry.common.errors import Forbidden, InvalidInput, NotEligible, WrongState
from registry.common.identity import Person
from registry.common.sealing import Unreadable
from registry.settings import Settings
from registry.system import Registry, open_registry
from tests.support import OTHER_CLERK, act, person

TODAY = date(2026, 11, 22)
COURT = Actor("judge-7", "dv-source", "330782-court")
POLICE = Actor("officer-3", "dv-source", "330782-police")


def application(registry: Registry, day: date = TODAY) -> tuple[UUID, Person, Person]:
    man, woman = person(date(1990, 1, 1), "male", "赵刚"), person(date(1992, 2, 2), "female", "钱芳")
    marriage_id = registry.marriage.apply_for_marriage(act(day), party_a=man, party_b=woman).aggregate_id
    return marriage_id, man, woman


def add_record(registry: Registry, subject: Person, category: str = "criminal-judgment", **dates: date) -> UUID:
    issued = dates.get("issued_on", date(2024, 5, 1))
    result = registry.dv_records.add_record(
        act(TODAY, by=COURT if category != "administrative-detention" else POLICE), subject=subject, category=category,
        document_number="(2024)浙0782刑初88号", issued_on=issued, expires_on=dates.get("expires_on"),
    )  # fmt: skip
    return result.aggregate_id


def inquire(registry: Registry, marriage_id: UUID, about: Person, day: date = TODAY, applicant: str = "b") -> UUID:
    return registry.dv_inquiries.file(
        act(day), marriage_id=marriage_id, applicant_party=applicant, subject_document_key=about.document_key,
        subject_name=about.name, truthfulness_pledged=True, confidentiality_pledged=True,
    ).aggregate_id  # fmt: skip


def result_for(registry: Registry, inquiry_id: UUID, reader: Person, day: date = TODAY) -> dict[str, object]:
    registry.dv_inquiries.approve(act(day), inquiry_id)
    reader_ref = registry.marriage.person_ref(reader)
    return registry.dv_inquiries.read_result(
        act(day, by=Actor(reader_ref, "citizen")), inquiry_id, reader_ref=reader_ref
    )


def test_an_approved_inquiry_discloses_category_and_year_only(registry: Registry) -> None:
    marriage_id, man, woman = application(registry)
    add_record(registry, man)
    add_record(registry, man, "protection-order", issued_on=date(2026, 9, 1), expires_on=date(2027, 3, 1))
    result = result_for(registry, inquire(registry, marriage_id, man), woman)
    assert result == {
        "records": [{"category": "criminal-judgment", "year": 2024}, {"category": "protection-order", "year": 2026}]
    }


def test_no_record_is_said_plainly(registry: Registry) -> None:
    marriage_id, man, woman = application(registry)
    assert result_for(registry, inquire(registry, marriage_id, man), woman) == {"records": []}


def test_an_expired_protection_order_is_still_disclosed_as_a_dv_history(registry: Registry) -> None:
    marriage_id, man, woman = application(registry)
    add_record(registry, man, "protection-order", issued_on=date(2026, 1, 1), expires_on=date(2026, 7, 1))
    result = result_for(registry, inquire(registry, marriage_id, man), woman)
    assert result == {"records": [{"category": "protection-order", "year": 2026}]}


def test_a_record_issued_before_the_register_starts_is_refused(registry: Registry) -> None:
    _, man, _ = application(registry)
    with pytest.raises(InvalidInput) as caught:
        add_record(registry, man, issued_on=date(2016, 12, 31))
    assert [f.code for f in caught.value.failures] == ["dv-issued-before-register"]
    add_record(registry, man, issued_on=date(2017, 1, 1))


def test_the_first_day_the_register_covers_is_configuration(store_env: dict[str, str]) -> None:
    settings = Settings.from_env({**store_env, "REGISTRY_DV_RECORDS_FROM": "2016-03-01"})  # the law's own start
    migrate_all(settings)
    registry = open_registry(settings)
    try:
        marriage_id, man, woman = application(registry)
        with pytest.raises(InvalidInput) as caught:
            add_record(registry, man, issued_on=date(2016, 2, 29))
        assert [f.code for f in caught.value.failures] == ["dv-issued-before-register"]
        add_record(registry, man, issued_on=date(2016, 3, 1))
        result = result_for(registry, inquire(registry, marriage_id, man), woman)
        assert result == {"records": [{"category": "criminal-judgment", "year": 2016}]}
    finally:
        registry.close()


def test_a_court_extends_its_protection_order_by_at_most_six_months(registry: Registry) -> None:
    _, man, _ = application(registry)
    order = add_record(registry, man, "protection-order", issued_on=date(2026, 9, 1), expires_on=date(2027, 3, 1))
    with pytest.raises(InvalidInput) as caught:
        registry.dv_records.extend(act(TODAY, by=COURT), order, expires_on=date(2027, 9, 2))
    assert [f.code for f in caught.value.failures] == ["dv-extension-length"]
    with pytest.raises(Forbidden):
        registry.dv_records.extend(act(TODAY, by=POLICE), order, expires_on=date(2027, 9, 1))
    registry.dv_records.extend(act(TODAY, by=COURT), order, expires_on=date(2027, 9, 1))
    assert registry.dv_records.details(registry.dv_records.record(order)).expires_on == date(2027, 9, 1)


def test_revoked_and_sealed_records_are_not_disclosed(registry: Registry) -> None:
    marriage_id, man, woman = application(registry)
    revoked = add_record(registry, man, "administrative-detention")
    registry.dv_records.revoke(act(TODAY, by=POLICE), revoked, reason="wrong person")
    sealed = add_record(registry, man)
    registry.dv_records.seal(act(TODAY, by=COURT), sealed, reason="expunged")
    assert result_for(registry, inquire(registry, marriage_id, man), woman) == {"records": []}


def test_only_the_other_party_of_a_pending_application_can_be_asked_about(registry: Registry) -> None:
    marriage_id, man, _ = application(registry)
    stranger = person(date(1985, 5, 5), "male", "孙亮")
    with pytest.raises(NotEligible) as caught:
        inquire(registry, marriage_id, stranger)
    assert [f.code for f in caught.value.failures] == ["dv-subject-not-the-other-party"]
    with pytest.raises(NotEligible):
        registry.dv_inquiries.file(
            act(TODAY), marriage_id=marriage_id, applicant_party="b", subject_document_key=man.document_key,
            subject_name="别人", truthfulness_pledged=True, confidentiality_pledged=True,
        )  # fmt: skip


def test_the_signed_confidentiality_pledge_is_required(registry: Registry) -> None:
    marriage_id, man, _ = application(registry)
    with pytest.raises(NotEligible) as caught:
        registry.dv_inquiries.file(
            act(TODAY), marriage_id=marriage_id, applicant_party="b", subject_document_key=man.document_key,
            subject_name=man.name, truthfulness_pledged=True, confidentiality_pledged=False,
        )  # fmt: skip
    assert [f.code for f in caught.value.failures] == ["confidentiality-pledge-missing"]


def test_the_signed_pledge_covers_truthfulness_and_confidentiality_each_named_when_missing(
    registry: Registry,
) -> None:
    marriage_id, man, _ = application(registry)
    with pytest.raises(NotEligible) as caught:
        registry.dv_inquiries.file(
            act(TODAY), marriage_id=marriage_id, applicant_party="b", subject_document_key=man.document_key,
            subject_name=man.name, truthfulness_pledged=False, confidentiality_pledged=False,
        )  # fmt: skip
    assert [f.code for f in caught.value.failures] == ["truthfulness-pledge-missing", "confidentiality-pledge-missing"]
    with pytest.raises(NotEligible) as untrue:
        registry.dv_inquiries.file(
            act(TODAY), marriage_id=marriage_id, applicant_party="b", subject_document_key=man.document_key,
            subject_name=man.name, truthfulness_pledged=False, confidentiality_pledged=True,
        )  # fmt: skip
    assert [f.code for f in untrue.value.failures] == ["truthfulness-pledge-missing"]


def test_the_third_inquiry_in_a_calendar_year_is_refused_and_the_year_turning_resets_it(registry: Registry) -> None:
    december = date(2026, 12, 20)  # the application is still pending (not lapsed) on 1 January
    marriage_id, man, _ = application(registry, december)
    inquire(registry, marriage_id, man, day=december)
    inquire(registry, marriage_id, man, day=december)
    with pytest.raises(NotEligible) as caught:
        inquire(registry, marriage_id, man, day=december)
    assert [f.code for f in caught.value.failures] == ["dv-inquiry-limit"]
    inquire(registry, marriage_id, man, day=date(2027, 1, 1))


def test_a_refused_inquiry_does_not_count_against_the_limit(registry: Registry) -> None:
    marriage_id, man, _ = application(registry)
    first = inquire(registry, marriage_id, man)
    registry.dv_inquiries.refuse(act(TODAY), first, reason="pledge form unsigned on paper")
    after_the_refusal = [inquire(registry, marriage_id, man), inquire(registry, marriage_id, man)]
    assert registry.dv_inquiries.inquiry(first).state == "refused"
    assert [registry.dv_inquiries.inquiry(i).state for i in after_the_refusal] == ["filed", "filed"]
    with pytest.raises(NotEligible) as caught:  # the two after the refusal use the year's two inquiries
        inquire(registry, marriage_id, man)
    assert [f.code for f in caught.value.failures] == ["dv-inquiry-limit"]


def test_an_inquiry_about_a_third_person_in_a_year_is_refused_naming_both_limits(registry: Registry) -> None:
    applicant = person(date(1992, 2, 2), "female", "钱芳")
    for n in range(3):
        other = person(date(1988 + n, 3, 3), "male", f"候选{n}")
        marriage_id = registry.marriage.apply_for_marriage(act(TODAY), party_a=other, party_b=applicant).aggregate_id
        if n < 2:
            inquire(registry, marriage_id, other)
            continue
        with pytest.raises(NotEligible) as caught:
            inquire(registry, marriage_id, other)
        assert [f.code for f in caught.value.failures] == ["dv-inquiry-limit", "dv-inquiry-subject-limit"]


def test_only_a_clerk_of_the_application_office_reviews(registry: Registry) -> None:
    marriage_id, man, _ = application(registry)
    inquiry = inquire(registry, marriage_id, man)
    with pytest.raises(Forbidden):
        registry.dv_inquiries.approve(act(TODAY, by=OTHER_CLERK), inquiry)


def test_only_the_applicant_reads_the_result(registry: Registry) -> None:
    marriage_id, man, _ = application(registry)
    inquiry = inquire(registry, marriage_id, man)
    registry.dv_inquiries.approve(act(TODAY), inquiry)
    man_ref = registry.marriage.person_ref(man)
    with pytest.raises(Forbidden):
        registry.dv_inquiries.read_result(act(TODAY, by=Actor(man_ref, "citizen")), inquiry, reader_ref=man_ref)


def test_a_result_cannot_be_read_before_approval(registry: Registry) -> None:
    marriage_id, man, woman = application(registry)
    inquiry = inquire(registry, marriage_id, man)
    ref = registry.marriage.person_ref(woman)
    with pytest.raises(WrongState):
        registry.dv_inquiries.read_result(act(TODAY, by=Actor(ref, "citizen")), inquiry, reader_ref=ref)


def test_a_sealed_record_can_never_be_decrypted_but_history_replays_and_rebuilds(registry: Registry) -> None:
    _, man, _ = application(registry)
    record_id = add_record(registry, man)
    assert registry.dv_records.details(registry.dv_records.record(record_id)).subject_name == man.name
    registry.dv_records.seal(act(TODAY, by=COURT), record_id, reason="expunged by court order")
    assert registry.dv_keys.get(str(record_id)) is None
    record = registry.dv_records.record(record_id)
    with pytest.raises(Unreadable):
        registry.dv_records.details(record)
    assert [e.originator_version for e in registry.dv_records.events.get(record_id)] == [1, 2]
    read_side = ReadSide(registry)
    try:
        read_side.rebuild("audit_trail")
        rows = read_side.store.query("SELECT event_type FROM audit_trail WHERE aggregate_id = ?", (str(record_id),))
        assert sorted(r[0] for r in rows) == ["dv_records:DvRecord.Added", "dv_records:DvRecord.Sealed"]
    finally:
        read_side.close()


def test_an_earlier_result_read_again_no_longer_shows_a_record_sealed_or_revoked_since(registry: Registry) -> None:
    marriage_id, man, woman = application(registry)
    sealed, revoked = add_record(registry, man), add_record(registry, man, "administrative-detention")
    kept = add_record(registry, man, "protection-order", issued_on=date(2025, 3, 1), expires_on=date(2025, 9, 1))
    inquiry = inquire(registry, marriage_id, man)
    assert len(result_for(registry, inquiry, woman)["records"]) == 3  # type: ignore[arg-type]
    registry.dv_records.seal(act(TODAY, by=COURT), sealed, reason="expunged")
    registry.dv_records.revoke(act(TODAY, by=POLICE), revoked, reason="overturned")
    woman_ref = registry.marriage.person_ref(woman)
    again = registry.dv_inquiries.read_result(act(TODAY, by=Actor(woman_ref, "citizen")), inquiry, reader_ref=woman_ref)
    assert again == {"records": [{"category": "protection-order", "year": 2025}]}
    assert registry.dv_records.details(registry.dv_records.record(kept)).category == "protection-order"


def test_reasons_given_for_dv_acts_are_sealed_with_the_record(registry: Registry) -> None:
    _, man, _ = application(registry)
    record_id = add_record(registry, man)
    registry.dv_records.seal(act(TODAY, by=COURT), record_id, reason="expunged: a secret reason")
    sealed_event = list(registry.dv_records.events.get(record_id))[-1]
    assert "reason" not in vars(sealed_event) and sealed_event.sealed_reason  # type: ignore[attr-defined]
    read_side = ReadSide(registry)
    try:
        read_side.catch_up()
        rows = read_side.store.query("SELECT reason FROM audit_trail WHERE aggregate_id = ?", (str(record_id),))
        assert [r[0] for r in rows] == [None, None]
    finally:
        read_side.close()


def test_after_sealing_no_person_indexed_audit_row_names_the_record(registry: Registry) -> None:
    _, man, _ = application(registry)
    man_ref = registry.marriage.person_ref(man)
    legacy = add_legacy_record(registry, man)  # a version-1 record kept the subject's reference in clear
    current = add_record(registry, man)
    read_side = ReadSide(registry)
    try:
        read_side.catch_up()
        assert str(legacy) in audit_rows_about(read_side, man_ref)
        assert str(current) not in audit_rows_about(read_side, man_ref)  # never indexed under the person at all
        registry.dv_records.seal(act(TODAY, by=COURT), legacy, reason="expunged")
        read_side.catch_up()
        assert str(legacy) not in audit_rows_about(read_side, man_ref)
        read_side.rebuild("audit_trail")
        assert str(legacy) not in audit_rows_about(read_side, man_ref)
    finally:
        read_side.close()


def test_the_inquiry_history_stays_verifiable_after_sealing(registry: Registry) -> None:
    marriage_id, man, woman = application(registry)
    record_id = add_record(registry, man)
    inquiry = inquire(registry, marriage_id, man)
    result_for(registry, inquiry, woman)
    registry.dv_records.seal(act(TODAY + timedelta(days=1), by=COURT), record_id, reason="expunged")
    topics = [type(e).TOPIC for e in registry.dv_inquiries.events.get(inquiry)]  # type: ignore[attr-defined]
    assert topics == ["marriage:DvInquiry.Filed", "marriage:DvInquiry.Answered", "marriage:DvInquiry.ResultRead"]


def audit_rows_about(read_side: ReadSide, person_ref: str) -> set[str]:
    rows = read_side.store.query(
        "SELECT t.aggregate_id FROM audit_trail t JOIN audit_trail_persons p ON p.application = t.application "
        "AND p.position = t.position WHERE p.person_ref = ? AND t.application = 'dv_records'",
        (person_ref,),
    )
    return {r[0] for r in rows}


def add_legacy_record(registry: Registry, subject: Person) -> UUID:
    """A record as version 1 of the register stored it: subject reference in clear, key unwrapped in record_keys."""
    from registry.common.sealing import seal
    from registry.dv_records.record import DvDetails, DvRecord, DvSubject

    ref = registry.marriage.person_ref(subject)
    record_id = DvRecord.new_id()
    key = registry.dv_keys.create(str(record_id), owner=str(record_id))
    details = DvDetails("criminal-judgment", "(2019)浙0782刑初1号", date(2019, 3, 1), None, subject.name,
                        subject.document_key)  # fmt: skip
    record = DvRecord.add(
        act(TODAY, by=COURT), record_id=record_id, details=details, categories=("criminal-judgment",), today=TODAY,
        seal=lambda d: seal(key, d.as_fields(), str(record_id)),
    )  # fmt: skip
    record.pending_events[0].__dict__["subject_ref"] = ref  # as version 1 wrote it
    index = DvSubject.open(act(TODAY, by=COURT), ref)
    index.add_record(act(TODAY, by=COURT), record_id)
    registry.dv_records.save(record, index)
    return record_id


def raw_store_bytes(registry: Registry) -> bytes:
    """Every byte of the stores: SQLite files as they lie on disk, or every row of every PostgreSQL table."""
    settings = registry.settings
    if not settings.uses_postgres:
        return b"".join(path.read_bytes() for path in Path(settings.data_dir).glob("*.sqlite*"))
    conninfo, schema = settings.postgres_target()
    chunks = []
    with psycopg.connect(conninfo) as conn:
        tables = conn.execute(
            "SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema LIKE %s",
            (schema + "%",),
        ).fetchall()
        for table_schema, table in tables:
            for row in conn.execute(f'SELECT * FROM "{table_schema}"."{table}"').fetchall():
                chunks += [v if isinstance(v, bytes) else str(v).encode() for v in row]
    return b"\n".join(chunks)


def test_no_name_or_identity_number_of_a_dv_subject_is_anywhere_in_the_stores(registry: Registry) -> None:
    marriage_id, man, woman = application(registry)
    add_record(registry, man)
    result_for(registry, inquire(registry, marriage_id, man), woman)
    read_side = ReadSide(registry)
    read_side.catch_up()
    read_side.close()
    raw = raw_store_bytes(registry)
    assert str(marriage_id).encode() in raw  # the dump does hold the stores' contents
    for secret in (man.name, man.document_number, man.document_number[:14]):
        assert secret.encode() not in raw


def test_auditors_find_who_inquired_about_whom_by_either_person(registry: Registry) -> None:
    marriage_id, man, woman = application(registry)
    inquiry = inquire(registry, marriage_id, man)
    read_side = ReadSide(registry)
    try:
        read_side.catch_up()
        for who in (man, woman):
            rows = read_side.store.query(
                "SELECT t.aggregate_id FROM audit_trail t JOIN audit_trail_persons p ON p.application = t.application "
                "AND p.position = t.position WHERE p.person_ref = ? AND t.application = 'dv_inquiries'",
                (registry.marriage.person_ref(who),),
            )
            assert str(inquiry) in {r[0] for r in rows}
    finally:
        read_side.close()
