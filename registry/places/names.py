"""PlaceName: a name's lifecycle under the Place Name Regulations 2022, its history never lost."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

from eventsourcing.domain import AggregateCreated

from registry.common.actors import Act
from registry.common.errors import Failure, Forbidden, InvalidInput, NotEligible, WrongState
from registry.common.events import RegistryAggregate, RegistryEvent
from registry.common.workdays import WorkingCalendar
from registry.places.jurisdiction import (
    ANNOUNCEMENT_DAYS,
    AREA_KINDS,
    FILING_DAYS,
    KINDS,
    NAMED_BEFORE_PERMIT,
    filing_destination,
    scope_of,
)

PROPOSED, REVIEWED, NOTICE, APPROVED, FILED, IN_USE, REFUSED, RETIRED = (
    "proposed", "expert-reviewed", "public-notice", "approved", "filed", "in-use", "refused", "retired",
)  # fmt: skip


class PlaceName(RegistryAggregate):
    """Proposed, reviewed by experts, publicly consulted, approved by the authority for its kind, announced and filed
    within 15 days, used, renamed or retired; never lost."""

    TOPIC = "places:PlaceName"

    class Event(RegistryEvent):
        pass

    class Proposed(Event, AggregateCreated):
        TOPIC = "places:PlaceName.Proposed"
        class_version = 2
        name: str
        sound: str
        kind: str
        origin_and_meaning: str
        planning_reference: str
        area: str
        specific: str
        index_keys: list[str]
        banned: dict[str, str]
        homophones: list[str]
        built_and_unnamed: bool

        @staticmethod
        def upcast_v1_v2(state: dict[str, object]) -> None:
            """Version 1 compared whole names city-wide; they enter the new index when the registry migrates."""
            state.update(area="", specific="", index_keys=[], banned={}, homophones=[], built_and_unnamed=False)

    class Indexed(Event):
        """A name recorded before the specific-part index (or before an area was added) entered it."""

        TOPIC = "places:PlaceName.Indexed"
        specific: str
        index_keys: list[str]

        def apply(self, place: PlaceName) -> None:
            place.specific, place.index_keys = self.specific, list(self.index_keys)

    class ExpertReviewed(Event):
        TOPIC = "places:PlaceName.ExpertReviewed"
        class_version = 2
        opinion: str
        no_link_reasons: dict[str, str]

        @staticmethod
        def upcast_v1_v2(state: dict[str, object]) -> None:
            state["no_link_reasons"] = {}

        def apply(self, place: PlaceName) -> None:
            place.state = REVIEWED
            place.no_link_reasons = dict(self.no_link_reasons)

    class OpinionGiven(Event):
        """The body the approving authority must consult first (art. 12) gave its opinion."""

        TOPIC = "places:PlaceName.OpinionGiven"
        body: str
        opinion: str

        def apply(self, place: PlaceName) -> None:
            place.opinions[self.body] = self.opinion

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
        class_version = 2
        approved_on: date
        filing_due_on: date
        announcement_due_on: date | None
        filing_to: str
        homophones: list[str]
        homophone_reason: str

        @staticmethod
        def upcast_v1_v2(state: dict[str, object]) -> None:
            """Version 1 tracked neither the announcement nor the filing destination."""
            state.update(announcement_due_on=None, filing_to="", homophones=[], homophone_reason="")

        def apply(self, place: PlaceName) -> None:
            place.state = APPROVED
            place.approved_on = self.approved_on
            place.filing_due_on = self.filing_due_on
            place.announcement_due_on = self.announcement_due_on
            place.filing_to = self.filing_to

    class Announced(Event):
        TOPIC = "places:PlaceName.Announced"
        on: date
        late: bool
        channel: str

        def apply(self, place: PlaceName) -> None:
            place.announced_on = self.on

    class FiledAbove(Event):
        TOPIC = "places:PlaceName.FiledAbove"
        filed_on: date
        late: bool

        def apply(self, place: PlaceName) -> None:
            place.state = FILED
            place.filed_on = self.filed_on

    class PutInUse(Event):
        TOPIC = "places:PlaceName.PutInUse"
        on: date

        def apply(self, place: PlaceName) -> None:
            place.state = IN_USE

    class Renamed(Event):
        TOPIC = "places:PlaceName.Renamed"
        class_version = 2
        name: str
        sound: str
        on: date
        reason: str
        specific: str
        index_keys: list[str]
        homophones: list[str]
        homophone_reason: str

        @staticmethod
        def upcast_v1_v2(state: dict[str, object]) -> None:
            state.update(specific="", index_keys=[], homophones=[], homophone_reason="")

        def apply(self, place: PlaceName) -> None:
            place.former_names.append(place.name)
            place.name, place.sound = self.name, self.sound
            place.specific, place.index_keys = self.specific, list(self.index_keys)

    class Retired(Event):
        TOPIC = "places:PlaceName.Retired"
        on: date
        reason: str

        def apply(self, place: PlaceName) -> None:
            place.state = RETIRED

    def __init__(
        self, name: str, sound: str, kind: str, origin_and_meaning: str, planning_reference: str, area: str,
        specific: str, index_keys: list[str], banned: dict[str, str], homophones: list[str], built_and_unnamed: bool,
    ) -> None:  # fmt: skip
        self.name = name
        self.sound = sound
        self.kind = kind
        self.origin_and_meaning = origin_and_meaning
        self.planning_reference = planning_reference
        self.area = area
        self.specific = specific
        self.index_keys = list(index_keys)
        self.banned = dict(banned)
        self.homophones_when_proposed = list(homophones)
        self.built_and_unnamed = built_and_unnamed
        self.state = PROPOSED
        self.no_link_reasons: dict[str, str] = {}
        self.opinions: dict[str, str] = {}
        self.notice_last_day: date | None = None
        self.approved_on: date | None = None
        self.announcement_due_on: date | None = None
        self.announced_on: date | None = None
        self.filing_due_on: date | None = None
        self.filing_to = ""
        self.filed_on: date | None = None
        self.former_names: list[str] = []

    @property
    def scope(self) -> str:
        return scope_of(self.kind, self.area)

    @property
    def holds_its_name(self) -> bool:
        """Whether the name is reserved in its scope (from proposal until refused, renamed away or retired)."""
        return self.state not in (REFUSED, RETIRED)

    @classmethod
    def propose(
        cls, act: Act, *, name: str, sound: str, kind: str, area: str, specific: str, index_keys: list[str],
        origin_and_meaning: str, planning_reference: str, planning_permit_issued: bool, built_and_unnamed: bool,
        banned: dict[str, str], homophones: list[str], id: UUID,
    ) -> PlaceName:  # fmt: skip
        """Banned entries and homophones are recorded for the reviewer and the authority; what breaks a rule of
        its own is refused, every failure listed."""
        failures = []
        if kind not in KINDS:
            failures.append(Failure("place-kind-unknown", f"kinds: {', '.join(KINDS)}"))
        if kind in AREA_KINDS and not area:
            failures.append(Failure("built-up-area-unknown", f"a {kind} is named within its built-up area"))
        if not origin_and_meaning.strip():
            failures.append(Failure("origin-and-meaning-required", "declare the name's origin and meaning"))
        if kind in NAMED_BEFORE_PERMIT and planning_permit_issued and not built_and_unnamed:
            failures.append(
                Failure(
                    "named-after-planning-permit",
                    f"a {kind} is named before its planning permit, unless it is already built and still unnamed",
                )
            )
        if built_and_unnamed and kind not in NAMED_BEFORE_PERMIT:
            failures.append(Failure("built-and-unnamed-not-applicable", "only an estate or a building applies so"))
        if failures:
            raise NotEligible(failures)
        place: PlaceName = cls._create_from(
            cls.Proposed, act, id=id, name=name, sound=sound, kind=kind,
            origin_and_meaning=origin_and_meaning, planning_reference=planning_reference, area=area, specific=specific,
            index_keys=index_keys, banned=banned, homophones=homophones, built_and_unnamed=built_and_unnamed,
        )  # fmt: skip
        return place

    @staticmethod
    def new_id() -> UUID:
        return uuid4()

    def index(self, act: Act, *, specific: str, index_keys: list[str]) -> None:
        self._record(self.Indexed, act, specific=specific, index_keys=index_keys)

    def review(self, act: Act, *, opinion: str, no_link_reasons: dict[str, str]) -> None:
        """The experts' opinion; a banned entry in the name passes only with the reviewer's recorded reason why the
        characters have no link with it (otherwise refuse the name under that rule)."""
        self.check_state(PROPOSED)
        failures = [
            Failure(rule, f"the name contains {entry!r} ({rule}): record why its characters have no link with it")
            for entry, rule in self.banned.items()
            if not no_link_reasons.get(entry, "").strip()
        ]
        failures += [
            Failure("no-such-banned-entry", f"{entry!r} is not a banned entry found in this name")
            for entry in no_link_reasons
            if entry not in self.banned
        ]
        if failures:
            raise NotEligible(failures)
        self._record(self.ExpertReviewed, act, opinion=opinion, no_link_reasons=no_link_reasons)

    def give_opinion(self, act: Act, *, opinion: str, consulted: str | None) -> None:
        """The body the authority must consult for this kind (art. 12) gives its opinion before approval."""
        self.check_state(PROPOSED, REVIEWED, NOTICE)
        if consulted is None or act.by.office != consulted:
            who = consulted or "no one"
            raise Forbidden([Failure("not-the-consulted-body", f"for a {self.kind}, {who} gives the opinion")])
        if not opinion.strip():
            raise InvalidInput([Failure("opinion-required", "state the opinion")])
        self._record(self.OpinionGiven, act, body=act.by.office, opinion=opinion)

    def refuse(self, act: Act, *, rule: str, reason: str) -> None:
        """A reviewer refuses, e.g. as a personal name (rule "personal-name"); the name is freed."""
        self.check_state(PROPOSED, REVIEWED, NOTICE)
        self._record(self.Refused, act, rule=rule, reason=reason)

    def publish_notice(self, act: Act, *, starts_on: date, days: int, calendar: WorkingCalendar) -> None:
        """Public consultation (art. 11) for `days` days after the day of publication, to a working day."""
        self.check_state(REVIEWED)
        last_day = calendar.period_end(starts_on, days)
        self._record(self.NoticePublished, act, starts_on=starts_on, last_day=last_day)

    def approve(
        self, act: Act, *, on: date, authority: str, consulted: str | None, homophones: list[str],
        homophone_reason: str, calendar: WorkingCalendar,
    ) -> None:  # fmt: skip
        """By the authority for the kind, after the consultation and the opinion the law requires; a name that
        sounds like another in its scope only with the authority's recorded reason."""
        self.check_state(NOTICE)
        self.check_authority(act, authority)
        if self.notice_last_day is None or on <= self.notice_last_day:
            raise WrongState([Failure("public-notice-not-over", f"the public notice runs to {self.notice_last_day}")])
        failures = []
        if consulted is not None and consulted not in self.opinions:
            failures.append(Failure("opinion-missing", f"a {self.kind} is approved after {consulted}'s opinion"))
        failures += self.homophone_failures(homophones, homophone_reason)
        if failures:
            raise NotEligible(failures)
        self._record(
            self.Approved, act, approved_on=on, filing_due_on=calendar.period_end(on, FILING_DAYS),
            announcement_due_on=calendar.period_end(on, ANNOUNCEMENT_DAYS), filing_to=filing_destination(authority),
            homophones=homophones, homophone_reason=homophone_reason if homophones else "",
        )  # fmt: skip

    def announce(self, act: Act, *, on: date, channel: str) -> None:
        """Announced to the public (art. 14: within 15 days of approval; a late one is recorded as late)."""
        self.check_state(APPROVED, FILED, IN_USE)
        if self.announced_on is not None:
            raise WrongState([Failure("name-already-announced", f"announced on {self.announced_on}")])
        late = self.announcement_due_on is not None and on > self.announcement_due_on
        self._record(self.Announced, act, on=on, late=late, channel=channel)

    def file_above(self, act: Act, *, on: date) -> None:
        """Filed with the body art. 13 names (recorded at approval); a late filing is recorded as late."""
        self.check_state(APPROVED)
        late = self.filing_due_on is not None and on > self.filing_due_on
        self._record(self.FiledAbove, act, filed_on=on, late=late)

    def put_in_use(self, act: Act, *, on: date) -> None:
        self.check_state(APPROVED, FILED)
        if self.announced_on is None:
            raise WrongState([Failure("name-not-announced", "a name is used once it has been announced")])
        self._record(self.PutInUse, act, on=on)

    def rename(
        self, act: Act, *, name: str, sound: str, specific: str, index_keys: list[str], on: date, reason: str,
        authority: str, homophones: list[str], homophone_reason: str,
    ) -> None:  # fmt: skip
        """A new name by the authority for the kind; the old one stays in the history."""
        self.check_state(APPROVED, FILED, IN_USE)
        self.check_authority(act, authority)
        failures = self.homophone_failures(homophones, homophone_reason)
        if failures:
            raise NotEligible(failures)
        self._record(
            self.Renamed, act, name=name, sound=sound, on=on, reason=reason, specific=specific, index_keys=index_keys,
            homophones=homophones, homophone_reason=homophone_reason if homophones else "",
        )  # fmt: skip

    def retire(self, act: Act, *, on: date, reason: str) -> None:
        self.check_state(APPROVED, FILED, IN_USE)
        self._record(self.Retired, act, on=on, reason=reason)

    def check_state(self, *allowed: str) -> None:
        if self.state not in allowed:
            raise WrongState([Failure(f"place-name-{self.state}", f"the name is {self.state}")])

    def check_authority(self, act: Act, authority: str) -> None:
        if act.by.office != authority:
            raise Forbidden([Failure("not-the-approving-authority", f"a {self.kind} is approved by {authority}")])

    @staticmethod
    def homophone_failures(homophones: list[str], reason: str) -> list[Failure]:
        if homophones and not reason.strip():
            names = ", ".join(homophones)
            return [Failure("name-sounds-like", f"it sounds like {names} in its scope: record the authority's reason")]
        return []
