"""The consoles' htmx panes: search results, the fiche being read, orientation, the escalation
sheet and the polled queue list. Each one is also reachable as a whole console page through its
query parameters (allo.web.pages.console), so the panes work without JavaScript too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, ClassVar

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response

from allo.web.pages import _console as c
from allo.web.pages._auth import ADVISOR, HANDLERS, AgentCallDep
from allo.web.pages._base import Fragment, doc, page_instead, render
from allo.web.pages._offices import PlaceAnswer, search_orientation
from allo.web.pages._search_notices import (
    AgreementLink,
    SearchNotices,
    agreement_link,
    search_notices,
)
from allo.web.pages.console import (
    QueueLine,
    Text,
    WaitingLine,
    held_panel,
    queue_lines,
    waiting_lines,
)
from allo.web.pages.portal import ResultItem

router = APIRouter(include_in_schema=False)

Console = Annotated[str, Query(max_length=32)]


@dataclass(kw_only=True)
class SearchFragment(Fragment):
    template: ClassVar[str] = "agents/_search_results.html"

    console: str = field(metadata=doc("Console path the result links go to."))
    q: str = field(metadata=doc("The search typed."))
    results: list[ResultItem] = field(metadata=doc("Fiches found."))
    search_offices: PlaceAnswer | None = field(
        default=None,
        metadata=doc("Competent offices when the search names a type and a place (« caf lyon »)."),
    )
    search_notices: SearchNotices | None = field(
        default=None,
        metadata=doc("The agreement and code articles the search names (« prime syntec »)."),
    )
    escalation_oob: bool = field(
        default=False,
        metadata=doc("Whether the advisor holds a contact: the escalation form gets the choice."),
    )
    chosen_agreement: AgreementLink | None = field(
        default=None, metadata=doc("The agreement chosen beside the search, if any.")
    )


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


@router.get("/console/recherche", response_class=HTMLResponse, tags=["fragment"])
def search_fragment(
    call: AgentCallDep,
    q: Text = "",
    idcc: Annotated[str, Query(max_length=8)] = "",
    console: Console = "/console",
) -> Response:
    """`idcc`: the caller's collective agreement, chosen in the picker beside the search box."""
    allowed = call.gate(HANDLERS)
    if isinstance(allowed, Response):
        return allowed
    target = c.back_to(console)
    page = page_instead(call.request, target, {"q": q, "idcc": idcc})
    if page is not None:
        return page
    agreement = agreement_link(idcc)
    chosen = agreement.idcc if agreement is not None else ""
    fiche_query, offices = search_orientation(call.runtime, " ".join(q.split())[:200])
    return render(
        call.request,
        SearchFragment(
            console=target,
            q=q,
            results=c.search_results(call.runtime, q, target, chosen),
            search_offices=offices,
            search_notices=search_notices(call.runtime, fiche_query, chosen),
            # the advisor's escalation form sends the agreement chosen here
            escalation_oob=target == "/console"
            and c.held_contact(call.session, allowed) is not None,
            chosen_agreement=agreement,
        ),
    )


@router.get("/console/fiches/{fiche_id}", response_class=HTMLResponse, tags=["fragment"])
def reading_fragment(fiche_id: str, call: AgentCallDep, console: Console = "/console") -> Response:
    allowed = call.gate(HANDLERS)
    if isinstance(allowed, Response):
        return allowed
    target = c.back_to(console)
    page = page_instead(call.request, target, {"fiche": fiche_id})
    if page is not None:
        return page
    panel = held_panel(call.runtime, call.session, allowed)
    ctx = ReadingFragment(
        console=target,
        reading=c.fiche_reading(call.runtime, call.session, fiche_id),
        contact=panel,
        place=panel.commune if panel else "",
    )
    return render(call.request, ctx)


@router.get("/console/orientation", response_class=HTMLResponse, tags=["fragment"])
def orientation_fragment(
    call: AgentCallDep,
    lieu: Text = "",
    type: Annotated[str, Query(max_length=64)] = "",
    console: Console = "/console",
    fiche: Annotated[str, Query(max_length=64)] = "",
) -> Response:
    """`fiche`: the fiche being read beside the form, kept when the URL is opened as a page."""
    allowed = call.gate(HANDLERS)
    if isinstance(allowed, Response):
        return allowed
    target = c.back_to(console)
    page = page_instead(call.request, target, {"fiche": fiche, "lieu": lieu, "type": type})
    if page is not None:
        return page
    panel = held_panel(call.runtime, call.session, allowed)
    answer, error = c.orientation(call.runtime, call.session, lieu, type)
    if not lieu.strip():
        error = "Indiquez la commune de l’appelant."
    ctx = OrientationFragment(
        console=target, contact=panel, orientation=answer, orientation_error=error
    )
    return render(call.request, ctx)


@router.get("/console/escalade", response_class=HTMLResponse, tags=["fragment"])
def sheet_fragment(
    call: AgentCallDep, secteur: Annotated[str, Query(max_length=32)] = ""
) -> Response:
    allowed = call.gate(ADVISOR)
    if isinstance(allowed, Response):
        return allowed
    page = page_instead(call.request, "/console", {"secteur": secteur})
    if page is not None:
        return page
    return render(call.request, SheetFragment(sheet=c.sheet_view(call.runtime, secteur, {})))


@router.get("/console/files", response_class=HTMLResponse, tags=["fragment"])
def queues_fragment(call: AgentCallDep, console: Console = "/console") -> Response:
    """Polled every few seconds by the consoles."""
    allowed = call.gate(HANDLERS)
    if isinstance(allowed, Response):
        return allowed
    target = c.back_to(console)
    page = page_instead(call.request, target)
    if page is not None:
        return page
    mode = "specialist" if allowed.role == "specialist" else "advisor"
    ctx = QueuesFragment(
        console=target,
        queues=queue_lines(call.session, allowed),
        waiting=waiting_lines(call.session, allowed) if mode == "specialist" else [],
        mode=mode,
        has_contact=c.held_contact(call.session, allowed) is not None,
    )
    return render(call.request, ctx)
