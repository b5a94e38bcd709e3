"""What the marriage use cases read, and the steps they share: the records of marriages, divorces and people."""

from __future__ import annotations

from collections.abc import Sequence
from copy import deepcopy
from datetime import date
from uuid import UUID

from eventsourcing.utils import EnvType

from registry.common.actors import Act
from registry.common.application import TrackedApplication
from registry.common.clock import local_date
from registry.common.errors import Failure, WrongState
from registry.common.identity import Person
from registry.common.ids import PersonKeys
from registry.common.workdays import WorkingCalendar
from registry.marriage.certificates import CertificateBook
from registry.marriage.divorce import DivorceApplication
from registry.marriage.eligibility import PartyFacts
from registry.marriage.marriage import Marriage
from registry.marriage.person_status import EndedHow, PersonStatus
from registry.marriage.ports import MarriageOnRecordElsewhere, MarriagesElsewhere, RegisteredDeaths
from registry.marriage.states import APPLICATION_LAPSE_DAYS, REGISTERED


class MarriageRecords(TrackedApplication):
    """The marriage registry's reads and shared steps; its use cases are MarriageRegistry's (application.py)."""

    def __init__(
        self,
        env: EnvType | None = None,
        *,
        person_keys: PersonKeys,
        elsewhere: MarriagesElsewhere | None = None,
        deaths: RegisteredDeaths | None = None,
        designated_offices: frozenset[str] = frozenset(),
        calendar: WorkingCalendar | None = None,
        application_lapse_days: int = APPLICATION_LAPSE_DAYS,
    ) -> None:
        super().__init__(env)
        self.application_lapse_days = application_lapse_days  # a local choice (see marriage.APPLICATION_LAPSE_DAYS)
        self.person_keys = person_keys
        # The divorce windows are counted on it (default: the published years only).
        self.calendar = calendar or WorkingCalendar.published()
        self.elsewhere = elsewhere  # None: this registry takes no part in the exchange
        self.deaths = deaths  # None: no deaths known (bound in registry/system.py, which builds both contexts)
        self.designated_offices = designated_offices

    def is_designated(self, act: Act) -> bool:
        """Whether the province designates the acting office for couples with a party who is not a mainland resident."""
        return act.by.office in self.designated_offices

    # -- reads ------------------------------------------------------------------------------------------------

    def marriage(self, marriage_id: UUID, *, version: int | None = None) -> Marriage:
        return self.load(marriage_id, Marriage, version=version)

    def marriage_state_on(self, marriage: Marriage, day: date) -> str:
        """The record's state on a day, with an application open too long shown as lapsed."""
        return marriage.state_on(day, lapse_days=self.application_lapse_days)

    def divorce(self, divorce_id: UUID, *, version: int | None = None) -> DivorceApplication:
        return self.load(divorce_id, DivorceApplication, version=version)

    def person_ref(self, person: Person) -> str:
        return self.person_keys.ref(person.document_key)

    def marital_status(self, document_key: str) -> PersonStatus | None:
        """The person's marriages as this registry knows them; None for someone it never married."""
        return self.status_of(self.person_keys.ref(document_key))

    def status_of(self, person_ref: str) -> PersonStatus | None:
        """The same, for a person known only by their keyed hash (a signed-in citizen)."""
        return self.find(PersonStatus.id_for(person_ref), PersonStatus, shared=True)

    # -- steps the use cases share ---------------------------------------------------------------------------

    def _facts_of(self, act: Act, marriage: Marriage) -> tuple[PartyFacts, PartyFacts]:
        """What the registry knows of both parties today: their status here, elsewhere, and any registered death
        (each context asked about both at once: one query each on PostgreSQL)."""
        keys = [marriage.party_a.document_key, marriage.party_b.document_key]
        statuses = self._statuses_of(act, (marriage.party_a, marriage.party_b))
        died = self.deaths.dates_of_death(keys) if self.deaths else {}
        running = self.elsewhere.current_marriages_of(keys) if self.elsewhere else {}
        a, b = (
            PartyFacts(status, self._married_elsewhere(running.get(key, [])), died.get(key))
            for status, key in zip(statuses, keys, strict=True)
        )
        return a, b

    def _married_elsewhere(self, running: Sequence[MarriageOnRecordElsewhere]) -> tuple[str, ...]:
        """Jurisdictions where the exchange reports the person married, less any such marriage this registry has
        itself recorded and seen end (a divorce here of a marriage registered there)."""
        still = [m for m in running if self._recorded_state(m.jurisdiction, m.reference) in (None, REGISTERED)]
        return tuple(sorted({m.jurisdiction for m in still}))

    def _recorded_state(self, jurisdiction: str, reference: str) -> str | None:
        recorded = self.find(Marriage.id_from_exchange(jurisdiction, reference), Marriage, shared=True)
        return recorded.state if recorded else None

    def _status_of(self, act: Act, person: Person) -> PersonStatus:
        ref = self.person_ref(person)
        return self.find(PersonStatus.id_for(ref), PersonStatus) or PersonStatus.open(act, ref)

    def _statuses_of(self, act: Act, persons: Sequence[Person]) -> list[PersonStatus]:
        """The persons' statuses, read together, each the caller's own copy (opened for a person never married
        here), as `_status_of` gives them one by one: copied per person, so that one person named twice is two
        copies whose saves conflict, as before, rather than one object changed twice."""
        refs = [self.person_ref(person) for person in persons]
        found = self.find_all([PersonStatus.id_for(ref) for ref in refs], PersonStatus, shared=True)
        statuses = []
        for ref in refs:
            status = found.get(PersonStatus.id_for(ref))
            statuses.append(deepcopy(status) if status else PersonStatus.open(act, ref))
        return statuses

    def _end_for_both(self, act: Act, marriage: Marriage, how: EndedHow, on: date) -> list[PersonStatus]:
        statuses = self._statuses_of(act, (marriage.party_a, marriage.party_b))
        for status in statuses:
            status.end_marriage(act, marriage_id=marriage.id, how=how, on=on)
        return statuses

    def _issue_certificates(self, act: Act, kind: str, count: int) -> tuple[CertificateBook, list[str]]:
        office, year = act.by.office, local_date(act.at).year
        book_id = CertificateBook.id_for(kind, office, year)
        # Clerks of one office take turns at their book (held until this command is saved): contention for the next
        # number is a short wait, never a refusal, and a number is drawn only by a command that is then saved.
        self.hold_until_saved(book_id)
        book = self.find(book_id, CertificateBook)
        if book is None:
            book = CertificateBook.open(act, kind=kind, office=office, year=year)
        return book, book.issue(act, count)

    def _close_pending_divorce(self, act: Act, marriage: Marriage, reason: str) -> list[DivorceApplication]:
        if marriage.pending_divorce_id is None:
            return []
        pending = self.divorce(marriage.pending_divorce_id)
        pending.close(act, reason=reason, calendar=self.calendar)
        return [pending]

    def _check_no_open_divorce(self, marriage: Marriage, today: date) -> None:
        if marriage.pending_divorce_id is None:
            return
        pending = self.divorce(marriage.pending_divorce_id)
        if pending.is_open_on(today, self.calendar):
            raise WrongState([Failure("divorce-already-pending", "a divorce application for this marriage is open")])
