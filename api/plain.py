"""Events and aggregates as plain JSON for auditors: dates as ISO text, documents masked."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from enum import Enum
from typing import Any
from uuid import UUID

from api.schemas.common import mask
from registry.common.identity import Person


def plain(value: Any) -> Any:
    """A JSON-able copy of a value from an event or an aggregate's state."""
    if isinstance(value, Person):
        fields = dataclasses.asdict(value)
        fields["document_number"] = mask(value.document_number)
        return fields
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
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
