"""The fiche page: the knowledge base's rendering of a fiche, with its "Où s'adresser ?" box.

The box finds, for each `PivotLocal` type the fiche names, the competent office for the commune
the reader types: an htmx fragment (`/fiches/{id}/ou-s-adresser`) when JavaScript runs, the same
page with `?place=` otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any, ClassVar
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup
from sqlalchemy import Row
from sqlalchemy.orm import Session

from allo.directory.services import FichePivots, get_directory
from allo.errors import AlloError, NotFound
from allo.kb import kinds
from allo.kb import services as kb
from allo.kb.kinds import LABELS as KIND_LABELS
from allo.kb.records import AUDIENCE_LABELS, SOURCE_LABELS
from allo.runtime import Runtime
from allo.web.deps import DbSession, RuntimeDep
from allo.web.pages import _fiche_html, _portal_gaps
from allo.web.pages._base import (
    HOME,
    AgentView,
    Crumb,
    Fragment,
    Page,
    doc,
    page_agent,
    page_instead,
    render,
)
from allo.web.pages._offices import PlaceAnswer, PlaceChoice, place_answer, place_choices

router = APIRouter(include_in_schema=False)

Agent = Annotated[AgentView | None, Depends(page_agent)]
MAX_ID = 64
Place = Annotated[str, Query(max_length=120)]
MAX_PLACE = 120


@dataclass(kw_only=True)
class WhereBox(Fragment):
    """The "Où s'adresser ?" box of a fiche: a commune field and, once asked, the offices."""

    template: ClassVar[str] = "portal/_where.html"

    fiche_id: str = field(metadata=doc("The fiche the box belongs to (form targets)."))
    types: list[str] = field(metadata=doc("French labels of the office types the fiche names."))
    place: str = field(default="", metadata=doc("The commune or postal code typed, if any."))
    error: str = field(default="", metadata=doc("French message when the place is not understood."))
    suggestions: list[PlaceChoice] = field(
        default_factory=list, metadata=doc("Communes close to a misspelt one.")
    )
    answer: PlaceAnswer | None = field(
        default=None, metadata=doc("The competent offices found for the place, if asked.")
    )


@dataclass(kw_only=True)
class FichePage(Page):
    template: ClassVar[str] = "portal/fiche.html"

    fiche_id: str = field(metadata=doc("Identifier of the fiche (F1234, article375542…)."))
    kind: str = field(metadata=doc("Kind of publication in French (Fiche pratique…)."))
    description: str = field(metadata=doc("The fiche's summary, shown as the lead paragraph."))
    audiences: list[str] = field(metadata=doc("Audiences in French (Particuliers…)."))
    source: str = field(metadata=doc("Where the fiche comes from (service-public.fr…)."))
    source_url: str = field(metadata=doc("The fiche on its source site, or empty."))
    modified: date | None = field(metadata=doc("Date the source last checked the fiche."))
    body: Markup = field(metadata=doc("The fiche rendered by the knowledge base (safe HTML)."))
    where: WhereBox | None = field(
        metadata=doc("The « Où s'adresser ? » box; None when the fiche names no local office.")
    )


def _pivots_of(fiche: Row[Any]) -> FichePivots:
    """The fiche as the directory reads it (the page holds it already: no second read)."""
    return FichePivots(fiche.id, fiche.title, tuple(fiche.pivots or []))


def _where_box(
    runtime: Runtime, session: Session, fiche: FichePivots, place: str
) -> WhereBox | None:
    directory = get_directory(runtime)
    labels: list[str] = []
    for pivot in fiche.pivots:
        code = directory.catalog.for_fiche(pivot)
        label = directory.catalog.label(code) if code else ""
        if label and label not in labels:
            labels.append(label)
    if not labels:
        return None
    box = WhereBox(fiche_id=fiche.id, types=labels, place=" ".join(place.split())[:MAX_PLACE])
    if not box.place:
        return box
    try:
        result = directory.where_for_fiche(session, fiche, box.place, limit=1)
    except NotFound as exc:
        box.error = exc.message
        box.suggestions = place_choices(list(exc.details.get("suggestions") or [])[:5])  # type: ignore[call-overload]
        return box
    except AlloError as exc:
        box.error = exc.message
        return box
    groups = [g for g in result.get("types", []) if g.get("type")]
    box.answer = place_answer(result, groups)
    return box


def _get_fiche(session: Session, fiche_id: str) -> Row[Any]:
    """The fiche's page columns and stored HTML (one query, no ORM object)."""
    if len(fiche_id) > MAX_ID:
        raise NotFound("Cette fiche n'existe pas.")
    return kb.get_page_fiche(session, fiche_id)


@router.get("/fiches/{fiche_id}", response_class=HTMLResponse)
def fiche_page(
    request: Request,
    fiche_id: str,
    runtime: RuntimeDep,
    session: DbSession,
    agent: Agent,
    place: Place = "",
) -> HTMLResponse:
    if agent is None:
        _portal_gaps.opened_from_search(request, runtime)
    cacheable = agent is None and not place.strip()
    cache = _fiche_html.page_cache(runtime)
    if cacheable:
        page = cache.get(session, fiche_id)
        if page is not None:
            return HTMLResponse(page)
    fiche = _get_fiche(session, fiche_id)
    if fiche.kind == kinds.INTERNAL and agent is None:
        raise NotFound("Cette fiche n'existe pas.")  # the service's internal fiches: agents only
    where = _where_box(runtime, session, _pivots_of(fiche), place)
    body = _fiche_html.body_html(runtime, session, fiche, local_box=where is not None)
    crumbs = [HOME] + [
        Crumb(c["title"], f"/fiches/{c['id']}")
        for c in fiche.breadcrumb or []
        if c.get("id") and c.get("title") and c["id"] != fiche.id
    ]
    ctx = FichePage(
        title=fiche.title,
        breadcrumb=crumbs,
        nav="recherche",
        agent=agent,
        fiche_id=fiche.id,
        kind=KIND_LABELS.get(fiche.kind, fiche.type_label or fiche.kind),
        description=fiche.description,
        audiences=[AUDIENCE_LABELS.get(a, a) for a in fiche.audiences or []],
        source=SOURCE_LABELS.get(fiche.source, fiche.source),
        source_url=fiche.url if fiche.url.startswith("https://") else "",
        modified=fiche.modified,
        body=body,
        where=where,
    )
    response = render(request, ctx)
    if cacheable:
        cache.put(fiche_id, bytes(response.body))
    return response


@router.get("/fiches/{fiche_id}/ou-s-adresser", response_class=HTMLResponse, tags=["fragment"])
def where_fragment(
    request: Request,
    fiche_id: str,
    runtime: RuntimeDep,
    session: DbSession,
    place: Place = "",
) -> Response:
    """The box's answer for a place (htmx); the whole box, so errors show in place."""
    page = page_instead(
        request, f"/fiches/{quote(fiche_id, safe='')}", {"place": place}, "ou-s-adresser"
    )
    if page is not None:
        return page
    fiche = _get_fiche(session, fiche_id)
    box = _where_box(runtime, session, _pivots_of(fiche), place)
    if box is None:
        raise NotFound("Cette fiche n'indique pas de service local où s'adresser.")
    return render(request, box)
