"""Flagging a fiche from either console: one form POST, then back to the console with the fiche
still open and a confirmation (or the console with the French error, nothing kept)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import Response

from allo.backlog import flags
from allo.contacts.models import Agent
from allo.web.pages._auth import AgentCallDep
from allo.web.pages.console_actions import Outcome, Retour, _act

router = APIRouter(include_in_schema=False)

#: The form's hard limit; the domain's own (flags.MAX_NOTE) gives the French message below it.
MAX_FORM_NOTE = 4 * flags.MAX_NOTE


@router.post("/console/signalements")
def flag_fiche(
    call: AgentCallDep,
    retour: Retour = "/console",
    kind: Annotated[str, Form(max_length=16)] = "",
    fiche_id: Annotated[str, Form(max_length=64)] = "",
    note: Annotated[str, Form(max_length=MAX_FORM_NOTE)] = "",
    contact_id: Annotated[int | None, Form(ge=1, le=2_147_483_647)] = None,
) -> Response:
    def step(agent: Agent) -> Outcome:
        new = flags.NewFlag(kind=kind, fiche_id=fiche_id or None, note=note, contact_id=contact_id)
        flag = flags.create(call.session, agent, new)
        params: dict[str, object] = {"n": flag.id}
        if flag.fiche_id:
            params["fiche"] = flag.fiche_id  # the fiche stays open
        return "signale", params

    return _act(call, retour, step)
