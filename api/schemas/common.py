"""Schema building blocks shared by every context's API."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, ClassVar, Literal

import msgspec

from registry.common.errors import InvalidInput
from registry.common.identity import DocumentType
from registry.common.text import check_text

ShortText = Annotated[str, msgspec.Meta(min_length=1, max_length=200, examples=["义乌市中心医院"])]
Reason = Annotated[str, msgspec.Meta(min_length=1, max_length=1000, examples=["当事人书面申请"])]
# ASCII letters and digits, or their full-width forms (a Chinese input method's full-width mode), which the registry
# reads as ASCII; digits of other scripts are refused (registry.common.identity).
DocumentNumber = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=32,
        pattern=r"^[0-9A-Za-z()\-\uff10-\uff19\uff21-\uff3a\uff41-\uff5a\uff08\uff09\uff0d]+$",
        description="ASCII letters and digits; full-width forms are read as ASCII",
        examples=["330782199503030034"],
    ),
]
Nationality = Annotated[str, msgspec.Meta(pattern=r"^[A-Z]{3}$", description="ISO 3166-1 alpha-3")]
PersonName = Annotated[str, msgspec.Meta(min_length=1, max_length=64, examples=["王伟"])]
PayoutAccount = Annotated[str, msgspec.Meta(pattern=r"^[0-9]{10,30}$", examples=["6222000000000000"])]
PhoneNumber = Annotated[str, msgspec.Meta(pattern=r"^\+?[0-9\-]{6,20}$", examples=["13800000000"])]
Sex = Literal["male", "female"]
PartyLabel = Literal["a", "b"]


class Input(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Request bodies: unknown fields are rejected, and every text in them is checked and normalised to NFC.

    A text with a control or invisible character is refused with the field named (registry.common.text); only the
    fields a body lists in multi_line_fields may hold newlines and tabs.
    """

    multi_line_fields: ClassVar[frozenset[str]] = frozenset()

    def __post_init__(self) -> None:
        for name in self.__struct_fields__:
            value = getattr(self, name)
            setattr(self, name, checked_text(value, field=name, multi_line=name in self.multi_line_fields))


def checked_text(value: Any, *, field: str, multi_line: bool) -> Any:
    """A value with every text in it (itself, a list's items, a mapping's keys and values) normalised, or ValueError
    naming the field in backticks (api.errors joins it to the body's path)."""
    if isinstance(value, str):
        try:
            return check_text(value, field=f"`{field}`", multi_line=multi_line)
        except InvalidInput as refused:
            raise ValueError(refused.failures[0].detail) from None
    if isinstance(value, list):
        return [checked_text(item, field=field, multi_line=multi_line) for item in value]
    if isinstance(value, dict):
        return {
            checked_text(key, field=field, multi_line=False): checked_text(item, field=field, multi_line=multi_line)
            for key, item in value.items()
        }
    return value


class Output(msgspec.Struct, kw_only=True):
    """Response bodies."""


class IdentityDocumentIn(Input, kw_only=True):
    """An identity document; a resident identity number gives birth date and sex by itself."""

    document_type: DocumentType = "resident-id"
    document_number: DocumentNumber
    nationality: Nationality = "CHN"


class PartyIn(IdentityDocumentIn, kw_only=True):
    name: PersonName
    birth_date: date | None = None
    sex: Sex | None = None


class PartyRead(Output, kw_only=True):
    """A party as shown back: the document number masked, and the birth year only (the middle digits of a resident
    identity number ARE the birth date: a full date beside the mask would give the number back)."""

    name: str
    document_type: str
    document_number_masked: str
    nationality: str
    birth_year: int
    sex: str


def mask(value: str) -> str:
    """At most the last four characters shown (**************001X), fewer for short values; nothing else.

    For identity numbers, bank accounts and phone numbers alike, in every view, auditors' included.
    """
    shown = 4 if len(value) >= 10 else 2 if len(value) >= 6 else 0
    return "*" * (len(value) - shown) + value[len(value) - shown :]
