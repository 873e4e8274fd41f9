"""Requirements: agents per queue and half-hour for a forecast day, by Erlang A (Erlang C when the
queue's callers were never seen hanging up), and the use cases the CLI, API and pages share."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from allo.contacts.calendar import load_hours
from allo.contacts.models import CHANNELS, LEVEL1_QUEUE, QUEUES
from allo.errors import InvalidInput
from allo.settings import Settings
from allo.stats.staffing import forecast as fc
from allo.stats.staffing.erlang import Target, required
from allo.stats.staffing.repository import load_history

#: Per-queue targets: level 1 answers 80 % within 60 s; specialists, whose calls are
#: transferred with their context, 80 % within 120 s.
DEFAULT_TARGETS: dict[str, Target] = {
    LEVEL1_QUEUE: Target(service_level=0.8, within_s=60),
    **{q: Target(service_level=0.8, within_s=120) for q in QUEUES if q != LEVEL1_QUEUE},
}
#: Half-hours with fewer arrivals are not compared with Erlang A (too few callers to judge).
MIN_COMPARED = 100
#: Longest span a forecast or plan may cover in one request.
MAX_DAYS = 62
#: Channels of written contacts: forecast as deferred work, not as an Erlang queue.
WRITTEN_CHANNELS = tuple(c for c in CHANNELS if c != fc.PHONE)
#: How deferred work is labelled wherever it shows.
DEFERRED = "à traiter en différé"


@dataclass(frozen=True)
class PlanRow:
    """One queue over one half-hour: the forecast and what it takes to meet the target."""

    queue: str
    start: datetime
    calls: float
    aht_s: float
    patience_s: float | None
    agents_required: int
    positions: int
    service_level: float
    asa_s: float
    abandonment: float
    occupancy: float
    model: str
    #: the open part of the half-hour (shorter when the service opens or closes within it)
    interval_s: float = fc.SLOT_S

    def as_dict(self) -> dict[str, Any]:
        return {
            "queue": self.queue,
            "start": self.start.isoformat(),
            "end": (self.start + timedelta(minutes=30)).isoformat(),
            "calls": round(self.calls, 2),
            "aht_s": round(self.aht_s, 1),
            "patience_s": None if self.patience_s is None else round(self.patience_s, 1),
            "agents_required": self.agents_required,
            "positions": self.positions,
            "service_level": round(self.service_level, 3),
            "asa_s": round(self.asa_s, 1),
            "abandonment": round(self.abandonment, 3),
            "occupancy": round(self.occupancy, 3),
            "model": self.model,
            "channel": fc.PHONE,
        }


@dataclass(frozen=True)
class DayPlan:
    forecast: fc.DayForecast
    rows: list[PlanRow]

    def required(self, queue: str, start: datetime) -> int:
        for row in self.rows:
            if row.queue == queue and row.start == start:
                return row.agents_required
        return 0


def configured_targets(text: str) -> dict[str, Target]:
    """The defaults overridden by `ALLO_STAFFING_TARGETS` (« niveau1=0.8/60,travail=0.9/120 »)."""
    targets = dict(DEFAULT_TARGETS)
    for part in filter(None, (p.strip() for p in text.split(","))):
        queue, _, target = part.partition("=")
        level, _, seconds = target.partition("/")
        queue = queue.strip()
        if queue not in targets:
            raise InvalidInput(
                f"ALLO_STAFFING_TARGETS : file « {queue} » inconnue (attendues : "
                f"{', '.join(QUEUES)})."
            )
        targets[queue] = replace(
            targets[queue], service_level=float(level), within_s=float(seconds)
        ).validate()
    return targets


def targets_with(
    service_level: float | None,
    within_s: float | None,
    configured: str = "",
    *,
    shrinkage: float | None = None,
    max_occupancy: float | None = None,
) -> dict[str, Target]:
    """The configured targets, with the same level and/or wait for every queue when given, and
    the shrinkage and occupancy ceiling (settings or options) when given."""
    targets = configured_targets(configured)
    for queue, target in targets.items():
        changed = replace(
            target,
            service_level=target.service_level if service_level is None else service_level,
            within_s=target.within_s if within_s is None else within_s,
            shrinkage=target.shrinkage if shrinkage is None else shrinkage,
            max_occupancy=target.max_occupancy if max_occupancy is None else max_occupancy,
        )
        targets[queue] = changed.validate()
    return targets


def settings_targets(
    settings: Settings,
    service_level: float | None = None,
    within_s: float | None = None,
    *,
    shrinkage: float | None = None,
    max_occupancy: float | None = None,
) -> dict[str, Target]:
    """The targets of the settings (`ALLO_STAFFING_TARGETS`, `_SHRINKAGE`, `_MAX_OCCUPANCY`),
    each overridden by the option given (CLI or API)."""
    return targets_with(
        service_level,
        within_s,
        settings.staffing_targets,
        shrinkage=settings.staffing_shrinkage if shrinkage is None else shrinkage,
        max_occupancy=settings.staffing_max_occupancy if max_occupancy is None else max_occupancy,
    )


def plan_day(
    day_forecast: fc.DayForecast, tz: ZoneInfo, targets: dict[str, Target] | None = None
) -> DayPlan:
    """Rows for the half-hours the service is open; a closed day has none."""
    targets = targets or DEFAULT_TARGETS
    rows: list[PlanRow] = []
    for queue, qf in day_forecast.queues.items():
        target = targets[queue]
        for slot, calls in enumerate(qf.arrivals):
            share = day_forecast.open_share[slot]
            if share <= 0:
                continue
            need = required(calls, fc.SLOT_S * share, qf.aht_s, target, qf.patience_s)
            ind = need.indicators
            rows.append(
                PlanRow(
                    queue=queue,
                    start=fc.slot_start(day_forecast.day, slot, tz),
                    calls=calls,
                    aht_s=qf.aht_s,
                    patience_s=qf.patience_s,
                    agents_required=need.raw_positions,
                    positions=need.positions,
                    service_level=ind.service_level,
                    asa_s=ind.asa_s,
                    abandonment=ind.abandonment,
                    occupancy=ind.occupancy,
                    model="erlang_c" if qf.patience_s is None else "erlang_a",
                    interval_s=fc.SLOT_S * share,
                )
            )
    return DayPlan(day_forecast, rows)


def parse_day(raw: str, name: str = "date") -> date:
    try:
        return date.fromisoformat(raw.strip())
    except (ValueError, AttributeError):
        raise InvalidInput(f"« {name} » doit être une date au format AAAA-MM-JJ.") from None


def parse_week(raw: str) -> date:
    """« 2026-W50 » → its Monday."""
    try:
        year, week = raw.strip().upper().split("-W")
        return date.fromisocalendar(int(year), int(week), 1)
    except ValueError:
        raise InvalidInput(
            "La semaine doit être au format ISO AAAA-Wss, par exemple 2026-W50."
        ) from None


def days_between(first: date, last: date) -> list[date]:
    if last < first:
        raise InvalidInput("Le premier jour doit précéder le dernier.")
    count = (last - first).days + 1
    if count > MAX_DAYS:
        raise InvalidInput(f"Période trop longue : {MAX_DAYS} jours au plus.")
    return [first + timedelta(days=i) for i in range(count)]


def forecast_days(
    session: Session,
    days: list[date],
    tz: ZoneInfo,
    *,
    weeks: int = fc.DEFAULT_WEEKS,
    channel: str = fc.PHONE,
) -> list[fc.DayForecast]:
    """Forecast each day from the `weeks` weeks before the first one, for one channel."""
    hours = load_hours(session)
    start, end = fc.history_window(days[0], tz, weeks)
    history = load_history(session, start, end, channel)
    return [fc.forecast_day(history, d, hours, tz, weeks=weeks, channel=channel) for d in days]


def written_forecasts(
    session: Session, days: list[date], tz: ZoneInfo, *, weeks: int = fc.DEFAULT_WEEKS
) -> list[list[fc.DayForecast]]:
    """Per day, one forecast per written channel: web questions always (the declared profile
    without history), e-mail only when some were recorded in the window."""
    hours = load_hours(session)
    start, end = fc.history_window(days[0], tz, weeks)
    per_channel = []
    for channel in WRITTEN_CHANNELS:
        history = load_history(session, start, end, channel)
        if fc.WRITTEN_SHARE.get(channel, 0.0) == 0 and not history.arrivals:
            continue
        per_channel.append(
            [fc.forecast_day(history, d, hours, tz, weeks=weeks, channel=channel) for d in days]
        )
    return [list(forecasts) for forecasts in zip(*per_channel, strict=True)] or [[] for _ in days]


def forecast_period(session: Session, days: list[date], tz: ZoneInfo) -> list[dict[str, Any]]:
    """One entry per day: the phone's forecast (as before, with `channel`), and under
    `written` each written channel's, in the same form."""
    phone = forecast_days(session, days, tz)
    written = written_forecasts(session, days, tz)
    return [
        {**forecast_as_dict(p, tz), "written": [forecast_as_dict(f, tz) for f in w]}
        for p, w in zip(phone, written, strict=True)
    ]


@dataclass(frozen=True)
class WorkloadRow:
    """Written contacts of one queue and half-hour: agent-hours to handle later, not an Erlang
    queue (« à traiter en différé »)."""

    channel: str
    queue: str
    start: datetime
    calls: float
    aht_s: float

    @property
    def hours(self) -> float:
        """Agent-hours of deferred work: arrivals × mean handling time."""
        return self.calls * self.aht_s / 3600

    def as_dict(self) -> dict[str, Any]:
        return {
            "channel": self.channel,
            "queue": self.queue,
            "start": self.start.isoformat(),
            "end": (self.start + timedelta(minutes=30)).isoformat(),
            "calls": round(self.calls, 2),
            "aht_s": round(self.aht_s, 1),
            "workload_h": round(self.hours, 3),
            "mode": DEFERRED,
        }


def workload(day_forecast: fc.DayForecast, tz: ZoneInfo) -> list[WorkloadRow]:
    """The written channel's deferred work per queue and half-hour with arrivals; none on a
    closed day."""
    if day_forecast.closed:
        return []
    return [
        WorkloadRow(
            day_forecast.channel, queue, fc.slot_start(day_forecast.day, slot, tz), n, qf.aht_s
        )
        for queue, qf in day_forecast.queues.items()
        for slot, n in enumerate(qf.arrivals)
        if n > 0
    ]


def written_workload(session: Session, day: date, tz: ZoneInfo) -> list[WorkloadRow]:
    (forecasts,) = written_forecasts(session, [day], tz)
    return [row for f in forecasts for row in workload(f, tz)]


def plan_days(
    session: Session, days: list[date], tz: ZoneInfo, targets: dict[str, Target] | None = None
) -> list[DayPlan]:
    return [plan_day(f, tz, targets) for f in forecast_days(session, days, tz)]


def forecast_as_dict(day_forecast: fc.DayForecast, tz: ZoneInfo) -> dict[str, Any]:
    return {
        "date": day_forecast.day.isoformat(),
        "channel": day_forecast.channel,
        "closed": day_forecast.closed,
        "source": day_forecast.source,
        "history_days": day_forecast.history_days,
        "escalation": {s: round(r, 4) for s, r in day_forecast.escalation.items()},
        "queues": {
            q: {
                "calls": round(qf.total, 1),
                "aht_s": round(qf.aht_s, 1),
                "patience_s": None if qf.patience_s is None else round(qf.patience_s, 1),
                "intervals": [
                    {
                        "start": fc.slot_start(day_forecast.day, s, tz).isoformat(),
                        "calls": round(n, 2),
                    }
                    for s, n in enumerate(qf.arrivals)
                    if day_forecast.open_share[s] > 0
                    and (n > 0 or day_forecast.channel == fc.PHONE)
                ],
            }
            for q, qf in day_forecast.queues.items()
        },
    }


def current_slot(now: datetime, tz: ZoneInfo) -> datetime:
    local = now.astimezone(tz)
    return local.replace(minute=30 * (local.minute // 30), second=0, microsecond=0)


def utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def simulate_plan(
    day_plan: DayPlan,
    tz: ZoneInfo,
    targets: dict[str, Target] | None = None,
    *,
    replications: int = 5,
    seed: int = 1,
) -> dict[str, Any]:
    """Play the planned day `replications` times and set its figures beside Erlang's."""
    from allo.stats.staffing import des

    targets = targets or DEFAULT_TARGETS
    forecast = day_plan.forecast
    agents: dict[str, list[int]] = {q: [0] * fc.SLOTS for q in forecast.queues}
    for row in day_plan.rows:
        local = row.start.astimezone(tz)
        agents[row.queue][local.hour * 2 + local.minute // 30] = row.agents_required
    models = {
        q: des.QueueModel(qf.arrivals, agents[q], qf.aht_s, qf.patience_s)
        for q, qf in forecast.queues.items()
    }
    result = des.simulate(
        models,
        escalation=forecast.escalation,
        within_s={q: t.within_s for q, t in targets.items()},
        replications=replications,
        seed=seed,
    )
    intervals = []
    for row in day_plan.rows:
        local = row.start.astimezone(tz)
        slot = local.hour * 2 + local.minute // 30
        tally = result.slots[row.queue][slot]
        simulated = tally.as_dict()
        width = result.half_width(row.queue, slot)
        per_day = tally.arrivals / replications
        intervals.append(
            {
                "queue": row.queue,
                "start": row.start.isoformat(),
                "agents": row.agents_required,
                "calls": round(row.calls, 1),
                "simulated_calls": round(per_day, 1),
                "erlang_service_level": round(row.service_level, 3),
                "simulated_service_level": simulated["service_level"],
                "simulated_service_level_ci": None if math.isinf(width) else round(width, 3),
                "erlang_abandonment": round(row.abandonment, 3),
                "simulated_abandonment": simulated["abandonment"],
                "simulated_asa_s": simulated["asa_s"],
            }
        )
    compared = [
        abs(i["simulated_service_level"] - i["erlang_service_level"])
        for i in intervals
        if i["simulated_service_level"] is not None and i["simulated_calls"] >= MIN_COMPARED
    ]
    widths = [
        i["simulated_service_level_ci"]
        for i in intervals
        if i["simulated_service_level_ci"] is not None and i["simulated_calls"] >= MIN_COMPARED
    ]
    return {
        "date": forecast.day.isoformat(),
        "replications": replications,
        "contacts_per_day": round(result.contacts / replications),
        "queues": result.queue_totals(),
        "intervals": intervals,
        "agreement": {
            "intervals_compared": len(compared),
            "mean_gap_points": round(100 * sum(compared) / len(compared), 2) if compared else None,
            "max_gap_points": round(100 * max(compared), 2) if compared else None,
            "max_ci_points": round(100 * max(widths), 2) if widths else None,
        },
    }


def steady_state_check(
    day_plan: DayPlan,
    targets: dict[str, Target] | None = None,
    *,
    min_calls: float = MIN_COMPARED,
    half_width: float = 0.01,
    seed: int = 1,
) -> dict[str, Any]:
    """Each planned half-hour with at least `min_calls` arrivals simulated on its own at steady
    state (SimPy, replicated until the 95 % confidence half-width is `half_width`), set beside
    Erlang A: the like-for-like check of the formulas behind the plan. The day simulation
    (`simulate_plan`) adds what Erlang ignores — queues carried over half-hour boundaries,
    rota changes, transfers arriving late — and one half-hour of one day is too noisy to judge
    it by (a run's service level varies by about ten points)."""
    from allo.stats.staffing import des

    targets = targets or DEFAULT_TARGETS
    rows: list[dict[str, Any]] = []
    for index, row in enumerate(day_plan.rows):
        if row.calls < min_calls or row.agents_required == 0:
            continue
        sim = des.steady_state(
            row.calls,
            row.interval_s,
            row.agents_required,
            row.aht_s,
            row.patience_s,
            targets[row.queue].within_s,
            half_width=half_width,
            seed=seed * 100_000 + index,
        )
        rows.append(
            {
                "queue": row.queue,
                "start": row.start.isoformat(),
                "calls": round(row.calls, 1),
                "agents": row.agents_required,
                "erlang_service_level": round(row.service_level, 4),
                "simulated_service_level": round(sim.service_level, 4),
                "ci_points": round(100 * sim.service_level_half_width, 2),
                "gap_points": round(100 * (sim.service_level - row.service_level), 2),
                "erlang_abandonment": round(row.abandonment, 4),
                "simulated_abandonment": round(sim.abandonment, 4),
                "replications": sim.replications,
            }
        )
    gaps = [abs(r["gap_points"]) for r in rows]
    return {
        "date": day_plan.forecast.day.isoformat(),
        "intervals": rows,
        "agreement": {
            "intervals_compared": len(rows),
            "mean_gap_points": round(sum(gaps) / len(gaps), 2) if gaps else None,
            "max_gap_points": round(max(gaps), 2) if gaps else None,
            "max_ci_points": max((r["ci_points"] for r in rows), default=None),
            "replications": sum(r["replications"] for r in rows),
        },
    }
