"""The generated year of benchmarks/federation.py: couples who marry, divorce and remarry in other provinces, and
bigamous registrations attempted at a set delay after the marriage they would break.

Two kinds of story, in equal numbers, so that divorces are a quarter of the acts (China 2023: 7.7 million marriages,
2.6 million divorces):
- settled: a couple marries in province X; a bigamous registration of the husband is attempted in another province
  Y at a delay after X committed the marriage (0, half, one or two intervals: the probe classes);
- moving: a couple marries in X, divorces in X (a court's judgment: no cooling-off period), and one interval after the
  divorce the husband remarries in Z; a bigamous registration of his is then attempted in W (X half the time: the
  province he left) at a probe delay after Z committed the remarriage. A remarriage refused at one interval (Z did not
  yet know of the divorce) is counted and tried again one interval later, with a new application.
Every bigamous attempt is filed beforehand, so that the registration itself is sent exactly at its delay.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx

from benchmarks.write_path import PRESENT_JSON
from registry.common.clock import CHINA_STANDARD_TIME
from registry.common.identity import Person

REGISTRATION = {"party_a": PRESENT_JSON, "party_b": PRESENT_JSON}
PROBE_FRACTIONS = (0.0, 0.5, 1.0, 1.0, 2.0)  # probe delays in intervals, by story number: one interval twice as often
REMARRIAGE_TRIES = 3


@dataclass
class Province:
    """One registry as the driver reaches it: its address and the headers of a clerk and of a court."""

    jurisdiction: str
    base: str
    clerk: dict[str, str]
    court: dict[str, str]


@dataclass
class Outcomes:
    """What the stories did: facts committed (for lag), bigamous attempts, remarriages, unexpected answers."""

    facts: list[tuple[str, str, str, float]] = field(default_factory=list)  # source, marriage id, kind, answered at
    # delay (in intervals), from, at, accepted, codes, the marriage it would break, when the driver began to send it
    # (the registry took it a little later: a delay measured to this moment is a lower bound)
    probes: list[tuple[float, str, str, bool, list[str], str, float]] = field(default_factory=list)
    remarriages: list[tuple[int, bool, list[str]]] = field(default_factory=list)  # try, accepted, codes
    unexpected: list[str] = field(default_factory=list)


def party(person: Person) -> dict[str, str]:
    return {"document_number": person.document_number, "name": person.name}


class Stories:
    """Runs the stories against the provinces over one HTTP client."""

    def __init__(self, client: httpx.AsyncClient, provinces: list[Province], interval: float, seed: int) -> None:
        self.client, self.provinces, self.interval = client, provinces, interval
        self.random = random.Random(seed)
        self.outcomes = Outcomes()
        self.judgments = 0

    def other(self, *than: Province) -> Province:
        return self.random.choice([p for p in self.provinces if p not in than])

    async def file(self, at: Province, a: Person, b: Person) -> str | None:
        answer = await self.client.post(
            f"{at.base}/v1/marriages", json={"party_a": party(a), "party_b": party(b)}, headers=at.clerk
        )
        if answer.status_code != 201:
            self.outcomes.unexpected.append(f"file {answer.status_code} {answer.text[:200]}")
            return None
        return str(answer.json()["id"])

    async def register(self, at: Province, marriage_id: str) -> tuple[bool, list[str], float]:
        """Whether the registration was accepted, the failed conditions if not, and when the answer came."""
        answer = await self.client.post(
            f"{at.base}/v1/marriages/{marriage_id}/registration", json=REGISTRATION, headers=at.clerk
        )
        answered = time.time()
        if answer.status_code == 200:
            self.outcomes.facts.append((at.jurisdiction, marriage_id, "registered", answered))
            return True, [], answered
        if answer.status_code == 422:
            return False, [str(e["code"]) for e in answer.json().get("errors", [])], answered
        self.outcomes.unexpected.append(f"register {answer.status_code} {answer.text[:200]}")
        return False, [f"http-{answer.status_code}"], answered

    async def marry(self, at: Province, a: Person, b: Person) -> tuple[str | None, float]:
        marriage_id = await self.file(at, a, b)
        if marriage_id is None:
            return None, time.time()
        accepted, codes, answered = await self.register(at, marriage_id)
        if not accepted:
            self.outcomes.unexpected.append(f"marriage refused at {at.jurisdiction}: {codes}")
            return None, answered
        return marriage_id, answered

    async def divorce(self, at: Province, marriage_id: str) -> float | None:
        self.judgments += 1
        judgment = {
            "kind": "divorce", "court": "杭州市中级人民法院", "judgment_number": f"(2026)浙01民终{self.judgments}号",
            "effective_on": datetime.now(CHINA_STANDARD_TIME).date().isoformat(),
        }  # fmt: skip
        answer = await self.client.post(f"{at.base}/v1/marriages/{marriage_id}/judgments", json=judgment,
                                        headers=at.court)  # fmt: skip
        if answer.status_code != 200:
            self.outcomes.unexpected.append(f"divorce {answer.status_code} {answer.text[:200]}")
            return None
        answered = time.time()
        self.outcomes.facts.append((at.jurisdiction, marriage_id, "divorced", answered))
        return answered

    async def probe(self, source: Province, broken: str, at: Province, bigamous: str, committed: float,
                    delay: float) -> None:  # fmt: skip
        """The bigamous registration `bigamous` filed beforehand at `at`, sent `delay` seconds after the answer to the
        marriage `broken` at `source` came."""
        await asyncio.sleep(max(0.0, committed + delay - time.time()))
        sent = time.time()
        accepted, codes, _ = await self.register(at, bigamous)
        self.outcomes.probes.append(
            (delay / self.interval, source.jurisdiction, at.jurisdiction, accepted, codes, broken, sent)
        )

    async def settled(self, number: int, start: float, people: list[Person]) -> None:
        husband, wife, other = people
        await asyncio.sleep(start)
        home = self.random.choice(self.provinces)
        elsewhere = self.other(home)
        bigamous = await self.file(elsewhere, husband, other)
        married, committed = await self.marry(home, husband, wife)
        if married and bigamous:
            delay = PROBE_FRACTIONS[number % len(PROBE_FRACTIONS)] * self.interval
            await self.probe(home, married, elsewhere, bigamous, committed, delay)

    async def moving(self, number: int, start: float, people: list[Person]) -> None:
        husband, wife, second, other = people
        await asyncio.sleep(start)
        home = self.random.choice(self.provinces)
        married, _ = await self.marry(home, husband, wife)
        if married is None:
            return
        await asyncio.sleep(self.interval * self.random.uniform(1, 3))
        divorced = await self.divorce(home, married)
        if divorced is None:
            return
        new_home = self.other(home)
        probed_at = home if (number // len(PROBE_FRACTIONS)) % 2 else self.other(new_home)
        bigamous = await self.file(probed_at, husband, other)
        remarried, committed = await self.remarry(new_home, husband, second, divorced)
        if remarried and bigamous:
            delay = PROBE_FRACTIONS[number % len(PROBE_FRACTIONS)] * self.interval
            await self.probe(new_home, remarried, probed_at, bigamous, committed, delay)

    async def remarry(self, at: Province, a: Person, b: Person, divorced: float) -> tuple[str | None, float]:
        """A remarriage one interval after the divorce, tried again an interval later while refused."""
        for attempt in range(1, REMARRIAGE_TRIES + 1):
            marriage_id = await self.file(at, a, b)
            if marriage_id is None:
                return None, time.time()
            await asyncio.sleep(max(0.0, divorced + attempt * self.interval - time.time()))
            accepted, codes, answered = await self.register(at, marriage_id)
            self.outcomes.remarriages.append((attempt, accepted, codes))
            if accepted:
                return marriage_id, answered
        return None, time.time()

    async def run(self, stories: int, spread: float, couples: list[tuple[Person, Person]]) -> Outcomes:
        """Half settled, half moving stories, started at random moments over `spread` seconds; story n's people are
        the man of couple 3n and the women of couples 3n to 3n + 2 (all distinct)."""
        tasks = []
        for number in range(stories):
            start = self.random.uniform(0, spread)
            people = [couples[3 * number][0], *(woman for _, woman in couples[3 * number : 3 * number + 3])]
            if number % 2:
                tasks.append(self.moving(number // 2, start, people))
            else:
                tasks.append(self.settled(number // 2, start, people[:3]))
        await asyncio.gather(*tasks)
        return self.outcomes


def summary(outcomes: Outcomes) -> dict[str, Any]:
    """Bigamous attempts by probe class (attempted, accepted = misses), remarriages refused at one interval."""
    classes: dict[float, list[bool]] = {}
    for fraction, _, _, accepted, *_ in outcomes.probes:
        classes.setdefault(fraction, []).append(accepted)
    first_tries = [accepted for attempt, accepted, _ in outcomes.remarriages if attempt == 1]
    refusals = [codes for _, _, _, accepted, codes, *_ in outcomes.probes if not accepted]
    return {
        "probes": {f"{fraction:g}": {"attempted": len(v), "misses": sum(v)} for fraction, v in sorted(classes.items())},
        "remarriages": len(first_tries),
        "remarriages_refused_at_one_interval": first_tries.count(False),
        "refusal_codes": sorted({code for codes in refusals for code in codes}),
        "unexpected": len(outcomes.unexpected),
    }
