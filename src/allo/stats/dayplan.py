"""A realistic day of the service, drawn from a seed: arrivals, what each contact needs, staffing.

The shape comes from the seed (the 3939 brochure, 2009 figures):

- 6,500–8,000 contacts a day, within the hours Monday–Friday 8:00–20:00; phone arrivals follow
  a call-centre day with a morning peak (10–11 h) and an early-afternoon one (14 h);
  written messages (10 %) arrive from 6:00 and wait for the opening.
- 56 % closed at level 1 (answered or oriented), 44 % escalated. The brochure gives calls per
  sector for the year — intérieur 485,000, travail 288,000, consommation 182,000, justice
  121,000, logement 106,000 — out of 1,516,000 calls; those five already exceed the 665,000
  escalated calls, so they count each sector's share of all calls, not of escalations.
  Fiscalité, unnamed, gets the remainder: 1,516,000 − 1,182,000 = 334,000. The escalated
  contacts are spread over the six sectors in these proportions (32.0 %, 19.0 %, 12.0 %, 8.0 %,
  22.0 %, 7.0 %). Exact counts are drawn (largest remainders) and shuffled, so the day's split is
  56/44 by construction, before abandonment.
- Handling times are log-normal (level 1 ≈ 3 min, level 2 ≈ 8 min on the phone, longer in
  writing); phone callers have an exponential patience (mean 3 min) and hang up when they wait
  longer: that is the day's abandonment.
- Staffing per hour follows the expected load at 85 % occupancy, plus one.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from allo.contacts.models import LEVEL1_QUEUE, SECTORS

#: 2009 calls per sector (seed); fiscalité is the remainder of the 1,516,000 calls.
SEED_YEAR_CALLS = 1_516_000
SEED_SECTOR_CALLS: dict[str, int] = {
    "interieur": 485_000,
    "travail": 288_000,
    "consommation": 182_000,
    "justice": 121_000,
    "logement": 106_000,
}
SEED_SECTOR_CALLS["fiscalite"] = SEED_YEAR_CALLS - sum(SEED_SECTOR_CALLS.values())
LEVEL1_SHARE = 0.56
WEB_SHARE = 0.10
#: Relative phone arrivals per local hour (8 h … 19 h): morning and early-afternoon peaks.
PHONE_PROFILE: dict[int, float] = {
    8: 5,
    9: 11,
    10: 13,
    11: 12,
    12: 7,
    13: 8,
    14: 11,
    15: 10,
    16: 9,
    17: 7,
    18: 4,
    19: 3,
}
#: Written messages: evenings and early mornings too (they wait for the opening).
WEB_PROFILE: dict[int, float] = {
    6: 2,
    7: 3,
    8: 5,
    9: 8,
    10: 9,
    11: 9,
    12: 8,
    13: 8,
    14: 9,
    15: 9,
    16: 8,
    17: 8,
    18: 7,
    19: 7,
}
#: (median seconds, sigma) of log-normal handling times.
HANDLING: dict[tuple[str, int, str], tuple[float, float]] = {
    ("phone", 1, "close"): (170.0, 0.45),
    ("phone", 1, "escalate"): (140.0, 0.40),
    ("phone", 2, "close"): (420.0, 0.50),
    ("web", 1, "close"): (360.0, 0.50),
    ("web", 1, "escalate"): (240.0, 0.45),
    ("web", 2, "close"): (600.0, 0.50),
}
PATIENCE_MEAN = 180.0
OCCUPANCY = 0.85
ORIENTED_SHARE = 0.25


def sector_shares() -> dict[str, float]:
    return {s: SEED_SECTOR_CALLS[s] / SEED_YEAR_CALLS for s in SECTORS}


def _exact_counts(total: int, weights: dict[str, float]) -> dict[str, int]:
    """Largest-remainder apportionment: integer counts summing to `total`."""
    whole = sum(weights.values())
    raw = {k: total * w / whole for k, w in weights.items()}
    counts = {k: math.floor(v) for k, v in raw.items()}
    rest = total - sum(counts.values())
    for key in sorted(raw, key=lambda k: raw[k] - counts[k], reverse=True)[:rest]:
        counts[key] += 1
    return counts


@dataclass(frozen=True)
class PlannedContact:
    """One contact of the day: when it arrives and what it will need."""

    index: int
    #: seconds since local midnight
    arrival: float
    channel: str
    #: "answer" / "orient" at level 1, or "escalate" (then `sector`)
    plan: str
    sector: str | None
    handling1: float
    handling2: float | None
    #: phone: how long the caller waits before hanging up
    patience: float | None


@dataclass(frozen=True)
class DayPlan:
    contacts: tuple[PlannedContact, ...]
    #: agents on duty per (queue, local hour)
    staffing: dict[tuple[str, int], int]

    def team_size(self, queue: str) -> int:
        return max((n for (q, _h), n in self.staffing.items() if q == queue), default=0)

    def on_duty(self, queue: str, hour: int) -> int:
        return self.staffing.get((queue, hour), 0)


def _times(rng: random.Random, n: int, profile: dict[int, float]) -> list[float]:
    counts = _exact_counts(n, {str(h): w for h, w in profile.items()})
    times = [
        int(hour) * 3600 + rng.random() * 3600
        for hour, count in counts.items()
        for _ in range(count)
    ]
    return times


def _handling(rng: random.Random, channel: str, level: int, kind: str) -> float:
    median, sigma = HANDLING[(channel, level, kind)]
    return round(min(median * math.exp(rng.gauss(0.0, sigma)), median * 6), 1)


def make_plan(total: int, seed: int) -> DayPlan:
    if total < 1:
        raise ValueError("a day needs at least one contact")
    rng = random.Random(seed)  # noqa: S311 — a reproducible simulation, not a secret
    n_web = round(total * WEB_SHARE)
    channels = ["phone"] * (total - n_web) + ["web"] * n_web
    arrivals = _times(rng, total - n_web, PHONE_PROFILE) + _times(rng, n_web, WEB_PROFILE)
    n_escalated = round(total * (1 - LEVEL1_SHARE))
    sectors = [s for s, c in _exact_counts(n_escalated, sector_shares()).items() for _ in range(c)]
    n_level1 = total - n_escalated
    n_oriented = round(n_level1 * ORIENTED_SHARE)
    plans: list[tuple[str, str | None]] = (
        [("answer", None)] * (n_level1 - n_oriented)
        + [("orient", None)] * n_oriented
        + [("escalate", s) for s in sectors]
    )
    rng.shuffle(plans)
    contacts = []
    for i, (arrival, channel, (plan, sector)) in enumerate(
        sorted(zip(arrivals, channels, plans, strict=True), key=lambda x: x[0])
    ):
        escalate = plan == "escalate"
        contacts.append(
            PlannedContact(
                index=i,
                arrival=round(arrival, 3),
                channel=channel,
                plan=plan,
                sector=sector,
                handling1=_handling(rng, channel, 1, "escalate" if escalate else "close"),
                handling2=_handling(rng, channel, 2, "close") if escalate else None,
                patience=round(rng.expovariate(1 / PATIENCE_MEAN), 1)
                if channel == "phone"
                else None,
            )
        )
    return DayPlan(contacts=tuple(contacts), staffing=_staffing(contacts))


def _staffing(contacts: list[PlannedContact]) -> dict[tuple[str, int], int]:
    """Agents per queue and hour for the expected load (Erlangs) at OCCUPANCY, plus one."""
    work: dict[tuple[str, int], float] = {}
    for c in contacts:
        # written messages that arrive before 8 h are worked at the opening
        hour = max(8, int(c.arrival // 3600))
        work[(LEVEL1_QUEUE, hour)] = work.get((LEVEL1_QUEUE, hour), 0.0) + c.handling1
        if c.sector and c.handling2:
            key = (c.sector, hour)
            work[key] = work.get(key, 0.0) + c.handling2
    staffing: dict[tuple[str, int], int] = {}
    for queue in (LEVEL1_QUEUE, *SECTORS):
        for hour in range(8, 20):
            erlangs = work.get((queue, hour), 0.0) / 3600
            staffing[(queue, hour)] = math.ceil(erlangs / OCCUPANCY) + 1
    return staffing
