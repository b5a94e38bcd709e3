"""The parties of marriages, divorces and deaths as the API takes and shows them, and what a citizen may see.

Shared by the marriage, divorce and death controllers (and the web front ends), so that no controller imports
another.
"""

from __future__ import annotations

from uuid import UUID

from api.context import AnyRequest, principal_of
from api.schemas.common import PartyIn, PartyRead, mask
from api.schemas.marriage import AttendanceIn
from registry.common.actors import Act, Role
from registry.common.clock import local_date
from registry.common.errors import NotFound
from registry.common.identity import Person, identify
from registry.marriage.marriage import Marriage
from registry.marriage.values import Attendance
from registry.system import Registry

MARRIAGE_READERS = (Role.CLERK, Role.SUPERVISOR, Role.COURT, Role.AUDITOR, Role.CITIZEN)


def person_from(party: PartyIn, act: Act) -> Person:
    return identify(
        document_type=party.document_type,
        document_number=party.document_number,
        nationality=party.nationality,
        name=party.name,
        birth_date=party.birth_date,
        sex=party.sex,
        today=local_date(act.at),
    )


def attendance_from(seen: AttendanceIn) -> Attendance:
    return Attendance(
        present=seen.present,
        declares_voluntary=seen.declares_voluntary,
        signed_no_spouse_statement=seen.signed_no_spouse_statement,
        signed_no_kinship_statement=seen.signed_no_kinship_statement,
        signed_divorce_agreement=getattr(seen, "signed_divorce_agreement", False),
        declaration_certified=getattr(seen, "declaration_certified", False),
    )


def party_read(person: Person) -> PartyRead:
    return PartyRead(
        name=person.name,
        document_type=person.document_type,
        document_number_masked=mask(person.document_number),
        nationality=person.nationality,
        birth_year=person.birth_date.year,
        sex=person.sex,
    )


def visible_marriage(
    registry: Registry, request: AnyRequest, marriage_id: UUID, version: int | None = None
) -> Marriage:
    """A citizen sees only marriages they are a party to; to them any other does not exist."""
    marriage = registry.marriage.read(marriage_id, Marriage, version=version)
    principal = principal_of(request)
    if principal.role == Role.CITIZEN:
        refs = {registry.marriage.person_ref(marriage.party_a), registry.marriage.person_ref(marriage.party_b)}
        if principal.subject not in refs:
            raise NotFound()
    return marriage


def parties_of(registry: Registry, marriage: Marriage) -> list[str]:
    return [registry.marriage.person_ref(marriage.party_a), registry.marriage.person_ref(marriage.party_b)]
