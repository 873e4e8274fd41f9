"""The advisor console (`/console`) and the contact actions both consoles post to.

One page holds the whole state of the agent's work: the queue, the contact they hold, the
knowledge-base search and the fiche being read, the orientation panel and the escalation sheet.
Without JavaScript every panel is driven by query parameters and every action is a form POST
followed by a redirect; with htmx the panels load as fragments and actions swap `#console` in
place. Frequent actions have keyboard shortcuts (Alt + letter), listed on the page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any, ClassVar
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from allo.contacts import agents as agents_domain
from allo.contacts import reading, services
from allo.contacts.models import Agent
from allo.errors import AlloError, InvalidInput
from allo.runtime import Runtime
from allo.web.auth import OptionalAgent
from allo.web.deps import DbSession, RuntimeDep
from allo.web.pages import _console as c
from allo.web.pages._auth import ADVISOR, gate
from allo.web.pages._base import HOME, Fragment, Page, agent_view, doc, render
from allo.web.pages._filters import duration_fr
from allo.web.pages._offices import PlaceAnswer
from allo.web.pages.directory import FREQUENT_TYPES
from allo.web.pages.portal import ResultItem

router = APIRouter(include_in_schema=False)

HANDLERS = ("advisor", "specialist")
Text = Annotated[str, Query(max_length=200)]
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


@dataclass(kw_only=True)
class SearchFragment(Fragment):
    template: ClassVar[str] = "agents/_search_results.html"

    console: str = field(metadata=doc("Console path the result links go to."))
    q: str = field(metadata=doc("The search typed."))
    results: list[ResultItem] = field(metadata=doc("Fiches found."))


@dataclass(kw_only=True)
class ReadingFragment(Fragment):
    template: ClassVar[str] = "agents/_reading.html"

    console: str = field(metadata=doc("Console path."))
    reading: c.FicheReading = field(metadata=doc("The fiche opened."))
    contact: c.ContactPanel | None = field(metadata=doc("The contact held, if any."))
    place: str = field(metadata=doc("Default commune for the orientation panel."))


@dataclass(kw_only=True)
class OrientationFragment(Fragment):
    template: ClassVar[str] = "agents/_orientation_results.html"

    console: str = field(metadata=doc("Console path."))
    contact: c.ContactPanel | None = field(metadata=doc("The contact held, if any."))
    orientation: PlaceAnswer | None = field(metadata=doc("Offices found."))
    orientation_error: str = field(metadata=doc("Why none was found."))


@dataclass(kw_only=True)
class SheetFragment(Fragment):
    template: ClassVar[str] = "agents/_sheet.html"

    sheet: c.SheetView | None = field(metadata=doc("The chosen sector's sheet, if any."))


@dataclass(kw_only=True)
class QueuesFragment(Fragment):
    template: ClassVar[str] = "agents/_queues.html"

    console: str = field(metadata=doc("Console path (for the polling URL)."))
    queues: list[QueueLine] = field(metadata=doc("The agent's queues."))
    waiting: list[WaitingLine] = field(metadata=doc("Specialists: waiting contacts."))
    mode: str = field(metadata=doc("advisor or specialist."))
    has_contact: bool = field(metadata=doc("Whether the agent holds a contact."))


# --------------------------------------------------------------------------- building the page


def queue_lines(session: Session, agent: Agent) -> list[QueueLine]:
    mine = services.allowed_queues(agent)
    return [
        QueueLine(
            code=q.queue,
            label=q.label,
            waiting=q.waiting,
            taken=q.taken,
            oldest=duration_fr(q.oldest_wait_seconds),
        )
        for q in reading.queue_overview(session)
        if q.queue in mine
    ]


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


def build_page(
    request: Request,
    runtime: Runtime,
    session: Session,
    agent: Agent,
    *,
    mode: str,
    q: str = "",
    fiche: str = "",
    place: str = "",
    office_type: str = "",
    sector: str = "",
    flash: str = "",
    error: str = "",
) -> ConsolePage:
    console = "/console" if mode == "advisor" else "/specialiste"
    held = c.held_contact(session, agent)
    panel = c.contact_panel(runtime, session, agent, held.id) if held else None
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
    try:
        ctx.results = c.search_results(runtime, q, console)
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


# ------------------------------------------------------------------------------------ pages


@router.get("/console", response_class=HTMLResponse)
def console_page(
    request: Request,
    runtime: RuntimeDep,
    session: DbSession,
    agent: OptionalAgent,
    q: Text = "",
    fiche: Annotated[str, Query(max_length=64)] = "",
    lieu: Text = "",
    type: Annotated[str, Query(max_length=64)] = "",
    secteur: Annotated[str, Query(max_length=32)] = "",
    fait: Annotated[str, Query(max_length=32)] = "",
    n: Annotated[str, Query(max_length=12)] = "",
    etat: Annotated[str, Query(max_length=32)] = "",
) -> Response:
    allowed = gate(request, agent, ADVISOR)
    if isinstance(allowed, Response):
        return allowed
    flash = flash_text(
        fait, {"n": n, "secteur": c.sector_label(secteur), "etat": etat.replace("-", " ")}
    )
    ctx = build_page(
        request,
        runtime,
        session,
        allowed,
        mode="advisor",
        q=q,
        fiche=fiche,
        place=lieu,
        office_type=type,
        sector="" if fait else secteur,
        flash=flash,
    )
    return render(request, ctx)


# -------------------------------------------------------------------------------- fragments


def _handler(request: Request, agent: Agent | None) -> Agent | Response:
    return gate(request, agent, HANDLERS)


@router.get("/console/recherche", response_class=HTMLResponse, tags=["fragment"])
def search_fragment(
    request: Request,
    runtime: RuntimeDep,
    agent: OptionalAgent,
    q: Text = "",
    console: Annotated[str, Query(max_length=32)] = "/console",
) -> Response:
    allowed = _handler(request, agent)
    if isinstance(allowed, Response):
        return allowed
    target = c.back_to(console)
    return render(
        request,
        SearchFragment(console=target, q=q, results=c.search_results(runtime, q, target)),
    )


@router.get("/console/fiches/{fiche_id}", response_class=HTMLResponse, tags=["fragment"])
def reading_fragment(
    request: Request,
    fiche_id: str,
    runtime: RuntimeDep,
    session: DbSession,
    agent: OptionalAgent,
    console: Annotated[str, Query(max_length=32)] = "/console",
) -> Response:
    allowed = _handler(request, agent)
    if isinstance(allowed, Response):
        return allowed
    target = c.back_to(console)
    held = c.held_contact(session, allowed)
    panel = c.contact_panel(runtime, session, allowed, held.id) if held else None
    ctx = ReadingFragment(
        console=target,
        reading=c.fiche_reading(runtime, session, fiche_id),
        contact=panel,
        place=panel.commune if panel else "",
    )
    return render(request, ctx)


@router.get("/console/orientation", response_class=HTMLResponse, tags=["fragment"])
def orientation_fragment(
    request: Request,
    runtime: RuntimeDep,
    session: DbSession,
    agent: OptionalAgent,
    lieu: Text = "",
    type: Annotated[str, Query(max_length=64)] = "",
    console: Annotated[str, Query(max_length=32)] = "/console",
) -> Response:
    allowed = _handler(request, agent)
    if isinstance(allowed, Response):
        return allowed
    target = c.back_to(console)
    held = c.held_contact(session, allowed)
    panel = c.contact_panel(runtime, session, allowed, held.id) if held else None
    answer, error = c.orientation(runtime, session, lieu, type)
    if not lieu.strip():
        error = "Indiquez la commune de l’appelant."
    ctx = OrientationFragment(
        console=target, contact=panel, orientation=answer, orientation_error=error
    )
    return render(request, ctx)


@router.get("/console/escalade", response_class=HTMLResponse, tags=["fragment"])
def sheet_fragment(
    request: Request,
    runtime: RuntimeDep,
    agent: OptionalAgent,
    secteur: Annotated[str, Query(max_length=32)] = "",
) -> Response:
    allowed = gate(request, agent, ADVISOR)
    if isinstance(allowed, Response):
        return allowed
    return render(request, SheetFragment(sheet=c.sheet_view(runtime, secteur, {})))


@router.get("/console/files", response_class=HTMLResponse, tags=["fragment"])
def queues_fragment(
    request: Request,
    session: DbSession,
    agent: OptionalAgent,
    console: Annotated[str, Query(max_length=32)] = "/console",
) -> Response:
    """Polled every few seconds by the consoles."""
    allowed = _handler(request, agent)
    if isinstance(allowed, Response):
        return allowed
    mode = "specialist" if allowed.role == "specialist" else "advisor"
    ctx = QueuesFragment(
        console=c.back_to(console),
        queues=queue_lines(session, allowed),
        waiting=waiting_lines(session, allowed) if mode == "specialist" else [],
        mode=mode,
        has_contact=c.held_contact(session, allowed) is not None,
    )
    return render(request, ctx)


# ---------------------------------------------------------------------------------- actions


def _done(back: str, code: str, **params: object) -> RedirectResponse:
    query = urlencode({"fait": code, **{k: str(v) for k, v in params.items()}})
    return RedirectResponse(f"{back}?{query}", status_code=303)


def _failed(
    request: Request,
    runtime: Runtime,
    session: Session,
    agent: Agent,
    back: str,
    exc: AlloError,
) -> Response:
    """The console again, with the French error; nothing of the failed step was kept."""
    session.rollback()
    mode = "specialist" if back == "/specialiste" else "advisor"
    ctx = build_page(request, runtime, session, agent, mode=mode, error=exc.message)
    return render(request, ctx, status_code=exc.status_code)


Retour = Annotated[str, Form(max_length=32)]


def _calls(runtime: Runtime) -> Any:
    return runtime.services.get("telephony")


@router.post("/console/suivant")
def take_next(
    request: Request,
    runtime: RuntimeDep,
    session: DbSession,
    agent: OptionalAgent,
    retour: Retour = "/console",
) -> Response:
    allowed = _handler(request, agent)
    if isinstance(allowed, Response):
        return allowed
    back = c.back_to(retour)
    try:
        taken = None
        for queue in services.allowed_queues(allowed):
            taken = services.take_next(session, allowed, queue, calls=_calls(runtime))
            if taken is not None:
                break
    except AlloError as exc:
        return _failed(request, runtime, session, allowed, back, exc)
    if taken is None:
        return _done(back, "vide")
    return _done(back, "pris", n=taken.id)


@router.post("/console/etat")
def change_state(
    request: Request,
    runtime: RuntimeDep,
    session: DbSession,
    agent: OptionalAgent,
    etat: Annotated[str, Form(max_length=16)] = "",
    retour: Retour = "/console",
) -> Response:
    allowed = _handler(request, agent)
    if isinstance(allowed, Response):
        return allowed
    back = c.back_to(retour)
    try:
        if etat not in ("available", "paused"):
            raise InvalidInput("Choisissez « disponible » ou « en pause ».")
        agents_domain.set_state(session, allowed, etat)
    except AlloError as exc:
        return _failed(request, runtime, session, allowed, back, exc)
    return _done(back, "etat", etat=c.state_label(allowed).replace(" ", "-"))


def _act(
    request: Request,
    runtime: Runtime,
    session: Session,
    agent: Agent | None,
    retour: str,
    step: Any,
) -> Response:
    """Run one contact step for a handler; its redirect, or the console with the French error."""
    allowed = _handler(request, agent)
    if isinstance(allowed, Response):
        return allowed
    back = c.back_to(retour)
    try:
        code, params = step(allowed)
    except AlloError as exc:
        return _failed(request, runtime, session, allowed, back, exc)
    if code is None:
        return Response(status_code=204)
    return _done(back, code, **params)


@router.post("/console/contacts/{contact_id}/details")
def update_details(
    request: Request,
    contact_id: int,
    runtime: RuntimeDep,
    session: DbSession,
    agent: OptionalAgent,
    question: Annotated[str, Form(max_length=6000)] = "",
    commune: Annotated[str, Form(max_length=120)] = "",
    retour: Retour = "/console",
) -> Response:
    def step(a: Agent) -> tuple[str, dict[str, object]]:
        code = ""
        if commune.strip():
            code = c.get_directory(runtime).resolve_place(commune, session).place.insee
        services.update_details(session, a, contact_id, question=question, commune=code)
        return "details", {"n": contact_id}

    return _act(request, runtime, session, agent, retour, step)


@router.post("/console/contacts/{contact_id}/notes")
def add_note(
    request: Request,
    contact_id: int,
    runtime: RuntimeDep,
    session: DbSession,
    agent: OptionalAgent,
    note: Annotated[str, Form(max_length=6000)] = "",
    retour: Retour = "/console",
) -> Response:
    def step(a: Agent) -> tuple[str, dict[str, object]]:
        services.add_note(session, a, contact_id, note)
        return "note", {"n": contact_id}

    return _act(request, runtime, session, agent, retour, step)


@router.post("/console/contacts/{contact_id}/consultation")
def consulted(
    request: Request,
    contact_id: int,
    runtime: RuntimeDep,
    session: DbSession,
    agent: OptionalAgent,
    fiche_id: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """Sent by the reading pane when it opens while a contact is held (no page change)."""

    def step(a: Agent) -> tuple[None, dict[str, object]]:
        services.consult(session, a, contact_id, fiche_id)
        return None, {}

    return _act(request, runtime, session, agent, "/console", step)


@router.post("/console/contacts/{contact_id}/reponse")
def answer(
    request: Request,
    contact_id: int,
    runtime: RuntimeDep,
    session: DbSession,
    agent: OptionalAgent,
    fiches: Annotated[list[str] | None, Form()] = None,
    note: Annotated[str, Form(max_length=6000)] = "",
    retour: Retour = "/console",
) -> Response:
    def step(a: Agent) -> tuple[str, dict[str, object]]:
        services.answer(session, a, contact_id, list(fiches or [])[:20], note=note)
        return "repondu", {"n": contact_id}

    return _act(request, runtime, session, agent, retour, step)


@router.post("/console/contacts/{contact_id}/orientation")
def orient(
    request: Request,
    contact_id: int,
    runtime: RuntimeDep,
    session: DbSession,
    agent: OptionalAgent,
    office_id: Annotated[str, Form(max_length=80)] = "",
    label: Annotated[str, Form(max_length=255)] = "",
    url: Annotated[str, Form(max_length=500)] = "",
    phone: Annotated[str, Form(max_length=32)] = "",
    note: Annotated[str, Form(max_length=6000)] = "",
    retour: Retour = "/console",
) -> Response:
    def step(a: Agent) -> tuple[str, dict[str, object]]:
        orientation = services.Orientation(
            office_id=office_id or None, label=label, url=url or None, phone=phone or None
        )
        services.orient(session, a, contact_id, orientation, note=note)
        return "oriente", {"n": contact_id}

    return _act(request, runtime, session, agent, retour, step)


@router.post("/console/contacts/{contact_id}/escalade")
async def escalate(
    request: Request,
    contact_id: int,
    runtime: RuntimeDep,
    session: DbSession,
    agent: OptionalAgent,
) -> Response:
    form = await request.form()
    sector = str(form.get("secteur") or "")[:32]
    note = str(form.get("note") or "")[:6000]
    suggested = str(form.get("suggestion") or "")[:32] or None
    answers = {
        str(k)[2:][:64]: str(v)[:64]
        for k, v in form.multi_items()
        if str(k).startswith("q_") and str(v)
    }

    def step(a: Agent) -> tuple[str, dict[str, object]]:
        if not sector:
            raise InvalidInput("Choisissez le secteur vers lequel transférer le contact.")
        services.escalate(
            session,
            a,
            contact_id,
            sector=sector,
            answers=answers,
            note=note,
            sheets=c.sheets(runtime),
            suggested_sector=suggested,
            calls=_calls(runtime),
        )
        return "escalade", {"n": contact_id, "secteur": sector}

    return _act(request, runtime, session, agent, "/console", step)


@router.post("/console/contacts/{contact_id}/remise")
def release(
    request: Request,
    contact_id: int,
    runtime: RuntimeDep,
    session: DbSession,
    agent: OptionalAgent,
    retour: Retour = "/console",
) -> Response:
    def step(a: Agent) -> tuple[str, dict[str, object]]:
        services.release(session, a, contact_id)
        return "remis", {"n": contact_id}

    return _act(request, runtime, session, agent, retour, step)


@router.post("/console/contacts/{contact_id}/reorientation")
def redirect_sector(
    request: Request,
    contact_id: int,
    runtime: RuntimeDep,
    session: DbSession,
    agent: OptionalAgent,
    secteur: Annotated[str, Form(max_length=32)] = "",
    motif: Annotated[str, Form(max_length=6000)] = "",
    retour: Retour = "/specialiste",
) -> Response:
    def step(a: Agent) -> tuple[str, dict[str, object]]:
        services.redirect(
            session,
            a,
            contact_id,
            sector=secteur,
            reason=motif,
            sheets=c.sheets(runtime),
            calls=_calls(runtime),
        )
        return "reoriente", {"n": contact_id, "secteur": secteur}

    return _act(request, runtime, session, agent, retour, step)


@router.post("/console/contacts/{contact_id}/retour-niveau1")
def return_to_level1(
    request: Request,
    contact_id: int,
    runtime: RuntimeDep,
    session: DbSession,
    agent: OptionalAgent,
    motif: Annotated[str, Form(max_length=6000)] = "",
    retour: Retour = "/specialiste",
) -> Response:
    def step(a: Agent) -> tuple[str, dict[str, object]]:
        services.return_to_level1(session, a, contact_id, reason=motif, calls=_calls(runtime))
        return "retour", {"n": contact_id}

    return _act(request, runtime, session, agent, retour, step)


@router.post("/console/contacts/{contact_id}/prise")
def take_one(
    request: Request,
    contact_id: int,
    runtime: RuntimeDep,
    session: DbSession,
    agent: OptionalAgent,
    retour: Retour = "/specialiste",
) -> Response:
    """A specialist takes one given contact of the sector's list."""

    def step(a: Agent) -> tuple[str, dict[str, object]]:
        services.take(session, a, contact_id, calls=_calls(runtime))
        return "pris", {"n": contact_id}

    return _act(request, runtime, session, agent, retour, step)
