"""The actions both consoles post to: take a contact, change state, and every step of a contact
(details, notes, answer, orientation, escalation, release, redirection, return to level 1).

Each action is one form POST that runs one step of allo.contacts.services, then redirects to the
console with a flash code (allo.web.pages.console.FLASH), or shows the console again with the
French error; nothing of a failed step is kept.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from allo.contacts import agents as agents_domain
from allo.contacts import services
from allo.contacts.models import Agent
from allo.errors import AlloError, InvalidInput
from allo.runtime import Runtime
from allo.web.pages import _console as c
from allo.web.pages._auth import HANDLERS, AgentCall, AgentCallDep
from allo.web.pages._base import render
from allo.web.pages.console import build_page
from allo.web.security.ids import IdPath

router = APIRouter(include_in_schema=False)

Retour = Annotated[str, Form(max_length=32)]
Note = Annotated[str, Form(max_length=6000)]
#: what a step returns: the flash code and its parameters, or (None, {}) for a bare 204
Outcome = tuple[str | None, dict[str, object]]


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


def _calls(runtime: Runtime) -> Any:
    return runtime.services.get("telephony")


def _act(call: AgentCall, retour: str, step: Callable[[Agent], Outcome]) -> Response:
    """Run one step for a handler; its redirect, or the console with the French error."""
    allowed = call.gate(HANDLERS)
    if isinstance(allowed, Response):
        return allowed
    back = c.back_to(retour)
    try:
        code, params = step(allowed)
    except AlloError as exc:
        return _failed(call.request, call.runtime, call.session, allowed, back, exc)
    if code is None:
        return Response(status_code=204)
    return _done(back, code, **params)


@router.post("/console/suivant")
def take_next(call: AgentCallDep, retour: Retour = "/console") -> Response:
    def step(a: Agent) -> Outcome:
        for queue in services.allowed_queues(a):
            taken = services.take_next(call.session, a, queue, calls=_calls(call.runtime))
            if taken is not None:
                return "pris", {"n": taken.id}
        return "vide", {}

    return _act(call, retour, step)


@router.post("/console/etat")
def change_state(
    call: AgentCallDep,
    etat: Annotated[str, Form(max_length=16)] = "",
    retour: Retour = "/console",
) -> Response:
    def step(a: Agent) -> Outcome:
        if etat not in ("available", "paused"):
            raise InvalidInput("Choisissez « disponible » ou « en pause ».")
        agents_domain.set_state(call.session, a, etat)
        return "etat", {"etat": c.state_label(a).replace(" ", "-")}

    return _act(call, retour, step)


@router.post("/console/contacts/{contact_id}/details")
def update_details(
    contact_id: IdPath,
    call: AgentCallDep,
    question: Note = "",
    commune: Annotated[str, Form(max_length=120)] = "",
    retour: Retour = "/console",
) -> Response:
    def step(a: Agent) -> Outcome:
        code = ""
        if commune.strip():
            place = c.get_directory(call.runtime).resolve_place(commune, call.session)
            code = place.place.insee
        services.update_details(call.session, a, contact_id, question=question, commune=code)
        return "details", {"n": contact_id}

    return _act(call, retour, step)


@router.post("/console/contacts/{contact_id}/notes")
def add_note(
    contact_id: IdPath, call: AgentCallDep, note: Note = "", retour: Retour = "/console"
) -> Response:
    def step(a: Agent) -> Outcome:
        services.add_note(call.session, a, contact_id, note)
        return "note", {"n": contact_id}

    return _act(call, retour, step)


@router.post("/console/contacts/{contact_id}/consultation")
def consulted(
    contact_id: IdPath,
    call: AgentCallDep,
    fiche_id: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """Sent by the reading pane when it opens while a contact is held (no page change)."""

    def step(a: Agent) -> Outcome:
        services.consult(call.session, a, contact_id, fiche_id)
        return None, {}

    return _act(call, "/console", step)


@router.post("/console/contacts/{contact_id}/convention")
def agreement_chosen(
    contact_id: IdPath,
    call: AgentCallDep,
    idcc: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    """Sent by the picker beside the search when the agent holds a contact (no page change):
    the caller's collective agreement is kept with the contact (empty: none known)."""

    def step(a: Agent) -> Outcome:
        agreement = services.CallerAgreement.from_idcc(idcc)
        services.set_agreement(call.session, a, contact_id, agreement)
        return None, {}

    return _act(call, "/console", step)


@router.post("/console/contacts/{contact_id}/reponse")
def answer(
    contact_id: IdPath,
    call: AgentCallDep,
    fiches: Annotated[list[str] | None, Form()] = None,
    note: Note = "",
    retour: Retour = "/console",
) -> Response:
    def step(a: Agent) -> Outcome:
        services.answer(call.session, a, contact_id, list(fiches or [])[:20], note=note)
        return "repondu", {"n": contact_id}

    return _act(call, retour, step)


@router.post("/console/contacts/{contact_id}/orientation")
def orient(
    contact_id: IdPath,
    call: AgentCallDep,
    office_id: Annotated[str, Form(max_length=80)] = "",
    label: Annotated[str, Form(max_length=255)] = "",
    url: Annotated[str, Form(max_length=500)] = "",
    phone: Annotated[str, Form(max_length=32)] = "",
    note: Note = "",
    retour: Retour = "/console",
) -> Response:
    def step(a: Agent) -> Outcome:
        orientation = services.Orientation(
            office_id=office_id or None, label=label, url=url or None, phone=phone or None
        )
        services.orient(call.session, a, contact_id, orientation, note=note)
        return "oriente", {"n": contact_id}

    return _act(call, retour, step)


@router.post("/console/contacts/{contact_id}/escalade")
async def escalate(contact_id: IdPath, call: AgentCallDep) -> Response:
    form = await call.request.form()
    sector = str(form.get("secteur") or "")[:32]
    note = str(form.get("note") or "")[:6000]
    suggested = str(form.get("suggestion") or "")[:32] or None
    idcc = str(form.get("idcc") or "")[:8]  # the caller's agreement, chosen beside the search
    answers = {
        str(k)[2:][:64]: str(v)[:64]
        for k, v in form.multi_items()
        if str(k).startswith("q_") and str(v)
    }

    def step(a: Agent) -> Outcome:
        if not sector:
            raise InvalidInput("Choisissez le secteur vers lequel transférer le contact.")
        agreement = services.CallerAgreement.from_idcc(idcc)
        services.escalate(
            call.session,
            a,
            contact_id,
            sector=sector,
            answers=answers,
            note=note,
            sheets=c.sheets(call.runtime),
            suggested_sector=suggested,
            agreement=agreement,
            calls=_calls(call.runtime),
        )
        return "escalade", {"n": contact_id, "secteur": sector}

    return _act(call, "/console", step)


@router.post("/console/contacts/{contact_id}/remise")
def release(contact_id: IdPath, call: AgentCallDep, retour: Retour = "/console") -> Response:
    def step(a: Agent) -> Outcome:
        services.release(call.session, a, contact_id)
        return "remis", {"n": contact_id}

    return _act(call, retour, step)


@router.post("/console/contacts/{contact_id}/reorientation")
def redirect_sector(
    contact_id: IdPath,
    call: AgentCallDep,
    secteur: Annotated[str, Form(max_length=32)] = "",
    motif: Note = "",
    retour: Retour = "/specialiste",
) -> Response:
    def step(a: Agent) -> Outcome:
        services.redirect(
            call.session,
            a,
            contact_id,
            sector=secteur,
            reason=motif,
            sheets=c.sheets(call.runtime),
            calls=_calls(call.runtime),
        )
        return "reoriente", {"n": contact_id, "secteur": secteur}

    return _act(call, retour, step)


@router.post("/console/contacts/{contact_id}/retour-niveau1")
def return_to_level1(
    contact_id: IdPath, call: AgentCallDep, motif: Note = "", retour: Retour = "/specialiste"
) -> Response:
    def step(a: Agent) -> Outcome:
        calls = _calls(call.runtime)
        services.return_to_level1(call.session, a, contact_id, reason=motif, calls=calls)
        return "retour", {"n": contact_id}

    return _act(call, retour, step)


@router.post("/console/contacts/{contact_id}/prise")
def take_one(contact_id: IdPath, call: AgentCallDep, retour: Retour = "/specialiste") -> Response:
    """A specialist takes one given contact of the sector's list."""

    def step(a: Agent) -> Outcome:
        services.take(call.session, a, contact_id, calls=_calls(call.runtime))
        return "pris", {"n": contact_id}

    return _act(call, retour, step)
