"""The citizen portal's home page."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from allo.web.pages._base import Crumb, Page, doc, render

router = APIRouter(include_in_schema=False)

#: Searches shown on the home page: frequent reasons to call the service (seed brochure).
POPULAR_SEARCHES = (
    "carte grise perdue",
    "renouveler un passeport",
    "rupture conventionnelle",
    "aide au logement",
    "casier judiciaire",
    "délai de rétractation",
)

#: What the home page says of the phone service until the service calendar provides it.
DEFAULT_PHONE_HOURS = (
    "Des conseillers répondent au téléphone du lundi au vendredi de 8 h à 20 h "
    "et le samedi de 8 h 30 à 18 h 30."
)


@dataclass(kw_only=True)
class HomePage(Page):
    template: ClassVar[str] = "portal/home.html"

    popular: list[Crumb] = field(
        metadata=doc("Frequent searches, shown as tags linking to their results.")
    )
    themes: list[Crumb] = field(
        default_factory=list,
        metadata=doc("Top themes of the knowledge base, linking to their fiche; empty if none."),
    )
    phone_hours: str = field(
        metadata=doc("One French sentence saying when advisors answer the phone.")
    )
    q: str = field(
        default="", metadata=doc("Text already in the search box (always empty on the home page).")
    )
    audience: str = field(
        default="", metadata=doc("Audience kept by the search form (empty: all).")
    )


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    popular = [Crumb(q, "/recherche?" + urlencode({"q": q})) for q in POPULAR_SEARCHES]
    ctx = HomePage(
        title="Accueil",
        nav="accueil",
        popular=popular,
        phone_hours=DEFAULT_PHONE_HOURS,
    )
    return render(request, ctx)
