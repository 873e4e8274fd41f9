"""Supervision (`/supervision`): live queues and agents, and the day's figures with server-side
SVG charts (level-1 resolution vs escalation, sectors, channels, hours, waits, satisfaction).

The live part is a fragment polled every few seconds; the figures come from allo.stats.figures
(the same numbers as GET /api/stats) and their reading is recorded in the audit log once per
page view, like the API does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any, ClassVar

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup
from sqlalchemy.orm import Session

from allo.contacts import reading
from allo.contacts import repository as contacts_repo
from allo.contacts.agents import ROLE_LABELS, STATE_LABELS
from allo.contacts.models import QUEUE_LABELS
from allo.db.base import utcnow
from allo.errors import AlloError
from allo.french import percent_fr, plural
from allo.privacy import audit
from allo.runtime import Runtime
from allo.stats import figures
from allo.stats.staffing import live as live_staffing
from allo.stats.staffing.plan import settings_targets
from allo.web.auth import OptionalAgent
from allo.web.charts import Bar, bar_chart, column_chart, share_bar
from allo.web.deps import DbSession, RuntimeDep
from allo.web.pages import _console as c
from allo.web.pages._auth import SUPERVISOR, gate
from allo.web.pages._base import HOME, Fragment, Page, agent_view, doc, page_instead, render
from allo.web.pages._filters import date_fr, duration_fr
from allo.web.pages.console import QueueLine, queue_line

router = APIRouter(include_in_schema=False)

STATE_ORDER = ("available", "busy", "paused", "offline")


@dataclass(frozen=True)
class AgentLine:
    """One agent in the live table."""

    name: str = field(metadata=doc("Display name."))
    role: str = field(metadata=doc("Role in French."))
    sectors: str = field(metadata=doc("Sectors of a specialist, in French, or empty."))
    state: str = field(metadata=doc("State code (available, busy, paused, offline)."))
    state_label: str = field(metadata=doc("State in French."))
    since: str = field(metadata=doc("How long they have been in this state."))


@dataclass(frozen=True)
class StateCount:
    """How many agents are in one state."""

    state: str = field(metadata=doc("State code."))
    label: str = field(metadata=doc("State in French."))
    count: int = field(metadata=doc("Number of agents."))


@dataclass(frozen=True)
class KeyFigure:
    """One headline figure of the day."""

    label: str = field(metadata=doc("What it measures, in French."))
    value: str = field(metadata=doc("The figure, formatted in French."))
    detail: str = field(metadata=doc("Its basis (« sur 120 contacts »), or empty."))


@dataclass(frozen=True)
class Chart:
    """A chart and the table that gives the same figures."""

    id: str = field(metadata=doc("Anchor of the chart's section."))
    title: str = field(metadata=doc("Heading of the chart."))
    svg: Markup = field(metadata=doc("The SVG (role img, with a text description)."))
    rows: list[tuple[str, str]] = field(metadata=doc("(label, value) rows of the same figures."))


@dataclass(frozen=True)
class StaffingLine:
    """One queue in the current half-hour: agents the plan requires vs agents present."""

    label: str = field(metadata=doc("Queue in French."))
    required: int = field(metadata=doc("Agents required now (Erlang plan of the day)."))
    present: int = field(metadata=doc("Agents available or busy on this queue."))
    short: int = field(metadata=doc("Agents missing (0 when covered)."))


@dataclass(kw_only=True)
class LiveFragment(Fragment):
    template: ClassVar[str] = "supervision/_live.html"

    queues: list[QueueLine] = field(metadata=doc("Every queue: waiting, handled, oldest wait."))
    states: list[StateCount] = field(metadata=doc("Agents per state."))
    agents: list[AgentLine] = field(metadata=doc("Every active agent with their state."))
    updated: str = field(metadata=doc("Time of this reading (« 14 h 05 »)."))
    staffing: list[StaffingLine] = field(
        default_factory=list, metadata=doc("Required vs present per queue, this half-hour.")
    )
    staffing_warning: str = field(
        default="", metadata=doc("French warning when a queue is short, else empty.")
    )


@dataclass(kw_only=True)
class SupervisionPage(Page):
    template: ClassVar[str] = "supervision/page.html"

    live: LiveFragment = field(metadata=doc("Queues and agents, refreshed every few seconds."))
    day: str = field(metadata=doc("The day of the figures, ISO (AAAA-MM-JJ)."))
    day_label: str = field(
        metadata=doc("The day in French, after « Chiffres » (« du 25 novembre 2026 »).")
    )
    key_figures: list[KeyFigure] = field(metadata=doc("Headline figures of the day."))
    charts: list[Chart] = field(metadata=doc("Charts of the day's figures."))
    error: str = field(default="", metadata=doc("French message when the day is not usable."))


def live_fragment(runtime: Runtime, session: Session) -> LiveFragment:
    now = utcnow()
    queues = [queue_line(q) for q in reading.queue_overview(session)]
    present = {q.code for q in queues}
    queues += [
        QueueLine(code, label, 0, 0, "—")
        for code, label in QUEUE_LABELS.items()
        if code not in present
    ]
    order = list(QUEUE_LABELS)
    queues.sort(key=lambda q: order.index(q.code) if q.code in order else len(order))
    agents = [a for a in contacts_repo.agents(session) if a.active]
    lines = [
        AgentLine(
            name=a.display_name or a.username,
            role=ROLE_LABELS.get(a.role, a.role),
            sectors=", ".join(c.sector_label(s) for s in a.sectors or []),
            state=a.state,
            state_label=STATE_LABELS.get(a.state, a.state),
            since=duration_fr(now - a.state_since) if a.state_since else "—",
        )
        for a in agents
        if a.role in ("advisor", "specialist")
    ]
    lines.sort(key=lambda a: (STATE_ORDER.index(a.state) if a.state in STATE_ORDER else 9, a.name))
    states = [
        StateCount(s, STATE_LABELS[s], sum(1 for a in lines if a.state == s)) for s in STATE_ORDER
    ]
    tz = runtime.settings.zone
    local = now.astimezone(tz)
    targets = settings_targets(runtime.settings)
    staffing = live_staffing.current_staffing(session, agents, now, tz, targets)
    return LiveFragment(
        queues=queues,
        states=states,
        agents=lines,
        updated=f"{local.hour} h {local.minute:02d}",
        staffing=[
            StaffingLine(QUEUE_LABELS.get(q.queue, q.queue), q.required, q.present, q.short)
            for q in staffing
        ],
        staffing_warning=live_staffing.shortage_message(staffing, QUEUE_LABELS),
    )


def _seconds(value: Any) -> str:
    return duration_fr(value) if value is not None else "—"


def day_figures(data: dict[str, Any]) -> tuple[list[KeyFigure], list[Chart]]:
    level1 = data["level1"]
    decided = level1["resolved"] + level1["escalated"]
    waits = data["wait_seconds"]
    satisfaction = data["satisfaction"]
    service = data["service_level"]
    keys = [
        KeyFigure("Contacts reçus", str(data["contacts"]), ""),
        KeyFigure(
            "Résolus au premier niveau",
            percent_fr(level1["resolution_rate"]),
            f"{level1['resolved']} sur {plural(decided, 'contact traité', 'contacts traités')}"
            if decided
            else "",
        ),
        KeyFigure(
            "Transférés à un spécialiste",
            percent_fr(level1["escalation_rate"]),
            plural(level1["escalated"], "contact") if decided else "",
        ),
        KeyFigure(
            "Attente au téléphone (moyenne)",
            _seconds(waits["level1_phone"]["mean"]),
            f"90 % en moins de {_seconds(waits['level1_phone']['p90'])}"
            if waits["level1_phone"]["p90"] is not None
            else "",
        ),
        KeyFigure(
            "Taux de service",
            percent_fr(service["rate"]),
            f"décrochés en moins de {service['target_seconds']} s",
        ),
        KeyFigure(
            "Satisfaction",
            f"{satisfaction['mean']:.1f} / 5".replace(".", ",")
            if satisfaction["mean"] is not None
            else "—",
            f"{satisfaction['responses']} avis" if satisfaction["responses"] else "aucun avis",
        ),
    ]
    resolution = [
        Bar("Résolus au premier niveau", level1["resolved"], "resolved"),
        Bar("Transférés aux spécialistes", level1["escalated"], "escalated"),
    ]
    sectors = [Bar(c.sector_label(s), n, "escalated") for s, n in data["by_sector"].items()]
    channels = [
        Bar(c.CHANNEL_LABELS.get(ch, ch), n, "primary") for ch, n in data["by_channel"].items()
    ]
    hours = [Bar(f"{h} h", n, "primary") for h, n in data["by_hour"].items() if 7 <= int(h) <= 21]
    wait_bars = [
        Bar("Premier niveau (téléphone), moyenne", waits["level1_phone"]["mean"] or 0, "primary"),
        Bar("Premier niveau (téléphone), 90 %", waits["level1_phone"]["p90"] or 0, "neutral"),
        Bar("Second niveau, moyenne", waits["level2"]["mean"] or 0, "escalated"),
        Bar("Second niveau, 90 %", waits["level2"]["p90"] or 0, "neutral"),
    ]
    ratings = [
        Bar(f"{r} / 5", n, "resolved" if int(r) >= 4 else "warning")
        for r, n in satisfaction["distribution"].items()
    ]
    charts = [
        Chart(
            "resolution",
            "Résolution au premier niveau et transferts",
            share_bar("Résolution au premier niveau et transferts", resolution),
            [(b.label, str(int(b.value))) for b in resolution],
        ),
        Chart(
            "secteurs",
            "Transferts par secteur",
            bar_chart("Transferts par secteur", sectors),
            [(b.label, str(int(b.value))) for b in sectors],
        ),
        Chart(
            "canaux",
            "Contacts par canal",
            bar_chart("Contacts par canal", channels),
            [(b.label, str(int(b.value))) for b in channels],
        ),
        Chart(
            "heures",
            "Arrivées par heure",
            column_chart("Arrivées par heure", hours, label_every=2),
            [(b.label, str(int(b.value))) for b in hours if b.value],
        ),
        Chart(
            "attentes",
            "Attentes",
            bar_chart("Attentes", wait_bars, fmt=lambda v: duration_fr(v), label_width=260),
            [(b.label, duration_fr(b.value)) for b in wait_bars],
        ),
        Chart(
            "satisfaction",
            "Satisfaction (avis du jour)",
            bar_chart("Satisfaction (avis du jour)", ratings),
            [(b.label, str(int(b.value))) for b in ratings],
        ),
    ]
    return keys, charts


@router.get("/supervision", response_class=HTMLResponse)
def supervision_page(
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
    today = runtime.settings.today()
    error = ""
    try:
        period = figures.parse_period(jour or None, jour or None, tz, today)
    except AlloError as exc:
        error = exc.message
        period = figures.parse_period(None, None, tz, today)
    data = figures.compute(session, period, tz)
    audit.record_separately(
        runtime.sessions, agent_id=allowed.id, action="read", object_type="stats"
    )
    keys, charts = day_figures(data)
    day = date.fromisoformat(period.label_from)
    ctx = SupervisionPage(
        title="Supervision",
        breadcrumb=[HOME],
        nav="supervision",
        agent=agent_view(allowed),
        live=live_fragment(runtime, session),
        day=day.isoformat(),
        day_label=f"d’aujourd’hui ({date_fr(day)})" if day == today else f"du {date_fr(day)}",
        key_figures=keys,
        charts=charts,
        error=error,
    )
    return render(request, ctx)


@router.get("/supervision/direct", response_class=HTMLResponse, tags=["fragment"])
def live(
    request: Request, runtime: RuntimeDep, session: DbSession, agent: OptionalAgent
) -> Response:
    """Queues and agents, polled every few seconds by the page."""
    allowed = gate(request, agent, SUPERVISOR)
    if isinstance(allowed, Response):
        return allowed
    page = page_instead(request, "/supervision")
    if page is not None:
        return page
    return render(request, live_fragment(runtime, session))
