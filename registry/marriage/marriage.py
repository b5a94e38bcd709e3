"""Marriage: one couple's record, from application through registration to how it ends."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

from eventsourcing.domain import AggregateCreated

from registry.common.actors import Act
from registry.common.clock import local_date
from registry.common.errors import Failure, Forbidden, InvalidInput, NotEligible, WrongState
from registry.common.events import RegistryAggregate, RegistryEvent
from registry.common.identity import Person
from registry.common.ids import natural_id
from registry.marriage.eligibility import (
    COMPUTED_CONDITIONS,
    REFUSED_ON_CONDITIONS,
    PartyFacts,
    condition_code,
    eligibility_failures,
    office_failures,
)
from registry.marriage.states import (
    ANNULLED,
    APPLICATION_LAPSE_DAYS,
    APPLIED,
    DISSOLVED,
    ENDED_BY_DEATH,
    LAPSED,
    REFUSED,
    REGISTERED,
    VOID,
    application_lapses_on,
)
from registry.marriage.values import Attendance, CourtJudgment

# The states are read from here too (they live in registry/marriage/states.py).
__all__ = [
    "ANNULLED", "APPLICATION_LAPSE_DAYS", "APPLIED", "DISSOLVED", "ENDED_BY_DEATH", "LAPSED", "REFUSED", "REGISTERED",
    "VOID", "Marriage", "application_lapses_on",
]  # fmt: skip


class Marriage(RegistryAggregate):
    """A marriage application that becomes a registered marriage; annotated, never deleted."""

    TOPIC = "marriage:Marriage"

    class Event(RegistryEvent):
        pass

    class Applied(Event, AggregateCreated):
        TOPIC = "marriage:Marriage.Applied"
        office: str
        party_a: Person
        party_b: Person

    class RecordedFromExchange(Event, AggregateCreated):
        """A marriage registered in another jurisdiction, recorded here from its record in the exchange so that the
        couple may divorce by agreement at this office (regs art 2: any office)."""

        TOPIC = "marriage:Marriage.RecordedFromExchange"
        office: str
        party_a: Person
        party_b: Person
        origin: str
        origin_reference: str
        registered_on: date

    class Registered(Event):
        TOPIC = "marriage:Marriage.Registered"
        registered_on: date
        certificate_a: str
        certificate_b: str

        def apply(self, marriage: Marriage) -> None:
            marriage.state = REGISTERED
            marriage.registered_on = self.registered_on
            marriage.certificates = {"a": self.certificate_a, "b": self.certificate_b}

    class Refused(Event):
        """Refused with its reason: the conditions the registry found failed (findings), or a clerk's reason for
        what the checks cannot see."""

        TOPIC = "marriage:Marriage.Refused"
        class_version = 3
        reason: str
        failed_conditions: list[str]
        findings: list[Failure]

        @staticmethod
        def upcast_v1_v2(state: dict[str, object]) -> None:
            """Version 1 recorded only the clerk's reason; the failed conditions came with version 2."""
            state["failed_conditions"] = []

        @staticmethod
        def upcast_v2_v3(state: dict[str, object]) -> None:
            """Version 2 recorded clerks' refusals only; the registry's own findings came with version 3."""
            state["findings"] = []

        def apply(self, marriage: Marriage) -> None:
            marriage.state = REFUSED
            marriage.refusal_reason = self.reason
            marriage.refusal_findings = list(self.findings)

    class CertificateReissued(Event):
        TOPIC = "marriage:Marriage.CertificateReissued"
        party: str
        replaced: str
        certificate: str
        reason: str

        def apply(self, marriage: Marriage) -> None:
            marriage.certificates[self.party] = self.certificate
            marriage.replaced_certificates.append(self.replaced)

    class DivorceFiled(Event):
        TOPIC = "marriage:Marriage.DivorceFiled"
        divorce_id: UUID

        def apply(self, marriage: Marriage) -> None:
            marriage.pending_divorce_id = self.divorce_id

    class Dissolved(Event):
        TOPIC = "marriage:Marriage.Dissolved"
        class_version = 2
        dissolved_on: date
        divorce_id: UUID | None
        judgment: CourtJudgment | None
        reported_by: str | None  # the jurisdiction whose registry dissolved it (a divorce there, from the exchange)

        @staticmethod
        def upcast_v1_v2(state: dict[str, object]) -> None:
            """Version 1 knew only dissolutions here: by agreement or by a court."""
            state["reported_by"] = None

        def apply(self, marriage: Marriage) -> None:
            marriage.state = DISSOLVED
            marriage.ended_on = self.dissolved_on
            marriage.pending_divorce_id = None

    class EndedByDeath(Event):
        TOPIC = "marriage:Marriage.EndedByDeath"
        deceased: str
        died_on: date

        def apply(self, marriage: Marriage) -> None:
            marriage.state = ENDED_BY_DEATH
            marriage.ended_on = self.died_on

    class DeclaredVoid(Event):
        TOPIC = "marriage:Marriage.DeclaredVoid"
        judgment: CourtJudgment
        reason: str

        def apply(self, marriage: Marriage) -> None:
            marriage.state = VOID
            marriage.judgment = self.judgment

    class Annulled(Event):
        TOPIC = "marriage:Marriage.Annulled"
        judgment: CourtJudgment
        reason: str

        def apply(self, marriage: Marriage) -> None:
            marriage.state = ANNULLED
            marriage.judgment = self.judgment

    def __init__(
        self,
        office: str,
        party_a: Person,
        party_b: Person,
        origin: str = "",
        origin_reference: str = "",
        registered_on: date | None = None,
    ) -> None:
        self.office = office
        self.party_a = party_a
        self.party_b = party_b
        self.origin = origin  # "" for a marriage registered here; else the jurisdiction whose record this is
        self.origin_reference = origin_reference
        self.state = REGISTERED if registered_on else APPLIED
        self.registered_on: date | None = registered_on
        self.ended_on: date | None = None
        self.certificates: dict[str, str] = {}
        self.replaced_certificates: list[str] = []
        self.refusal_reason: str | None = None
        self.refusal_findings: list[Failure] = []
        self.pending_divorce_id: UUID | None = None
        self.judgment: CourtJudgment | None = None

    @property
    def applied_on(self) -> date:
        """The local day the application was filed (the day of its first event)."""
        return local_date(self.created_on)

    def lapses_on(self, lapse_days: int) -> date:
        """The first day an application still open has lapsed: the day after the last of its lapse_days."""
        return application_lapses_on(self.applied_on, lapse_days)

    def state_on(self, day: date, *, lapse_days: int) -> str:
        """The state on a given day: an application still open on its lapse day is lapsed, derived from the dates
        (as a divorce's windows are), so a lapse needs no scheduled job to record it."""
        if self.state == APPLIED and day >= self.lapses_on(lapse_days):
            return LAPSED
        return self.state

    # -- commands ---------------------------------------------------------------------------------------------

    @classmethod
    def apply_for(cls, act: Act, *, party_a: Person, party_b: Person, office_designated: bool = False) -> Marriage:
        """A couple applies at the acting clerk's office.

        Any office may handle two mainland residents; a couple with a party who is not is filed only at an office
        the province designates (office_designated), so that no application waits for ever where it cannot be
        registered.
        """
        if party_a.document_key == party_b.document_key:
            raise InvalidInput([Failure("parties-are-the-same-person", "both parties have the same document")])
        refused_here = office_failures((party_a, party_b), office_designated)
        if refused_here:
            raise NotEligible(refused_here)
        marriage: Marriage = cls._create_from(
            cls.Applied, act, id=uuid4(), office=act.by.office, party_a=party_a, party_b=party_b
        )
        return marriage

    @staticmethod
    def id_from_exchange(origin: str, reference: str) -> UUID:
        """One local record per marriage of another jurisdiction, whichever office records it."""
        return natural_id("marriage-from-exchange", origin, reference)

    @classmethod
    def record_from_exchange(
        cls, act: Act, *, party_a: Person, party_b: Person, origin: str, reference: str, registered_on: date
    ) -> Marriage:
        """Record here a marriage another jurisdiction registered, as its registry reported it."""
        marriage: Marriage = cls._create_from(
            cls.RecordedFromExchange, act, id=cls.id_from_exchange(origin, reference), office=act.by.office,
            party_a=party_a, party_b=party_b, origin=origin, origin_reference=reference, registered_on=registered_on,
        )  # fmt: skip
        return marriage

    def register(
        self,
        act: Act,
        *,
        attendance: tuple[Attendance, Attendance],
        facts: tuple[PartyFacts, PartyFacts],
        certificate_numbers: tuple[str, str],
        office_designated: bool = False,
        lapse_days: int = APPLICATION_LAPSE_DAYS,
    ) -> None:
        """Register the marriage if every condition holds on the day; else NotEligible naming every failure.

        office_designated: whether the province designates this office for couples with a party who is not a
        mainland resident (it may have been withdrawn since the application was filed). A lapsed application is
        refused (WrongState application-lapsed); the couple files a new one.
        """
        self.check_pending_on(local_date(act.at), lapse_days)
        self.check_at_own_office(act)
        failures = eligibility_failures((self.party_a, self.party_b), local_date(act.at), facts, office_designated,
                                        attendance)  # fmt: skip
        if failures:
            raise NotEligible(failures)
        self._record(
            self.Registered, act, registered_on=local_date(act.at), certificate_a=certificate_numbers[0],
            certificate_b=certificate_numbers[1],
        )  # fmt: skip

    def refuse_as_found(self, act: Act, failures: list[Failure], *, lapse_days: int = APPLICATION_LAPSE_DAYS) -> None:
        """Regs art 10: an attempt to register that fails ends in a refusal listing the conditions found failed, so
        that no application is left open for ever."""
        self.check_pending_on(local_date(act.at), lapse_days)
        self.check_at_own_office(act)
        codes = [failure.code for failure in failures]
        self._record(self.Refused, act, reason=REFUSED_ON_CONDITIONS, failed_conditions=codes, findings=failures)

    def refuse(
        self,
        act: Act,
        *,
        reason: str,
        failed_conditions: list[str],
        found: list[Failure],
        lapse_days: int = APPLICATION_LAPSE_DAYS,
    ) -> None:
        """A clerk refuses for a reason the checks cannot see; it may not name as failed a condition the registry
        finds met (found: what the registry's own checks find today, recorded with the refusal). A lapsed
        application is no longer refused: it has ended."""
        self.check_pending_on(local_date(act.at), lapse_days)
        self.check_at_own_office(act)
        failed_conditions = [condition_code(written) for written in failed_conditions]
        found_codes = {failure.code for failure in found}
        contradicted = sorted(set(failed_conditions) & COMPUTED_CONDITIONS - found_codes)
        if contradicted:
            raise InvalidInput(
                [Failure("refusal-contradicts-checks", f"the registry finds these conditions met: {contradicted}")]
            )
        self._record(self.Refused, act, reason=reason, failed_conditions=failed_conditions, findings=found)

    def reissue_certificate(self, act: Act, *, party: str, reason: str, certificate: str) -> None:
        """Replace a lost or damaged certificate; the old number is kept as replaced."""
        self.check_state(REGISTERED)
        self._record(
            self.CertificateReissued, act, party=party, replaced=self.certificates[party], certificate=certificate,
            reason=reason,
        )  # fmt: skip

    def file_divorce(self, act: Act, divorce_id: UUID) -> None:
        self.check_state(REGISTERED)
        self._record(self.DivorceFiled, act, divorce_id=divorce_id)

    def dissolve(
        self,
        act: Act,
        *,
        on: date,
        divorce_id: UUID | None = None,
        judgment: CourtJudgment | None = None,
        reported_by: str | None = None,
    ) -> None:
        """End the marriage by divorce: by agreement (divorce_id), by court judgment, or as another jurisdiction's
        registry reports it dissolved there (reported_by)."""
        self.check_state(REGISTERED)
        self._record(
            self.Dissolved, act, dissolved_on=on, divorce_id=divorce_id, judgment=judgment, reported_by=reported_by
        )

    def end_by_death(self, act: Act, *, deceased: str, died_on: date) -> None:
        self.check_state(REGISTERED)
        self._record(self.EndedByDeath, act, deceased=deceased, died_on=died_on)

    def check_judgment_date(self, judgment: CourtJudgment, today: date) -> None:
        """A judgment takes effect no later than today and no earlier than the registration it judges."""
        if judgment.effective_on > today or (self.registered_on and judgment.effective_on < self.registered_on):
            raise InvalidInput(
                [Failure("judgment-date-out-of-range", "effective on a day between the registration and today")]
            )

    def declare_void(self, act: Act, *, judgment: CourtJudgment, reason: str) -> None:
        self.check_state(REGISTERED, DISSOLVED, ENDED_BY_DEATH)
        self._record(self.DeclaredVoid, act, judgment=judgment, reason=reason)

    def annul(self, act: Act, *, judgment: CourtJudgment, reason: str) -> None:
        self.check_state(REGISTERED, DISSOLVED, ENDED_BY_DEATH)
        self._record(self.Annulled, act, judgment=judgment, reason=reason)

    # -- checks -----------------------------------------------------------------------------------------------

    def party(self, label: str) -> Person:
        return self.party_a if label == "a" else self.party_b

    def check_state(self, *allowed: str) -> None:
        if self.state not in allowed:
            raise WrongState(
                [Failure(f"marriage-{self.state}", f"the marriage record is {self.state}, not {' or '.join(allowed)}")]
            )

    def check_pending_on(self, day: date, lapse_days: int) -> None:
        """An application still open on the day: neither decided nor lapsed."""
        if self.state_on(day, lapse_days=lapse_days) == LAPSED:
            lapsed_on = self.lapses_on(lapse_days).isoformat()
            raise WrongState([Failure(
                "application-lapsed",
                f"the application filed on {self.applied_on.isoformat()} lapsed on {lapsed_on}, not registered or "
                f"refused within {lapse_days} days; the couple may file a new application",
            )])  # fmt: skip
        self.check_state(APPLIED)

    def check_office_may_handle(self, office_designated: bool) -> None:
        """A divorce of a couple with a party who is not a mainland resident, too, only at a designated office."""
        refused_here = office_failures((self.party_a, self.party_b), office_designated)
        if refused_here:
            raise NotEligible(refused_here)

    def check_at_own_office(self, act: Act) -> None:
        if act.by.office != self.office:
            raise Forbidden([Failure("wrong-office", f"the application was filed at office {self.office}; act there")])

    def eligibility_failures(
        self,
        on: date,
        facts: tuple[PartyFacts, PartyFacts],
        office_designated: bool,
        attendance: tuple[Attendance, Attendance] | None = None,
    ) -> list[Failure]:
        """The conditions that fail on a day; without attendance, only those the registry checks itself."""
        return eligibility_failures((self.party_a, self.party_b), on, facts, office_designated, attendance)
