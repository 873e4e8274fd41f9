"""Forecast of phone arrivals, handling time and patience per queue and half-hour of a day.

Method (explainable on purpose):

- Level 1: the same weekday over the last `weeks` weeks (days the service was open and that
  had contacts). The day's volume is a least-squares line through those days' totals, read at
  the forecast day (the trend), kept within ±50 % of their weighted mean; the shape over the
  day is their weighted mean share per half-hour, the most recent week weighing most
  (weights weeks, weeks − 1, …, 1). Half-hours when the service is closed that day (reduced
  hours) get nothing; a closed day (public holiday, closed weekday, exceptional closing) has
  no arrivals.
- With fewer than `min_days` such days, the declared profile instead: the seed's ~7,000
  contacts a day (90 % by phone), prorated to the day's opening minutes, over the seed's
  hourly shape (`allo.stats.dayplan.PHONE_PROFILE`).
- Level 2: each sector's arrivals are level 1's times its escalation rate (escalated / answered
  at level 1), shifted by the mean time from arrival to transfer.
- Handling time and patience per queue: the window's means (patience by maximum likelihood
  from waits and hang-ups); the declared defaults when the window has none.

The naive baseline, for measuring: the same weekday one week earlier, as it was.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from allo.contacts.calendar import ServiceHours, closure_reason
from allo.contacts.models import LEVEL1_QUEUE, SECTORS
from allo.stats import dayplan
from allo.stats.staffing.repository import History

SLOTS = 48
SLOT_S = 1800
#: Declared profile (seed): contacts a day, share by phone, and the weekday opening it refers to.
DEFAULT_DAY_CONTACTS = 7000
DEFAULT_PHONE_SHARE = 1 - dayplan.WEB_SHARE
DEFAULT_OPEN_MINUTES = 12 * 60
#: Declared handling times (seconds): level 1 ≈ 3 min, level 2 ≈ 8 min (seed-based day plan).
DEFAULT_AHT_S: dict[str, float] = {LEVEL1_QUEUE: 180.0, **{s: 480.0 for s in SECTORS}}
DEFAULT_PATIENCE_S = dayplan.PATIENCE_MEAN
DEFAULT_TRANSFER_DELAY_S = 240.0
DEFAULT_WEEKS = 6
MIN_DAYS = 2
#: The real-time channel (Erlang queues); the others are written, handled later.
PHONE = "phone"
#: Declared share of each written channel's contacts (the seed's web questions; e-mail only
#: when recorded).
WRITTEN_SHARE: dict[str, float] = {"web": dayplan.WEB_SHARE, "email": 0.0}


def default_escalation() -> dict[str, float]:
    """44 % escalated, spread over the sectors in their 2009 proportions."""
    shares = dayplan.sector_shares()
    return {s: (1 - dayplan.LEVEL1_SHARE) * shares[s] for s in SECTORS}


@dataclass(frozen=True)
class QueueForecast:
    """One queue on one day: arrivals per half-hour (local time, slot 0 = 00:00–00:30)."""

    queue: str
    arrivals: tuple[float, ...]
    aht_s: float
    #: mean patience, None when no caller was seen hanging up (then Erlang C)
    patience_s: float | None

    @property
    def total(self) -> float:
        return sum(self.arrivals)


@dataclass(frozen=True)
class DayForecast:
    day: date
    #: why the service is closed that day, else None
    closed: str | None
    #: "historique" (recorded contacts) or "profil" (declared default)
    source: str
    #: days of history the level-1 forecast used
    history_days: int
    #: open share of each half-hour (0 closed … 1 open throughout)
    open_share: tuple[float, ...]
    queues: dict[str, QueueForecast] = field(default_factory=dict)
    escalation: dict[str, float] = field(default_factory=dict)
    #: "phone" (planned with Erlang) or a written channel ("web", "email": deferred work)
    channel: str = PHONE


def open_shares(hours: ServiceHours, day: date) -> tuple[float, ...]:
    """Share of each half-hour when the service is open that day (0 on a closed day)."""
    if closure_reason(hours, day) is not None:
        return (0.0,) * SLOTS
    shares = []
    for slot in range(SLOTS):
        a, b = slot * 30, slot * 30 + 30
        covered = sum(max(0, min(b, c) - max(a, o)) for o, c in hours.weekly[day.weekday()])
        shares.append(covered / 30)
    return tuple(shares)


def slot_start(day: date, slot: int, tz: ZoneInfo) -> datetime:
    """The local start of a half-hour, as an aware datetime in the service's zone."""
    return datetime.combine(day, time(slot // 2, 30 * (slot % 2)), tzinfo=tz)


def day_counts(history: History, day: date, tz: ZoneInfo) -> list[int]:
    """Recorded level-1 phone arrivals of one local day, per half-hour."""
    counts = [0] * SLOTS
    start = datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
    moment = start
    while moment < end:
        n = history.arrivals.get(moment)
        if n:
            local = moment.astimezone(tz)
            counts[local.hour * 2 + local.minute // 30] += n
        moment += timedelta(minutes=30)
    return counts


def _profile(day_open: tuple[float, ...], share: float = DEFAULT_PHONE_SHARE) -> list[float]:
    open_minutes = 30 * sum(day_open)
    volume = DEFAULT_DAY_CONTACTS * share * open_minutes / DEFAULT_OPEN_MINUTES
    weights = [
        dayplan.PHONE_PROFILE.get(slot // 2, 0.0) / 2 * day_open[slot] for slot in range(SLOTS)
    ]
    whole = sum(weights)
    if whole == 0:  # opening hours outside the declared shape: spread evenly
        weights, whole = list(day_open), sum(day_open) or 1.0
    return [volume * w / whole for w in weights]


def _trend_volume(totals: list[float], lags: list[int], weights: list[float]) -> float:
    mean = sum(w * t for w, t in zip(weights, totals, strict=True)) / sum(weights)
    if len(totals) < 3:
        return mean
    x_mean = sum(lags) / len(lags)
    y_mean = sum(totals) / len(totals)
    sxx = sum((x - x_mean) ** 2 for x in lags)
    slope = sum((x - x_mean) * (y - y_mean) for x, y in zip(lags, totals, strict=True)) / sxx
    predicted = y_mean + slope * (0 - x_mean)
    return min(max(predicted, 0.5 * mean), 1.5 * mean)


def _level1(
    history: History,
    day: date,
    hours: ServiceHours,
    tz: ZoneInfo,
    weeks: int,
    min_days: int,
    channel: str = PHONE,
) -> tuple[list[float], str, int]:
    day_open = open_shares(hours, day)
    profile_share = DEFAULT_PHONE_SHARE if channel == PHONE else WRITTEN_SHARE.get(channel, 0.0)
    if channel != PHONE and any(day_open):
        # Written questions arrive at any hour of an open day; they wait for an agent.
        day_open = (1.0,) * SLOTS
    past: list[tuple[int, list[int]]] = []
    for lag in range(1, weeks + 1):
        earlier = day - timedelta(weeks=lag)
        if closure_reason(hours, earlier) is not None:
            continue
        if datetime.combine(earlier, time(0), tzinfo=tz) < history.start.astimezone(tz):
            continue
        counts = day_counts(history, earlier, tz)
        if sum(counts):
            past.append((lag, counts))
    if len(past) < min_days:
        return _profile(open_shares(hours, day), profile_share), "profil", len(past)
    weights = [float(weeks + 1 - lag) for lag, _ in past]
    totals = [float(sum(c)) for _, c in past]
    volume = _trend_volume(totals, [-lag for lag, _ in past], weights)
    shape = [
        sum(w * c[slot] / t for w, (_, c), t in zip(weights, past, totals, strict=True))
        / sum(weights)
        for slot in range(SLOTS)
    ]
    return [volume * shape[s] * day_open[s] for s in range(SLOTS)], "historique", len(past)


def _shifted(arrivals: list[float], rate: float, delay_s: float) -> list[float]:
    """Arrivals times `rate`, moved later by `delay_s` (split between the two half-hours)."""
    offset = delay_s / SLOT_S
    whole, frac = math.floor(offset), offset - math.floor(offset)
    out = [0.0] * SLOTS
    for slot, value in enumerate(arrivals):
        for target, part in ((slot + whole, 1 - frac), (slot + whole + 1, frac)):
            if 0 <= target < SLOTS:
                out[target] += value * rate * part
    return out


def forecast_day(
    history: History,
    day: date,
    hours: ServiceHours,
    tz: ZoneInfo,
    *,
    weeks: int = DEFAULT_WEEKS,
    min_days: int = MIN_DAYS,
    channel: str = PHONE,
) -> DayForecast:
    """The day's arrivals per queue and half-hour for one channel. The phone's follow the
    opening hours; a written channel's may fall at any hour of an open day (deferred work)."""
    closed = closure_reason(hours, day)
    day_open = open_shares(hours, day)
    level1, source, used = _level1(history, day, hours, tz, weeks, min_days, channel)
    if channel != PHONE and closed is None:
        day_open = (1.0,) * SLOTS
    if history.answered_level1 and source == "historique":
        escalation = {s: history.escalated.get(s, 0) / history.answered_level1 for s in SECTORS}
    else:
        escalation = default_escalation()
    delay = history.transfer_delay_s or DEFAULT_TRANSFER_DELAY_S

    def facts(queue: str) -> tuple[float, float | None]:
        known = history.queues.get(queue)
        aht = known.aht_s if known and known.aht_s else DEFAULT_AHT_S[queue]
        if known and known.handled:
            return aht, known.patience_s
        return aht, DEFAULT_PATIENCE_S

    queues: dict[str, QueueForecast] = {}
    aht, patience = facts(LEVEL1_QUEUE)
    queues[LEVEL1_QUEUE] = QueueForecast(LEVEL1_QUEUE, tuple(level1), aht, patience)
    for sector in SECTORS:
        arrivals = _shifted(level1, escalation[sector], delay)
        arrivals = [a if day_open[i] > 0 else 0.0 for i, a in enumerate(arrivals)]
        aht, patience = facts(sector)
        queues[sector] = QueueForecast(sector, tuple(arrivals), aht, patience)
    return DayForecast(
        day=day,
        closed=closed,
        source=source,
        history_days=used,
        open_share=day_open,
        queues=queues,
        escalation=escalation,
        channel=channel,
    )


def naive_level1(history: History, day: date, tz: ZoneInfo) -> list[int]:
    """The baseline: the same weekday one week earlier, as recorded."""
    return day_counts(history, day - timedelta(weeks=1), tz)


def history_window(
    first: date, tz: ZoneInfo, weeks: int, until: date | None = None
) -> tuple[datetime, datetime]:
    """The UTC window a forecast from `first` reads: `weeks` weeks before it (up to `until`,
    for measuring on held-back days: each day still reads only the weeks before itself)."""
    start = datetime.combine(first - timedelta(weeks=weeks), time(0), tzinfo=tz)
    end = datetime.combine(until or first, time(0), tzinfo=tz)
    return start.astimezone(UTC), end.astimezone(UTC)
