"""The directory page: the competent office of a type for a commune, with hours and open-now.

`/ou-s-adresser?place=&type=` works without JavaScript; with htmx, the form swaps only the
results.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, ClassVar

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from allo.directory.services import get_directory
from allo.errors import AlloError, NotFound
from allo.web.deps import DbSession, RuntimeDep
from allo.web.pages._base import HOME, AgentView, Page, doc, page_agent, render
from allo.web.pages._offices import PlaceAnswer, PlaceChoice, place_answer, place_choices
from allo.web.pages.portal import Option

router = APIRouter(include_in_schema=False)

Agent = Annotated[AgentView | None, Depends(page_agent)]
#: Office types most asked about, offered first in the type list (codes of the directory).
FREQUENT_TYPES = (
    "mairie",
    "caf",
    "cpam",
    "prefecture",
    "sous_pref",
    "sip",
    "pole_emploi",
    "commissariat_police",
    "gendarmerie",
    "mjd",
    "tgi",
    "prudhommes",
    "adil",
    "msap",
)
DEFAULT_TYPE = "mairie"
RESULTS = 5


@dataclass(kw_only=True)
class DirectoryPage(Page):
    template: ClassVar[str] = "directory/page.html"

    place: str = field(metadata=doc("The commune or postal code typed."))
    type: str = field(metadata=doc("Code of the office type asked for."))
    frequent_types: list[Option] = field(metadata=doc("The most asked-for office types."))
    other_types: list[Option] = field(metadata=doc("Every other office type, by label."))
    error: str = field(default="", metadata=doc("French message when the request is not usable."))
    suggestions: list[PlaceChoice] = field(
        default_factory=list, metadata=doc("Communes close to a misspelt one.")
    )
    answer: PlaceAnswer | None = field(
        default=None, metadata=doc("The competent offices, once a place has been given.")
    )


@router.get("/ou-s-adresser", response_class=HTMLResponse)
def directory_page(
    request: Request,
    runtime: RuntimeDep,
    session: DbSession,
    agent: Agent,
    place: Annotated[str, Query(max_length=120)] = "",
    type: Annotated[str, Query(max_length=64)] = "",
) -> HTMLResponse:
    directory = get_directory(runtime)
    place = " ".join(place.split())
    code = type if directory.catalog.get(type) is not None else DEFAULT_TYPE
    ctx = DirectoryPage(
        title="Où s’adresser ?",
        breadcrumb=[HOME],
        nav="annuaire",
        agent=agent,
        place=place,
        type=code,
        frequent_types=[
            Option(c, directory.catalog.label(c), c == code)
            for c in FREQUENT_TYPES
            if directory.catalog.get(c) is not None
        ],
        other_types=[
            Option(t.code, t.label, t.code == code)
            for t in sorted(directory.catalog.types.values(), key=lambda t: t.label.lower())
            if t.code not in FREQUENT_TYPES
        ],
    )
    if type and directory.catalog.get(type) is None:
        ctx.error = "Ce type d’organisme est inconnu : choisissez-en un dans la liste."
    elif place:
        try:
            result = directory.find(session, place, code, limit=RESULTS)
        except NotFound as exc:
            ctx.error = exc.message
            ctx.suggestions = place_choices(list(exc.details.get("suggestions") or [])[:5])  # type: ignore[call-overload]
        except AlloError as exc:
            ctx.error = exc.message
        else:
            group = {
                "label": result["type"]["label"],
                "notice": result.get("notice"),
                "offices": result.get("offices", []),
            }
            ctx.answer = place_answer(result, [group])
    return render(request, ctx)
