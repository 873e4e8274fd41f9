"""The specialist console (`/specialiste`): the sector's waiting contacts, and the contact taken
with everything level 1 learnt (question, commune, sheet answers, notes, fiches, steps).

Same page and actions as the advisor console (allo.web.pages.console) in « specialist » mode:
answer, orient, send to another sector or back to level 1.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from allo.web.pages._auth import SPECIALIST, AgentCallDep
from allo.web.pages.console import PageQueryDep, show_console

router = APIRouter(include_in_schema=False)


@router.get("/specialiste", response_class=HTMLResponse)
def specialist_page(call: AgentCallDep, query: PageQueryDep) -> Response:
    # no sheet to fill at level 2: the redirection form starts with no sector chosen
    return show_console(call, SPECIALIST, "specialist", query, sector="")
