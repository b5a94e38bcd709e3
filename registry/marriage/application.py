"""MarriageRegistry: the use cases of marriage registration and divorce."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, ClassVar, Literal
from uuid import UUID

import structlog
from eventsourcing.domain import BaseAggregate, Snapshot
from eventsourcing.persistence import Tracking

from registry.common.actors import Act
from registry.common.application import (
    CommandResult,
    RefusalRecorded,
    RegistryApplication,
    check_version,
)
from registry.common.clock import local_date
from registry.common.errors import Failure, NotEligible
from registry.common.identity import Person
from registry.marriage.certificates import DIVORCE_CERTIFICATE, MARRIAGE_CERTIFICATE, CertificateBook
from registry.marriage.divorce import DivorceApplication
from registry.marriage.marriage import REGISTERED, Marriage
from registry.marriage.person_status import EndedHow, PersonStatus
from registry.marriage.records import MarriageRecords
from registry.marriage.values import Attendance, CourtJudgment

JudgmentKind = Literal["divorce", "void", "annulled"]

log = structlog.get_logger("registry.marriage")


class MarriageRegistry(MarriageRecords):
    """Marriage applications, registrations, divorces, court annotations and marital status."""

    name = "marriage"
    # A certificate book gains an event with every registration: snapshots keep its replays short.
    snapshotting_intervals: ClassVar[dict[type[Any], int]] = {CertificateBook: 100}
    snapshot_class = Snapshot
    value_types: ClassVar[dict[str, type[Any]]] = {
        **RegistryApplication.value_types,
        "attendance": Attendance,
        "court_judgment": CourtJudgment,
        "failure": Failure,
    }

    # -- marriage ---------------------------------------------------------------------------------------------

    def apply_for_marriage(self, act: Act, *, party_a: Person, party_b: Person, request: str = "") -> CommandResult:
        designated = self.is_designated(act)
        return self.execute(
            act,
            lambda: [Marriage.apply_for(act, party_a=party_a, party_b=party_b, office_designated=designated)],
            request_fingerprint=request,
        )

    def register_marriage(
        self,
        act: Act,
        marriage_id: UUID,
        *,
        attendance: tuple[Attendance, Attendance],
        expected_version: int | None = None,
        request: str = "",
    ) -> CommandResult:
        """Register on the spot, or refuse with the failed conditions (regs art 10): a failed attempt is recorded as
        the application's refusal and then answered with NotEligible (RefusalRecorded) naming every failure."""
        refused: list[Failure] = []

        def decide() -> Sequence[BaseAggregate[UUID]]:
            marriage = self.marriage(marriage_id)
            check_version(marriage, expected_version)
            facts = self._facts_of(act, marriage)
            book, numbers = self._issue_certificates(act, MARRIAGE_CERTIFICATE, 2)
            refused.clear()
            try:
                marriage.register(
                    act, attendance=attendance, facts=facts, office_designated=self.is_designated(act),
                    certificate_numbers=(numbers[0], numbers[1]), lapse_days=self.application_lapse_days,
                )  # fmt: skip
            except NotEligible as failed:
                marriage.refuse_as_found(act, failed.failures, lapse_days=self.application_lapse_days)
                refused.extend(failed.failures)
                return [marriage]  # the book issued nothing: no gap in the certificate numbers
            for known in facts:
                known.status.marry(act, marriage_id=marriage.id, since=local_date(act.at))
            return [marriage, *(known.status for known in facts), book]

        result = self.execute(act, decide, request_fingerprint=request)
        if result.replayed:
            refused = self.subject_of(result, Marriage).refusal_findings
        if refused:
            raise RefusalRecorded(refused, result=result)
        return result

    def refuse_marriage(
        self,
        act: Act,
        marriage_id: UUID,
        *,
        reason: str,
        failed_conditions: list[str],
        expected_version: int | None = None,
        request: str = "",
    ) -> CommandResult:
        """A clerk's refusal for a reason the checks cannot see, recorded with what the checks find today."""

        def decide() -> Sequence[BaseAggregate[UUID]]:
            marriage = self.marriage(marriage_id)
            check_version(marriage, expected_version)
            found = marriage.eligibility_failures(
                local_date(act.at), self._facts_of(act, marriage), self.is_designated(act)
            )
            marriage.refuse(
                act, reason=reason, failed_conditions=failed_conditions, found=found,
                lapse_days=self.application_lapse_days,
            )  # fmt: skip
            return [marriage]

        return self.execute(act, decide, request_fingerprint=request)

    def reissue_certificate(
        self,
        act: Act,
        marriage_id: UUID,
        *,
        party: str,
        reason: str,
        expected_version: int | None = None,
        request: str = "",
    ) -> CommandResult:
        def decide() -> Sequence[BaseAggregate[UUID]]:
            marriage = self.marriage(marriage_id)
            check_version(marriage, expected_version)
            marriage.check_state("registered")
            book, numbers = self._issue_certificates(act, MARRIAGE_CERTIFICATE, 1)
            marriage.reissue_certificate(act, party=party, reason=reason, certificate=numbers[0])
            return [marriage, book]

        return self.execute(act, decide, request_fingerprint=request)

    def record_judgment(
        self,
        act: Act,
        marriage_id: UUID,
        *,
        kind: JudgmentKind,
        judgment: CourtJudgment,
        reason: str,
        expected_version: int | None = None,
        request: str = "",
    ) -> CommandResult:
        """A court's divorce (no cooling-off), or its declaration that a marriage is void or annulled."""

        def decide() -> Sequence[BaseAggregate[UUID]]:
            marriage = self.marriage(marriage_id)
            check_version(marriage, expected_version)
            marriage.check_judgment_date(judgment, local_date(act.at))
            closed = self._close_pending_divorce(
                act, marriage, f"the marriage ended by court judgment {judgment.number}"
            )
            how: EndedHow
            if kind == "divorce":
                marriage.dissolve(act, on=judgment.effective_on, judgment=judgment)
                how = "divorced"
            elif kind == "void":
                marriage.declare_void(act, judgment=judgment, reason=reason)
                how = "void"
            else:
                marriage.annul(act, judgment=judgment, reason=reason)
                how = "annulled"
            return [marriage, *self._end_for_both(act, marriage, how, judgment.effective_on), *closed]

        return self.execute(act, decide, request_fingerprint=request)

    def end_marriage_by_death(
        self, act: Act, marriage_id: UUID, *, deceased: str, died_on: date, request: str = ""
    ) -> CommandResult:
        """The surviving spouse becomes widowed as of the date of death."""

        def decide() -> Sequence[BaseAggregate[UUID]]:
            marriage = self.marriage(marriage_id)
            marriage.end_by_death(act, deceased=deceased, died_on=died_on)
            survivor = self._status_of(act, marriage.party("b" if deceased == "a" else "a"))
            survivor.end_marriage(act, marriage_id=marriage.id, how="widowed", on=died_on)
            return [marriage, survivor]

        return self.execute(act, decide, request_fingerprint=request)

    def widow_spouse_of(self, act: Act, *, deceased_ref: str, died_on: date, tracking: Tracking) -> bool:
        """React to a registered death, exactly once: a married deceased's spouse becomes widowed.

        Returns whether a marriage ended. The tracking position is saved even when nothing changes.
        """
        status = self.find(PersonStatus.id_for(deceased_ref), PersonStatus)
        current = status.current_marriage if status else None
        if current is None:
            self.save_tracked(tracking)
            return False
        marriage = self.marriage(current.marriage_id)
        deceased = "a" if self.person_ref(marriage.party_a) == deceased_ref else "b"
        closed = self._close_pending_divorce(act, marriage, "a spouse died")
        marriage.end_by_death(act, deceased=deceased, died_on=died_on)
        survivor = self._status_of(act, marriage.party("b" if deceased == "a" else "a"))
        survivor.end_marriage(act, marriage_id=marriage.id, how="widowed", on=died_on)
        self.save_tracked(tracking, marriage, survivor, *closed)
        return True

    # -- marriages registered in another jurisdiction ---------------------------------------------------------

    def record_from_exchange(self, act: Act, *, party_a: Person, party_b: Person, request: str = "") -> CommandResult:
        """Record here a marriage another jurisdiction registered between these two people, from its record in the
        exchange, so that they may divorce by agreement at this office; recording it again finds the same record."""

        def decide() -> Sequence[BaseAggregate[UUID]]:
            elsewhere = self.elsewhere
            found = elsewhere.shared_marriage(party_a.document_key, party_b.document_key) if elsewhere else None
            if found is None:
                raise NotEligible([Failure(
                    "no-marriage-in-exchange", "no running marriage of these two is reported by another registry"
                )])  # fmt: skip
            recorded = self.find(Marriage.id_from_exchange(found.jurisdiction, found.reference), Marriage)
            if recorded is not None:
                return [recorded]
            marriage = Marriage.record_from_exchange(
                act, party_a=party_a, party_b=party_b, origin=found.jurisdiction, reference=found.reference,
                registered_on=found.registered_on,
            )  # fmt: skip
            statuses = self._statuses_of(act, (party_a, party_b))
            for label, status in zip(("party a", "party b"), statuses, strict=True):
                married = status.marriage_failure(label)
                if married is not None:  # married here as well: the records disagree, a clerk must look into it
                    raise NotEligible([married])
                status.marry(act, marriage_id=marriage.id, since=found.registered_on)
            return [marriage, *statuses]

        return self.execute(act, decide, request_fingerprint=request)

    def end_as_reported(
        self, act: Act, *, marriage_id: UUID, how: str, on: date, reported_by: str, persons: frozenset[str],
        tracking: Tracking,
    ) -> bool:  # fmt: skip
        """React, exactly once, to another registry's report that a marriage registered here ended there (a divorce
        by agreement at one of its offices). The report must name the marriage's own parties (as the federation's
        person hashes) and a day not before its registration; anything else is set aside, not applied. Returns
        whether the record changed."""
        marriage = self.find(marriage_id, Marriage)
        if marriage is None or marriage.state != REGISTERED or how != "divorced" or self.elsewhere is None:
            self.save_tracked(tracking)  # nothing of ours to change; a death there reaches us as a death
            return False
        parties = {self.elsewhere.person_hash(party.document_key) for party in (marriage.party_a, marriage.party_b)}
        if persons != parties or marriage.registered_on is None or on < marriage.registered_on:
            log.warning("a report of a marriage ended elsewhere does not match the record", reported_by=reported_by)
            self.save_tracked(tracking)
            return False
        closed = self._close_pending_divorce(act, marriage, f"the marriage was dissolved in {reported_by}")
        marriage.dissolve(act, on=on, reported_by=reported_by)
        statuses = self._end_for_both(act, marriage, "divorced", on)
        self.save_tracked(tracking, marriage, *statuses, *closed)
        return True

    # -- divorce by agreement ---------------------------------------------------------------------------------

    def file_divorce(
        self, act: Act, *, marriage_id: UUID, attendance: tuple[Attendance, Attendance], request: str = ""
    ) -> CommandResult:
        def decide() -> Sequence[BaseAggregate[UUID]]:
            marriage = self.marriage(marriage_id)
            marriage.check_state("registered")
            marriage.check_office_may_handle(self.is_designated(act))
            self._check_no_open_divorce(marriage, local_date(act.at))
            divorce = DivorceApplication.file(act, marriage_id=marriage.id, attendance=attendance)
            marriage.file_divorce(act, divorce.id)
            return [divorce, marriage]

        return self.execute(act, decide, request_fingerprint=request)

    def withdraw_divorce(
        self, act: Act, divorce_id: UUID, *, party: str | None, expected_version: int | None = None, request: str = ""
    ) -> CommandResult:
        """Recorded by a clerk of the office that received the application, naming the party who withdraws."""

        def decide() -> Sequence[BaseAggregate[UUID]]:
            divorce = self.divorce(divorce_id)
            check_version(divorce, expected_version)
            divorce.withdraw(act, party=party, calendar=self.calendar)
            return [divorce]

        return self.execute(act, decide, request_fingerprint=request)

    def register_divorce(
        self,
        act: Act,
        divorce_id: UUID,
        *,
        attendance: tuple[Attendance, Attendance],
        expected_version: int | None = None,
        request: str = "",
    ) -> CommandResult:
        def decide() -> Sequence[BaseAggregate[UUID]]:
            divorce = self.divorce(divorce_id)
            check_version(divorce, expected_version)
            marriage = self.marriage(divorce.marriage_id)
            book, numbers = self._issue_certificates(act, DIVORCE_CERTIFICATE, 2)
            divorce.register(
                act, attendance=attendance, certificate_numbers=(numbers[0], numbers[1]), calendar=self.calendar
            )
            marriage.dissolve(act, on=local_date(act.at), divorce_id=divorce.id)
            statuses = self._end_for_both(act, marriage, "divorced", local_date(act.at))
            return [divorce, marriage, *statuses, book]

        return self.execute(act, decide, request_fingerprint=request)
