"""Events and aggregates as plain JSON for auditors: dates as ISO text, documents masked."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from enum import Enum
from typing import Any
from uuid import UUID

from api.schemas.common import mask
from registry.common.identity import Person

# Fields masked wherever they appear in an event or a record shown to an auditor.
MASKED_FIELDS = ("document_number", "payout_account", "contact_phone")


def plain(value: Any) -> Any:
    """A JSON-able copy of a value from an event or an aggregate's state: identity numbers, bank accounts and phone
    numbers masked, a person's birth date reduced to the year (it would complete the masked number)."""
    if isinstance(value, Person):
        fields = {f.name: getattr(value, f.name) for f in dataclasses.fields(value) if f.name != "birth_date"}
        fields["document_number"] = mask(value.document_number)
        fields["birth_year"] = value.birth_date.year
        return fields
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: mask(str(getattr(value, f.name))) if f.name in MASKED_FIELDS else plain(getattr(value, f.name))
            for f in dataclasses.fields(value)
        }
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [plain(v) for v in value]
    return value


def plain_fields(obj: Any, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """The public fields of an event or aggregate (leading underscores dropped), made plain."""
    return {name.lstrip("_"): plain(v) for name, v in vars(obj).items() if name not in skip}
