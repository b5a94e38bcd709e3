"""Marriage registration is free of charge (DOMAIN.md section 1; docs/domain.md M11): no marriage act asks for or
records a fee, so a fee cannot slip in without this test failing.

The registry models no fee at all, so the rule holds by absence: no event of the marriage context (applications,
registrations, refusals, certificates and their reissue, divorces, DV inquiries) and no body of the marriage API has a
field for a fee, a price, a payment or an amount.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import msgspec
import msgspec.inspect

import api.schemas.marriage
from registry.common.events import RegistryEvent
from registry.marriage.certificates import CertificateBook
from registry.marriage.divorce import DivorceApplication
from registry.marriage.marriage import Marriage
from tests.introspection import event_classes

MONEY_WORDS = {"fee", "fees", "charge", "charged", "price", "cost", "payment", "paid", "pay", "amount", "fen", "yuan"}
STAMPED = set(RegistryEvent.__annotations__) | {"originator_id", "originator_version", "timestamp"}


def charged_for(field_name: str) -> bool:
    return not MONEY_WORDS.isdisjoint(field_name.lower().split("_"))


def event_fields(event: type) -> set[str]:
    return {name for cls in event.__mro__ for name in getattr(cls, "__annotations__", {})} - STAMPED


def body_fields(info: msgspec.inspect.Type, seen: set[type]) -> Iterator[str]:
    """Every field name of a body, and of the bodies inside it."""
    if isinstance(info, msgspec.inspect.StructType) and info.cls not in seen:
        seen.add(info.cls)
        for field in info.fields:
            yield field.name
            yield from body_fields(field.type, seen)
    for nested in ("item_type", "key_type", "value_type"):
        if isinstance(getattr(info, nested, None), msgspec.inspect.Type):
            yield from body_fields(getattr(info, nested), seen)
    for alternative in getattr(info, "types", ()):
        yield from body_fields(alternative, seen)


def marriage_bodies() -> list[type[Any]]:
    module = vars(api.schemas.marriage)
    return [v for v in module.values() if isinstance(v, type) and issubclass(v, msgspec.Struct)]


def test_marriage_registration_and_certificates_are_free_of_charge() -> None:
    events = event_classes("registry.marriage")
    assert {Marriage.Registered, Marriage.CertificateReissued, CertificateBook.NumbersIssued} <= set(events)
    assert DivorceApplication.Registered in events
    charged = {f"{e.__qualname__}.{name}" for e in events for name in event_fields(e) if charged_for(name)}
    assert charged == set()


def test_no_body_of_the_marriage_api_asks_for_or_states_a_fee() -> None:
    seen: set[type] = set()
    fields = {name for body in marriage_bodies() for name in body_fields(msgspec.inspect.type_info(body), seen)}
    assert {"party_a", "certificates", "document_number"} <= fields  # the walk reaches the bodies inside bodies
    assert {name for name in fields if charged_for(name)} == set()


def test_a_field_for_a_fee_would_be_caught() -> None:
    assert charged_for("registration_fee") and charged_for("amount_fen") and charged_for("paid_on")
    assert not charged_for("certificate_a") and not charged_for("registered_on")
