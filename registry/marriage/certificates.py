"""CertificateBook: the sequence of certificate numbers of one office, year and kind."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import AggregateCreated

from registry.common.actors import Act
from registry.common.events import RegistryAggregate, RegistryEvent
from registry.common.ids import natural_id

MARRIAGE_CERTIFICATE = "J"
DIVORCE_CERTIFICATE = "L"


class CertificateBook(RegistryAggregate):
    """Numbers are issued in order without gaps; saving the book with the act makes them unique."""

    TOPIC = "marriage:CertificateBook"

    class Event(RegistryEvent):
        pass

    class Opened(Event, AggregateCreated):
        TOPIC = "marriage:CertificateBook.Opened"
        kind: str
        office: str
        year: int

    class NumbersIssued(Event):
        TOPIC = "marriage:CertificateBook.NumbersIssued"
        numbers: list[str]

        def apply(self, book: CertificateBook) -> None:
            book.issued += len(self.numbers)

    def __init__(self, kind: str, office: str, year: int) -> None:
        self.kind = kind
        self.office = office
        self.year = year
        self.issued = 0

    @staticmethod
    def id_for(kind: str, office: str, year: int) -> UUID:
        return natural_id("certificate-book", kind, office, str(year))

    @classmethod
    def open(cls, act: Act, *, kind: str, office: str, year: int) -> CertificateBook:
        book: CertificateBook = cls._create_from(
            cls.Opened, act, id=cls.id_for(kind, office, year), kind=kind, office=office, year=year
        )
        return book

    def issue(self, act: Act, count: int) -> list[str]:
        """Issue the next `count` numbers, e.g. J330782001-2026-000017."""
        numbers = [f"{self.kind}{self.office}-{self.year}-{self.issued + i:06d}" for i in range(1, count + 1)]
        self._record(self.NumbersIssued, act, numbers=numbers)
        return numbers
