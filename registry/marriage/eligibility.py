"""The conditions of registering a marriage (Civil Code arts 1046-1049; Marriage Registration Regulations arts 2, 8,
10), each checked on the day of registration and reported with a stable code and the party it concerns."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date

from registry.common.errors import Failure
from registry.common.identity import Person
from registry.marriage.person_status import PersonStatus
from registry.marriage.values import PARTIES, Attendance, party_name

LEGAL_AGE = {"male": 22, "female": 20}
REFUSED_ON_CONDITIONS = "the conditions of registration are not met (regs art 10); each failed one is listed"
# Conditions the registry checks from its own records; a clerk's refusal cannot claim them failed when they hold.
COMPUTED_CONDITIONS = frozenset({
    "not-a-man-and-a-woman", "under-legal-age", "party-already-married", "party-deceased",
    "party-married-in-another-province", "office-not-designated",
})  # fmt: skip


def condition_code(written: str) -> str:
    """A condition code as the registry spells it (`under-legal-age`), however a clerk wrote it ("Under_Legal_Age"),
    so that a refusal cannot slip a contradicted condition past the checks by its spelling."""
    return "-".join(unicodedata.normalize("NFKC", written).casefold().replace("_", " ").split())


@dataclass(frozen=True)
class PartyFacts:
    """What the registry itself knows of one party on the registration day (not what the clerk witnesses)."""

    status: PersonStatus
    married_in: tuple[str, ...] = ()  # other jurisdictions where the exchange reports them married
    died_on: date | None = None


def age_reached_on(birth_date: date, years: int) -> date:
    """The day a person reaches `years` of age: their birthday (1 March for a 29 February birth)."""
    try:
        return birth_date.replace(year=birth_date.year + years)
    except ValueError:
        return date(birth_date.year + years, 3, 1)


def office_failures(parties: tuple[Person, Person], office_designated: bool) -> list[Failure]:
    """Regs art 2: a marriage with a foreigner, a Hong Kong, Macao or Taiwan resident or an overseas Chinese is
    registered only at an office the province designates; two mainland residents at any office."""
    if office_designated or all(party.is_mainland_resident for party in parties):
        return []
    return [
        Failure(
            "office-not-designated",
            "a couple with a party who is not a mainland resident is registered only at an office the province "
            "designates (regs art 2); this office is not designated",
        )
    ]


def eligibility_failures(
    parties: tuple[Person, Person],
    on: date,
    facts: tuple[PartyFacts, PartyFacts],
    office_designated: bool,
    attendance: tuple[Attendance, Attendance] | None = None,
) -> list[Failure]:
    """Every condition that fails on a day, in the order a clerk goes through them; without attendance, only the
    conditions the registry checks itself (COMPUTED_CONDITIONS)."""
    failures: list[Failure] = office_failures(parties, office_designated)
    if {parties[0].sex, parties[1].sex} != {"male", "female"}:
        failures.append(Failure("not-a-man-and-a-woman", "a marriage is registered between a man and a woman"))
    for label, person, seen, known in zip(PARTIES, parties, attendance or (None, None), facts, strict=True):
        failures.extend(party_failures(label, person, seen, known.status, on))
    for label, known in zip(PARTIES, facts, strict=True):
        if known.died_on is not None:
            failures.append(Failure("party-deceased", f"{party_name(label)} is registered as deceased", label))
    for label, known in zip(PARTIES, facts, strict=True):
        if known.married_in:
            where = ", ".join(known.married_in)
            failures.append(
                Failure("party-married-in-another-province", f"{party_name(label)} is married in {where}", label)
            )
    return failures


def party_failures(
    label: str, person: Person, seen: Attendance | None, status: PersonStatus, on: date
) -> list[Failure]:
    """One party's failed conditions (the witnessed ones only if the clerk's attendance is given)."""
    name = party_name(label)
    failures = []
    if seen is not None and not seen.present:
        failures.append(Failure("party-not-present", f"{name} is not present in person", label))
    if seen is not None and not seen.declares_voluntary:
        failures.append(Failure("marriage-not-voluntary", f"{name} has not declared the marriage voluntary", label))
    legal_age = LEGAL_AGE.get(person.sex)
    if legal_age is not None and on < age_reached_on(person.birth_date, legal_age):
        failures.append(
            Failure("under-legal-age", f"{name} ({person.sex}) is under {legal_age} on {on.isoformat()}", label)
        )
    if seen is not None and not seen.signed_no_spouse_statement:
        failures.append(Failure("no-spouse-statement-missing", f"{name} has not signed the no-spouse statement", label))
    if seen is not None and not seen.signed_no_kinship_statement:
        failures.append(
            Failure("kinship-statement-missing", f"{name} has not signed the no-prohibited-kinship statement", label)
        )
    if seen is not None and not person.is_mainland_resident and not seen.declaration_certified:
        failures.append(
            Failure(
                "certified-declaration-missing",
                f"{name} ({person.document_type}) has not presented the certified or notarised declaration of "
                "no spouse and no prohibited kinship",
                label,
            )
        )
    married = status.marriage_failure(name)
    if married is not None:
        failures.append(Failure(married.code, married.detail, label))
    return failures
