"""The specialist console (`/specialiste`): the sector's waiting contacts, and the contact taken
with everything level 1 learnt (question, commune, sheet answers, notes, fiches, steps).

Same page and actions as the advisor console (allo.web.pages.console) in « specialist » mode:
answer, orient, send to another sector or back to level 1.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from allo.web.auth import OptionalAgent
from allo.web.deps import DbSession, RuntimeDep
from allo.web.pages import _console as c
from allo.web.pages._auth import SPECIALIST, gate
from allo.web.pages._base import render
from allo.web.pages.console import build_page, flash_text

router = APIRouter(include_in_schema=False)

Text = Annotated[str, Query(max_length=200)]


@router.get("/specialiste", response_class=HTMLResponse)
def specialist_page(
    request: Request,
    runtime: RuntimeDep,
    session: DbSession,
    agent: OptionalAgent,
    q: Text = "",
    fiche: Annotated[str, Query(max_length=64)] = "",
    lieu: Text = "",
    type: Annotated[str, Query(max_length=64)] = "",
    fait: Annotated[str, Query(max_length=32)] = "",
    n: Annotated[str, Query(max_length=12)] = "",
    secteur: Annotated[str, Query(max_length=32)] = "",
    etat: Annotated[str, Query(max_length=32)] = "",
) -> Response:
    allowed = gate(request, agent, SPECIALIST)
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
        mode="specialist",
        q=q,
        fiche=fiche,
        place=lieu,
        office_type=type,
        flash=flash,
    )
    return render(request, ctx)
