"""The editors' backlog pages: flags from the floor (`/redaction/signalements`), answered one by
one, and the content gaps (`/redaction/manques`), most frequent first.

Plain GET filters and POST forms (no JavaScript needed); the dashboard `/redaction` links here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, ClassVar
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Path, Query
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from allo.backlog import flags, gaps
from allo.contacts.models import QUEUE_LABELS, Agent
from allo.errors import AlloError
from allo.web.pages._auth import EDITOR, AgentCall, AgentCallDep
from allo.web.pages._base import HOME, Crumb, Page, agent_view, doc, render
from allo.web.pages._filters import date_fr
from allo.web.pages._flags import FlagLine, flag_line

router = APIRouter(include_in_schema=False)

REDACTION = Crumb("Rédaction", "/redaction")
#: (value, label) of the state filter of the flags page
FLAG_FILTERS = (("open", "À traiter"), ("handled", "Traités"), ("all", "Tous"))
#: (days, label) of the period filter of the gaps page
PERIODS = ((7, "7 derniers jours"), (30, "30 derniers jours"), (90, "90 derniers jours"))
FLASH = {"traite": "Signalement n° {n} marqué traité : l’agent verra votre réponse."}
PAGE_LIMIT = 200


@dataclass(kw_only=True)
class FlagsPage(Page):
    template: ClassVar[str] = "redaction/backlog_flags.html"

    state: str = field(metadata=doc("Current filter: open, handled or all."))
    filters: list[tuple[str, str, bool]] = field(
        metadata=doc("(value, label, current) of the state filter.")
    )
    flags: list[FlagLine] = field(metadata=doc("The flags shown (open ones oldest first)."))
    open_count: int = field(metadata=doc("How many flags wait for an editor."))
    max_answer: int = field(metadata=doc("Longest answer accepted, in characters."))
    flash: str = field(default="", metadata=doc("French confirmation of the last action."))
    error: str = field(default="", metadata=doc("French message when the last action failed."))


@dataclass(frozen=True)
class GapLine:
    """One content gap as the page lists it."""

    wording: str = field(metadata=doc("The wording seen most often (redacted)."))
    count: int = field(metadata=doc("How many times, all sources together."))
    sources: list[tuple[str, int]] = field(metadata=doc("(source in French, count)."))
    variants: list[tuple[str, int]] = field(metadata=doc("Other wordings grouped here, counted."))
    themes: str = field(metadata=doc("Themes of the contacts, comma-separated, or empty."))
    sectors: str = field(metadata=doc("Sectors of the contacts in French, or empty."))
    last_seen: str = field(metadata=doc("Last day it was seen, in French."))


@dataclass(kw_only=True)
class GapsPage(Page):
    template: ClassVar[str] = "redaction/backlog_gaps.html"

    days: int = field(metadata=doc("Period of the backlog, in days."))
    periods: list[tuple[int, str, bool]] = field(
        metadata=doc("(days, label, current) of the period filter.")
    )
    source: str = field(metadata=doc("Source filter code, or empty for all."))
    sources: list[tuple[str, str, bool]] = field(
        metadata=doc("(code, label, current) of the source filter.")
    )
    gaps: list[GapLine] = field(metadata=doc("Gaps, most frequent first."))


def _flags_page(
    call: AgentCall, agent: Agent, state: str, *, flash: str = "", error: str = ""
) -> FlagsPage:
    found = flags.list_for_editors(
        call.session, agent, state=None if state == "all" else state, limit=PAGE_LIMIT
    )
    names = flags.agent_names(call.session, found)
    return FlagsPage(
        title="Signalements des conseillers",
        breadcrumb=[HOME, REDACTION],
        nav="redaction",
        agent=agent_view(agent),
        state=state,
        filters=[(v, label, v == state) for v, label in FLAG_FILTERS],
        flags=[flag_line(f, names, call.runtime.settings.zone) for f in found],
        open_count=flags.open_count(call.session),
        max_answer=flags.MAX_ANSWER,
        flash=flash,
        error=error,
    )


@router.get("/redaction/signalements", response_class=HTMLResponse)
def flags_page(
    call: AgentCallDep,
    etat: Annotated[str, Query(max_length=16)] = "open",
    fait: Annotated[str, Query(max_length=16)] = "",
    n: Annotated[str, Query(max_length=12)] = "",
) -> Response:
    allowed = call.gate(EDITOR)
    if isinstance(allowed, Response):
        return allowed
    state = etat if etat in dict(FLAG_FILTERS) else "open"
    flash = FLASH[fait].format(n=n) if fait in FLASH and n.isdigit() else ""
    return render(call.request, _flags_page(call, allowed, state, flash=flash))


@router.post("/redaction/signalements/{flag_id}/traiter")
def handle_flag(
    call: AgentCallDep,
    flag_id: Annotated[int, Path(ge=1, le=2_147_483_647)],
    reponse: Annotated[str, Form(max_length=4 * flags.MAX_ANSWER)] = "",
    etat: Annotated[str, Form(max_length=16)] = "open",
) -> Response:
    allowed = call.gate(EDITOR)
    if isinstance(allowed, Response):
        return allowed
    state = etat if etat in dict(FLAG_FILTERS) else "open"
    try:
        flags.handle(call.session, allowed, flag_id, reponse)
    except AlloError as exc:
        call.session.rollback()
        ctx = _flags_page(call, allowed, state, error=exc.message)
        return render(call.request, ctx, status_code=exc.status_code)
    query = urlencode({"etat": state, "fait": "traite", "n": flag_id})
    return RedirectResponse(f"/redaction/signalements?{query}", status_code=303)


def gap_line(gap: gaps.Gap) -> GapLine:
    return GapLine(
        wording=gap.wording,
        count=gap.count,
        sources=[(gaps.SOURCES[s], n) for s, n in gap.by_source.most_common()],
        variants=[(w, n) for w, n in gap.variants.most_common(6) if w != gap.wording][:5],
        themes=", ".join(t for t, _ in gap.themes.most_common(3)),
        sectors=", ".join(QUEUE_LABELS.get(s, s) for s, _ in gap.sectors.most_common(3)),
        last_seen=date_fr(gap.last_seen),
    )


def _periods(days: int) -> list[tuple[int, str]]:
    known = list(PERIODS)
    if days not in dict(known):
        known.append((days, f"{days} derniers jours"))
    return known


@router.get("/redaction/manques", response_class=HTMLResponse)
def gaps_page(
    call: AgentCallDep,
    jours: Annotated[int, Query(ge=1, le=gaps.MAX_DAYS)] = 30,
    origine: Annotated[str, Query(max_length=32)] = "",
) -> Response:
    allowed = call.gate(EDITOR)
    if isinstance(allowed, Response):
        return allowed
    source = origine if origine in gaps.SOURCES else ""
    found = gaps.gaps(call.session, allowed, days=jours, source=source or None, limit=PAGE_LIMIT)
    ctx = GapsPage(
        title="Manques de la base",
        breadcrumb=[HOME, REDACTION],
        nav="redaction",
        agent=agent_view(allowed),
        days=jours,
        periods=[(d, label, d == jours) for d, label in _periods(jours)],
        source=source,
        sources=[("", "Toutes les origines", not source)]
        + [(code, label, code == source) for code, label in gaps.SOURCES.items()],
        gaps=[gap_line(g) for g in found],
    )
    return render(call.request, ctx)
