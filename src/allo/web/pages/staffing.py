"""Staffing page (`/supervision/effectifs`): the day's agents required vs rostered per queue
(server-side SVG, one chart per queue, with the same figures in a table) and the week around it.

The plan is the one of GET /api/staffing/plan (allo.stats.staffing); the roster is what
`allo staffing roster import` or POST /api/staffing/roster stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Annotated, ClassVar

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from allo.contacts.models import QUEUE_LABELS, QUEUES
from allo.errors import AlloError
from allo.privacy import audit
from allo.stats.staffing import plan, roster
from allo.web.auth import OptionalAgent
from allo.web.charts import need_chart
from allo.web.deps import DbSession, RuntimeDep
from allo.web.pages._auth import SUPERVISOR, gate
from allo.web.pages._base import HOME, Crumb, Page, agent_view, doc, render
from allo.web.pages._filters import date_fr

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class QueueDay:
    """One queue's day: the chart and its rows."""

    queue: str = field(metadata=doc("Queue code (anchor)."))
    label: str = field(metadata=doc("Queue in French."))
    svg: Markup = field(metadata=doc("Required (columns) vs rostered (line) per half-hour."))
    calls: int = field(metadata=doc("Calls forecast for the day."))
    peak: int = field(metadata=doc("Most agents required in one half-hour."))
    short_slots: int = field(metadata=doc("Half-hours where fewer are rostered than required."))
    rows: list[tuple[str, int, str, str]] = field(
        metadata=doc("(half-hour, required, rostered, gap) rows of the same figures.")
    )


@dataclass(frozen=True)
class WeekCell:
    """One queue on one day of the week view."""

    peak: int = field(metadata=doc("Most agents required in one half-hour."))
    hours_required: str = field(metadata=doc("Agent-hours required, formatted."))
    hours_rostered: str = field(metadata=doc("Agent-hours rostered, formatted."))
    short_slots: int = field(metadata=doc("Half-hours short."))
    deferred: str = field(
        default="", metadata=doc("Agent-hours of written contacts to handle later, or empty.")
    )


@dataclass(frozen=True)
class WeekDay:
    """One day of the week view."""

    day: str = field(metadata=doc("ISO date (link target)."))
    label: str = field(metadata=doc("The day in French."))
    closed: str = field(metadata=doc("Why the service is closed that day, or empty."))
    cells: list[WeekCell] = field(metadata=doc("One cell per queue, in queue order."))


@dataclass(kw_only=True)
class StaffingPage(Page):
    template: ClassVar[str] = "supervision/staffing.html"

    day: str = field(metadata=doc("The day shown, ISO."))
    day_label: str = field(metadata=doc("The day in French."))
    source: str = field(metadata=doc("French sentence: history or the declared profile."))
    closed: str = field(metadata=doc("Why the service is closed that day, or empty."))
    queues: list[QueueDay] = field(metadata=doc("One chart per queue."))
    queue_labels: list[str] = field(metadata=doc("Queue names in French, week-view columns."))
    week: list[WeekDay] = field(metadata=doc("Monday to Sunday of the day's week."))
    error: str = field(default="", metadata=doc("French message when the day is unusable."))


def _hours(value: float) -> str:
    return f"{value:.1f}".replace(".", ",") + " h"


def _gap(value: float) -> str:
    text = f"{value:+.1f}".replace(".", ",")
    return text.replace(",0", "")


def _deferred(hours: float) -> str:
    return f"écrits : {_hours(hours)} {plan.DEFERRED}" if hours >= 0.05 else ""


@router.get("/supervision/effectifs", response_class=HTMLResponse)
def staffing_page(
    request: Request,
    runtime: RuntimeDep,
    session: DbSession,
    agent: OptionalAgent,
    jour: Annotated[str, Query(max_length=10)] = "",
) -> Response:
    allowed = gate(request, agent, SUPERVISOR)
    if isinstance(allowed, Response):
        return allowed
    tz = runtime.settings.zone
    error = ""
    day = runtime.settings.today()
    if jour:
        try:
            day = plan.parse_day(jour, "jour")
        except AlloError as exc:
            error = exc.message
    monday = day - timedelta(days=day.weekday())
    week_days = [monday + timedelta(days=i) for i in range(7)]
    targets = plan.settings_targets(runtime.settings)
    plans = plan.plan_days(session, week_days, tz, targets)
    written = plan.written_forecasts(session, week_days, tz)
    audit.record_separately(
        runtime.sessions, agent_id=allowed.id, action="read", object_type="staffing"
    )
    week: list[WeekDay] = []
    queues: list[QueueDay] = []
    for d, day_plan, day_written in zip(week_days, plans, written, strict=True):
        deferred = [w for f in day_written for w in plan.workload(f, tz)]
        on_duty = roster.rostered(session, d, tz)
        cover = roster.coverage(day_plan.rows, on_duty, d, tz)
        cells = []
        for q in QUEUES:
            mine = [c for c in cover if c.queue == q]
            cells.append(
                WeekCell(
                    peak=max((c.required for c in mine), default=0),
                    hours_required=_hours(sum(c.required for c in mine) / 2),
                    hours_rostered=_hours(sum(c.rostered for c in mine) / 2),
                    short_slots=sum(1 for c in mine if c.gap < 0),
                    deferred=_deferred(sum(w.hours for w in deferred if w.queue == q)),
                )
            )
        week.append(WeekDay(d.isoformat(), date_fr(d), day_plan.forecast.closed or "", cells))
        if d != day:
            continue
        for q in QUEUES:
            mine = [c for c in cover if c.queue == q]
            labels = [c.start.astimezone(tz).strftime("%H:%M") for c in mine]
            calls = sum(r.calls for r in day_plan.rows if r.queue == q)
            queues.append(
                QueueDay(
                    queue=q,
                    label=QUEUE_LABELS.get(q, q),
                    svg=need_chart(
                        f"{QUEUE_LABELS.get(q, q)} : agents requis et planifiés",
                        labels,
                        [c.required for c in mine],
                        [c.rostered for c in mine],
                        label_every=4,
                    ),
                    calls=round(calls),
                    peak=max((c.required for c in mine), default=0),
                    short_slots=sum(1 for c in mine if c.gap < 0),
                    rows=[
                        (lab, c.required, f"{c.rostered:g}".replace(".", ","), _gap(c.gap))
                        for lab, c in zip(labels, mine, strict=True)
                    ],
                )
            )
    forecast = plans[day.weekday()].forecast
    source = (
        f"Prévision d'après les {forecast.history_days} mêmes jours des semaines précédentes."
        if forecast.source == "historique"
        else "Historique insuffisant pour ce jour : prévision d'après le profil déclaré "
        "(environ 7 000 contacts par jour, 56 % traités au premier niveau)."
    )
    ctx = StaffingPage(
        title="Effectifs",
        breadcrumb=[HOME, Crumb("Supervision", "/supervision")],
        nav="supervision",
        agent=agent_view(allowed),
        day=day.isoformat(),
        day_label=date_fr(day),
        source=source,
        closed=forecast.closed or "",
        queues=queues,
        queue_labels=[QUEUE_LABELS.get(q, q) for q in QUEUES],
        week=week,
        error=error,
    )
    return render(request, ctx)
