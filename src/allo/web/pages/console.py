"""The advisor console (`/console`): the page context both consoles are built from.

One page holds the whole state of the agent's work: the queue, the contact they hold, the
knowledge-base search and the fiche being read, the orientation panel and the escalation sheet.
Without JavaScript every panel is driven by query parameters and every action is a form POST
followed by a redirect; with htmx the panels load as fragments and actions swap `#console` in
place. Frequent actions have keyboard shortcuts (Alt + letter), listed on the page.

The htmx panels are in allo.web.pages.console_panes, the actions in allo.web.pages.console_actions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, ClassVar

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from allo.backlog import flags
from allo.contacts import reading, services
from allo.contacts.models import Agent
from allo.errors import AlloError
from allo.runtime import Runtime
from allo.web.pages import _console as c
from allo.web.pages._auth import ADVISOR, AgentCall, AgentCallDep
from allo.web.pages._base import HOME, Page, agent_view, doc, render
from allo.web.pages._filters import duration_fr
from allo.web.pages._flags import FlagLine, flag_line
from allo.web.pages._offices import PlaceAnswer, search_orientation
from allo.web.pages._search_notices import (
    AgreementLink,
    SearchNotices,
    agreement_link,
    agreement_options,
    search_notices,
)
from allo.web.pages.directory import FREQUENT_TYPES
from allo.web.pages.portal import ResultItem

router = APIRouter(include_in_schema=False)

Text = Annotated[str, Query(max_length=200)]
#: How many of their own flags an agent sees on the console.
MY_FLAGS = 5
#: (key, what it does): Alt + key, also written next to each control
ADVISOR_SHORTCUTS = (
    ("N", "prendre le contact suivant"),
    ("R", "aller à la recherche dans les fiches"),
    ("Q", "modifier la question de l’appelant"),
    ("T", "écrire une note"),
    ("E", "remplir la fiche d’escalade"),
    ("P", "se mettre en pause ou redevenir disponible"),
)
FLASH = {
    "pris": "Contact n° {n} pris en charge.",
    "vide": "La file est vide : aucun contact en attente.",
    "note": "Note ajoutée au contact n° {n}.",
    "details": "Question et commune du contact n° {n} enregistrées.",
    "repondu": "Contact n° {n} clôturé : répondu.",
    "oriente": "Contact n° {n} clôturé : orienté.",
    "escalade": "Contact n° {n} transféré au secteur {secteur}, avec la fiche d’escalade et vos notes.",
    "reoriente": "Contact n° {n} transféré au secteur {secteur}.",
    "retour": "Contact n° {n} renvoyé au premier niveau.",
    "remis": "Contact n° {n} remis en file.",
    "etat": "Votre état : {etat}.",
    "signale": "Signalement n° {n} envoyé à l’équipe de rédaction. Merci !",
}


@dataclass(frozen=True)
class QueueLine:
    """One queue as a console shows it."""

    code: str = field(metadata=doc("Queue code (niveau1, travail…)."))
    label: str = field(metadata=doc("Queue in French."))
    waiting: int = field(metadata=doc("Contacts waiting."))
    taken: int = field(metadata=doc("Contacts being handled."))
    oldest: str = field(metadata=doc("Wait of the oldest waiting contact, or « — »."))


@dataclass(frozen=True)
class WaitingLine:
    """A waiting contact in a specialist's sector list."""

    id: int = field(metadata=doc("Contact number."))
    queue: str = field(metadata=doc("Sector in French."))
    channel: str = field(metadata=doc("Channel in French."))
    waited: str = field(metadata=doc("Time in the queue (« 2 min 10 s »)."))
    question: str = field(metadata=doc("Beginning of the (redacted) question."))


@dataclass(kw_only=True)
class ConsolePage(Page):
    """Both consoles: `mode` says which one."""

    template: ClassVar[str] = "agents/console.html"

    mode: str = field(metadata=doc("« advisor » (level 1) or « specialist » (level 2)."))
    console: str = field(metadata=doc("This console's path, where actions come back."))
    state: str = field(metadata=doc("The agent's state code (available, busy, paused…)."))
    state_label: str = field(metadata=doc("The agent's state in French."))
    queues: list[QueueLine] = field(metadata=doc("The queues this agent works."))
    waiting: list[WaitingLine] = field(
        default_factory=list, metadata=doc("Specialists: the waiting contacts of their sectors.")
    )
    contact: c.ContactPanel | None = field(
        default=None, metadata=doc("The contact the agent holds, with its context.")
    )
    q: str = field(default="", metadata=doc("Knowledge-base search typed."))
    agreements: list[tuple[str, str]] = field(
        default_factory=list, metadata=doc("(IDCC, label) of the picker's collective agreements.")
    )
    chosen_agreement: AgreementLink | None = field(
        default=None,
        metadata=doc(
            "The caller's collective agreement chosen in the picker: the searches use it, the "
            "escalation form sends it."
        ),
    )
    results: list[ResultItem] = field(default_factory=list, metadata=doc("Fiches found for q."))
    reading: c.FicheReading | None = field(default=None, metadata=doc("The fiche being read."))
    place: str = field(default="", metadata=doc("Commune for the orientation panel."))
    office_type: str = field(default="", metadata=doc("Office type for the orientation panel."))
    office_types: list[tuple[str, str]] = field(
        default_factory=list, metadata=doc("(code, label) of the most asked-for office types.")
    )
    orientation: PlaceAnswer | None = field(
        default=None, metadata=doc("Competent offices for the place and type.")
    )
    search_offices: PlaceAnswer | None = field(
        default=None,
        metadata=doc("Competent offices when the search names a type and a place (« caf lyon »)."),
    )
    search_notices: SearchNotices | None = field(
        default=None,
        metadata=doc("The agreement and code articles the search names (« prime syntec »)."),
    )
    orientation_error: str = field(default="", metadata=doc("Why no office could be found."))
    sector: str = field(default="", metadata=doc("Sector chosen for the escalation sheet."))
    sectors: list[tuple[str, str, bool]] = field(
        default_factory=list, metadata=doc("(code, label, selected) of the six sectors.")
    )
    sheet: c.SheetView | None = field(default=None, metadata=doc("The chosen sector's sheet."))
    suggestion: c.Suggestion | None = field(
        default=None, metadata=doc("The sector suggested for the contact.")
    )
    flash: str = field(default="", metadata=doc("French confirmation of the last action."))
    error: str = field(default="", metadata=doc("French message when the last action failed."))
    shortcuts: list[tuple[str, str]] = field(
        default_factory=list, metadata=doc("Keyboard shortcuts: (key, what it does).")
    )
    my_flags: list[FlagLine] = field(
        default_factory=list,
        metadata=doc("The agent's latest fiche flags, with the editors' answers."),
    )


# --------------------------------------------------------------------------- building the page


def queue_line(status: reading.QueueStatus) -> QueueLine:
    """One queue's figures as the consoles and supervision show them."""
    return QueueLine(
        code=status.queue,
        label=status.label,
        waiting=status.waiting,
        taken=status.taken,
        oldest=duration_fr(status.oldest_wait_seconds),
    )


def queue_lines(session: Session, agent: Agent) -> list[QueueLine]:
    mine = services.allowed_queues(agent)
    return [queue_line(q) for q in reading.queue_overview(session) if q.queue in mine]


def waiting_lines(session: Session, agent: Agent) -> list[WaitingLine]:
    from allo.db.base import utcnow

    now = utcnow()
    lines = []
    for queue in services.allowed_queues(agent):
        for contact in reading.queue_contacts(session, agent, queue, limit=50):
            if contact.state != "waiting":
                continue
            question = " ".join(contact.question.split())
            lines.append(
                WaitingLine(
                    id=contact.id,
                    queue=c.sector_label(contact.queue),
                    channel=c.CHANNEL_LABELS.get(contact.channel, contact.channel),
                    waited=duration_fr(now - contact.queued_at),
                    question=question[:140] + ("…" if len(question) > 140 else ""),
                )
            )
    return lines


def held_panel(runtime: Runtime, session: Session, agent: Agent) -> c.ContactPanel | None:
    """The panel of the contact the agent holds, if any: the page and its panes show it."""
    held = c.held_contact(session, agent)
    return c.contact_panel(runtime, session, agent, held.id) if held else None


def build_page(
    request: Request,
    runtime: Runtime,
    session: Session,
    agent: Agent,
    *,
    mode: str,
    q: str = "",
    idcc: str = "",
    fiche: str = "",
    place: str = "",
    office_type: str = "",
    sector: str = "",
    flash: str = "",
    error: str = "",
) -> ConsolePage:
    console = "/console" if mode == "advisor" else "/specialiste"
    panel = held_panel(runtime, session, agent)
    ctx = ConsolePage(
        title="Console des conseillers" if mode == "advisor" else "Console des spécialistes",
        breadcrumb=[HOME],
        nav="console" if mode == "advisor" else "specialiste",
        agent=agent_view(agent),
        mode=mode,
        console=console,
        state=agent.state,
        state_label=c.state_label(agent),
        queues=queue_lines(session, agent),
        waiting=waiting_lines(session, agent) if mode == "specialist" else [],
        contact=panel,
        q=q,
        flash=flash,
        error=error,
        shortcuts=list(ADVISOR_SHORTCUTS) if mode == "advisor" else [],
    )
    mine = flags.list_mine(session, agent, limit=MY_FLAGS)
    names = flags.agent_names(session, mine)
    ctx.my_flags = [flag_line(f, names, runtime.settings.zone) for f in mine]
    ctx.agreements = agreement_options()
    if not idcc and panel is not None and panel.agreement is not None:
        idcc = panel.agreement.idcc  # the caller's, chosen at level 1: the specialist's searches
    try:
        ctx.chosen_agreement = agreement_link(idcc)
    except AlloError as exc:  # (an IDCC typed in the URL): said, and the fiches searched without
        ctx.error = ctx.error or exc.message
    chosen_idcc = ctx.chosen_agreement.idcc if ctx.chosen_agreement else ""
    try:
        ctx.results = c.search_results(runtime, q, console, chosen_idcc)
    except AlloError as exc:
        ctx.error = ctx.error or exc.message
    if not fiche and mode == "specialist" and panel is not None and panel.fiches:
        fiche = panel.fiches[-1].id  # what level 1 read last, ready to be read again
    if fiche:
        try:
            ctx.reading = c.fiche_reading(runtime, session, fiche)
        except AlloError as exc:
            ctx.error = ctx.error or exc.message
    ctx.place = place or (panel.commune if panel else "")
    types = ctx.reading.pivot_types if ctx.reading else []
    ctx.office_type = office_type or (types[0][0] if types else "")
    catalog = c.get_directory(runtime).catalog
    ctx.office_types = [(t, catalog.label(t)) for t in FREQUENT_TYPES if catalog.get(t)]
    ctx.orientation, ctx.orientation_error = c.orientation(
        runtime, session, ctx.place, ctx.office_type
    )
    if q:  # "caf lyon" typed in the search box: the offices above the fiches found
        fiche_query, ctx.search_offices = search_orientation(runtime, " ".join(q.split())[:200])
        # « prime syntec », « L1224-1 », the agreement chosen in the picker
        ctx.search_notices = search_notices(runtime, fiche_query, chosen_idcc)
    if mode == "advisor" and panel is not None:
        ctx.suggestion = c.suggestion(runtime, session, agent, panel.id)
        chosen = sector or (
            ctx.suggestion.sector if ctx.suggestion and ctx.suggestion.sector != "aucun" else ""
        )
        ctx.sector = chosen
        ctx.sectors = c.sector_options(chosen)
        ctx.sheet = c.sheet_view(runtime, chosen, {})
    elif panel is not None:
        ctx.sectors = c.sector_options(sector)
    return ctx


def flash_text(code: str, params: dict[str, str]) -> str:
    template = FLASH.get(code, "")
    try:
        return template.format(**params)
    except (KeyError, IndexError):
        return ""


@dataclass(frozen=True)
class PageQuery:
    """What a console's URL carries: the panels' state and the outcome of the last action."""

    q: str = field(metadata=doc("Knowledge-base search typed."))
    idcc: str = field(metadata=doc("IDCC of the caller's collective agreement, if chosen."))
    fiche: str = field(metadata=doc("Fiche being read."))
    lieu: str = field(metadata=doc("Commune for the orientation panel."))
    type: str = field(metadata=doc("Office type for the orientation panel."))
    secteur: str = field(metadata=doc("Sector: of the escalation sheet, or of the last transfer."))
    fait: str = field(metadata=doc("Code of the last action done (see FLASH)."))
    n: str = field(metadata=doc("Contact number of the last action."))
    etat: str = field(metadata=doc("The agent's new state after « etat », dashes for spaces."))


async def page_query(
    q: Text = "",
    idcc: Annotated[str, Query(max_length=8)] = "",
    fiche: Annotated[str, Query(max_length=64)] = "",
    lieu: Text = "",
    type: Annotated[str, Query(max_length=64)] = "",
    secteur: Annotated[str, Query(max_length=32)] = "",
    fait: Annotated[str, Query(max_length=32)] = "",
    n: Annotated[str, Query(max_length=12)] = "",
    etat: Annotated[str, Query(max_length=32)] = "",
) -> PageQuery:
    """No I/O: async, so FastAPI does not hop to the thread pool for it."""
    return PageQuery(
        q=q,
        idcc=idcc,
        fiche=fiche,
        lieu=lieu,
        type=type,
        secteur=secteur,
        fait=fait,
        n=n,
        etat=etat,
    )


PageQueryDep = Annotated[PageQuery, Depends(page_query)]


def show_console(
    call: AgentCall, roles: tuple[str, ...], mode: str, query: PageQuery, *, sector: str
) -> Response:
    """Either console for an agent of `roles`, with the flash of the action just done."""
    allowed = call.gate(roles)
    if isinstance(allowed, Response):
        return allowed
    flash = flash_text(
        query.fait,
        {
            "n": query.n,
            "secteur": c.sector_label(query.secteur),
            "etat": query.etat.replace("-", " "),
        },
    )
    ctx = build_page(
        call.request,
        call.runtime,
        call.session,
        allowed,
        mode=mode,
        q=query.q,
        idcc=query.idcc,
        fiche=query.fiche,
        place=query.lieu,
        office_type=query.type,
        sector=sector,
        flash=flash,
    )
    return render(call.request, ctx)


# ------------------------------------------------------------------------------------ pages


@router.get("/console", response_class=HTMLResponse)
def console_page(call: AgentCallDep, query: PageQueryDep) -> Response:
    # after an action, secteur names the sector of the flash, not a choice of the sheet
    return show_console(call, ADVISOR, "advisor", query, sector="" if query.fait else query.secteur)
