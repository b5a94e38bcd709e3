"""PlaceName and NameIndex: a name's lifecycle, and one sound per scope (no duplicates, no homophones)."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID, uuid4

from eventsourcing.domain import AggregateCreated

from registry.common.actors import Act
from registry.common.errors import Failure, Forbidden, InvalidInput, NotEligible, WrongState
from registry.common.events import RegistryAggregate, RegistryEvent
from registry.common.ids import natural_id

KINDS = ("road", "estate", "building", "bridge", "square-park", "village-community", "natural-feature", "township")
NAMED_BEFORE_PERMIT = ("estate", "building")
NOTICE_DAYS = 15
FILING_DAYS = 15

# Scope of uniqueness by kind (DOMAIN.md section 4), for the city 330782 in province 33.
SCOPES = {"township": "province:33", "village-community": "county:330782"}
CITY_SCOPE = "city:330782"
# Which authority approves which kind (an approving officer's office).
AUTHORITIES = {"estate": "330782-civil-affairs", "building": "330782-civil-affairs"}
GOVERNMENT = "330782-government"

PROPOSED, REVIEWED, NOTICE, APPROVED, FILED, IN_USE, REFUSED, RETIRED = (
    "proposed", "expert-reviewed", "public-notice", "approved", "filed", "in-use", "refused", "retired",
)  # fmt: skip


def scope_of(kind: str) -> str:
    return SCOPES.get(kind, CITY_SCOPE)


def authority_for(kind: str) -> str:
    return AUTHORITIES.get(kind, GOVERNMENT)


class PlaceName(RegistryAggregate):
    """Proposed, reviewed by experts, publicly noticed, approved, filed with the level above, used; never lost."""

    TOPIC = "places:PlaceName"

    class Event(RegistryEvent):
        pass

    class Proposed(Event, AggregateCreated):
        TOPIC = "places:PlaceName.Proposed"
        name: str
        sound: str
        kind: str
        origin_and_meaning: str
        planning_reference: str

    class ExpertReviewed(Event):
        TOPIC = "places:PlaceName.ExpertReviewed"
        opinion: str

        def apply(self, place: PlaceName) -> None:
            place.state = REVIEWED

    class Refused(Event):
        TOPIC = "places:PlaceName.Refused"
        rule: str
        reason: str

        def apply(self, place: PlaceName) -> None:
            place.state = REFUSED

    class NoticePublished(Event):
        TOPIC = "places:PlaceName.NoticePublished"
        starts_on: date
        last_day: date

        def apply(self, place: PlaceName) -> None:
            place.state = NOTICE
            place.notice_last_day = self.last_day

    class Approved(Event):
        TOPIC = "places:PlaceName.Approved"
        approved_on: date
        filing_due_on: date

        def apply(self, place: PlaceName) -> None:
            place.state = APPROVED
            place.filing_due_on = self.filing_due_on

    class FiledAbove(Event):
        TOPIC = "places:PlaceName.FiledAbove"
        filed_on: date
        late: bool

        def apply(self, place: PlaceName) -> None:
            place.state = FILED

    class PutInUse(Event):
        TOPIC = "places:PlaceName.PutInUse"
        on: date

        def apply(self, place: PlaceName) -> None:
            place.state = IN_USE

    class Renamed(Event):
        TOPIC = "places:PlaceName.Renamed"
        name: str
        sound: str
        on: date
        reason: str

        def apply(self, place: PlaceName) -> None:
            place.former_names.append(place.name)
            place.name, place.sound = self.name, self.sound

    class Retired(Event):
        TOPIC = "places:PlaceName.Retired"
        on: date
        reason: str

        def apply(self, place: PlaceName) -> None:
            place.state = RETIRED

    def __init__(self, name: str, sound: str, kind: str, origin_and_meaning: str, planning_reference: str) -> None:
        self.name = name
        self.sound = sound
        self.kind = kind
        self.origin_and_meaning = origin_and_meaning
        self.planning_reference = planning_reference
        self.state = PROPOSED
        self.notice_last_day: date | None = None
        self.filing_due_on: date | None = None
        self.former_names: list[str] = []

    @property
    def scope(self) -> str:
        return scope_of(self.kind)

    @classmethod
    def propose(
        cls, act: Act, *, name: str, sound: str, kind: str, origin_and_meaning: str, planning_reference: str,
        planning_permit_issued: bool, banned: dict[str, str],
    ) -> PlaceName:  # fmt: skip
        """Refuses a name on a banned list (naming the rule and the entry) or given after the planning permit."""
        failures = []
        if kind not in KINDS:
            failures.append(Failure("place-kind-unknown", f"kinds: {', '.join(KINDS)}"))
        if not origin_and_meaning.strip():
            failures.append(Failure("origin-and-meaning-required", "declare the name's origin and meaning"))
        for entry, rule in banned.items():
            if entry and entry in name:
                failures.append(Failure(rule, f"the name contains {entry!r}, which is on the {rule} list"))
        if kind in NAMED_BEFORE_PERMIT and planning_permit_issued:
            failures.append(Failure("named-after-planning-permit", f"a {kind} is named before its planning permit"))
        if failures:
            raise NotEligible(failures)
        place: PlaceName = cls._create_from(
            cls.Proposed, act, id=uuid4(), name=name, sound=sound, kind=kind, origin_and_meaning=origin_and_meaning,
            planning_reference=planning_reference,
        )  # fmt: skip
        return place

    def review(self, act: Act, *, opinion: str) -> None:
        self.check_state(PROPOSED)
        self._record(self.ExpertReviewed, act, opinion=opinion)

    def refuse(self, act: Act, *, rule: str, reason: str) -> None:
        """A reviewer refuses, e.g. as a personal name (rule "personal-name")."""
        self.check_state(PROPOSED, REVIEWED, NOTICE)
        self._record(self.Refused, act, rule=rule, reason=reason)

    def publish_notice(self, act: Act, *, starts_on: date, days: int = NOTICE_DAYS) -> None:
        self.check_state(REVIEWED)
        self._record(self.NoticePublished, act, starts_on=starts_on, last_day=starts_on + timedelta(days=days - 1))

    def approve(self, act: Act, *, on: date) -> None:
        self.check_state(NOTICE)
        if act.by.office != authority_for(self.kind):
            raise Forbidden(
                [Failure("not-the-approving-authority", f"a {self.kind} is approved by {authority_for(self.kind)}")]
            )
        assert self.notice_last_day is not None  # set by the notice this state requires
        if on <= self.notice_last_day:
            raise WrongState([Failure("public-notice-not-over", f"the public notice runs to {self.notice_last_day}")])
        self._record(self.Approved, act, approved_on=on, filing_due_on=on + timedelta(days=FILING_DAYS))

    def file_above(self, act: Act, *, on: date) -> None:
        self.check_state(APPROVED)
        assert self.filing_due_on is not None  # set on approval
        self._record(self.FiledAbove, act, filed_on=on, late=on > self.filing_due_on)

    def put_in_use(self, act: Act, *, on: date) -> None:
        self.check_state(APPROVED, FILED)
        self._record(self.PutInUse, act, on=on)

    def rename(self, act: Act, *, name: str, sound: str, on: date, reason: str) -> None:
        self.check_state(APPROVED, FILED, IN_USE)
        self._record(self.Renamed, act, name=name, sound=sound, on=on, reason=reason)

    def retire(self, act: Act, *, on: date, reason: str) -> None:
        self.check_state(APPROVED, FILED, IN_USE)
        self._record(self.Retired, act, on=on, reason=reason)

    def check_state(self, *allowed: str) -> None:
        if self.state not in allowed:
            raise WrongState([Failure(f"place-name-{self.state}", f"the name is {self.state}")])


class NameIndex(RegistryAggregate):
    """One name per sound (toneless pinyin) in a scope: a duplicate or a homophone is refused, naming the holder."""

    TOPIC = "places:NameIndex"

    class Event(RegistryEvent):
        pass

    class Opened(Event, AggregateCreated):
        TOPIC = "places:NameIndex.Opened"
        scope: str
        sound: str

    class Held(Event):
        TOPIC = "places:NameIndex.Held"
        place_id: UUID
        name: str

        def apply(self, index: NameIndex) -> None:
            index.holder, index.holder_name = self.place_id, self.name

    class Released(Event):
        TOPIC = "places:NameIndex.Released"

        def apply(self, index: NameIndex) -> None:
            index.holder, index.holder_name = None, None

    def __init__(self, scope: str, sound: str) -> None:
        self.scope = scope
        self.sound = sound
        self.holder: UUID | None = None
        self.holder_name: str | None = None

    @staticmethod
    def id_for(scope: str, sound: str) -> UUID:
        return natural_id("place-name", scope, sound)

    @classmethod
    def open(cls, act: Act, scope: str, sound: str) -> NameIndex:
        index: NameIndex = cls._create_from(cls.Opened, act, id=cls.id_for(scope, sound), scope=scope, sound=sound)
        return index

    def conflict(self, place_id: UUID, name: str) -> Failure | None:
        if self.holder is None or self.holder == place_id:
            return None
        rule = "name-duplicate" if self.holder_name == name else "name-sounds-like"
        return Failure(rule, f"{self.holder_name!r} is already in use in this scope ({self.holder})")

    def hold(self, act: Act, place_id: UUID, name: str) -> None:
        failure = self.conflict(place_id, name)
        if failure is not None:
            raise NotEligible([failure])
        self._record(self.Held, act, place_id=place_id, name=name)

    def release(self, act: Act) -> None:
        if self.holder is not None:
            self._record(self.Released, act)


def check_sound(sound: str) -> None:
    if not sound:
        raise InvalidInput([Failure("name-unpronounceable", "the name has no characters to compare")])
