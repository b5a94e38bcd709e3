"""Value objects of the marriage context."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

PartyLabel = Literal["a", "b"]
PARTIES: tuple[PartyLabel, PartyLabel] = ("a", "b")


@dataclass(frozen=True)
class Attendance:
    """What the clerk witnessed of one party at the counter.

    declaration_certified: a party who is not a mainland resident presented the declaration of no spouse and no
    prohibited kinship certified by an embassy or consulate or notarised (regs art 8).
    """

    present: bool
    declares_voluntary: bool
    signed_no_spouse_statement: bool = False
    signed_no_kinship_statement: bool = False
    signed_divorce_agreement: bool = False
    declaration_certified: bool = False


@dataclass(frozen=True)
class CourtJudgment:
    """The court decision a record is annotated from."""

    court: str
    number: str
    effective_on: date


def party_name(label: str) -> str:
    return f"party {label.upper()}"
