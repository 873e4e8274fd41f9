"""The pages every French public website must have, linked from the DSFR footer.

« Accessibilité » (the RGAA statement), « Mentions légales », « Données personnelles » and
« Plan du site ». Who runs the service comes from the settings (ALLO_OPERATOR_*); how long data
is kept comes from the real retention settings and constants, so the page cannot drift from
what the code does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, ClassVar

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from allo.contacts.agents import TOKEN_TTL
from allo.contacts.messages import link_days
from allo.settings import Settings
from allo.web.deps import RuntimeDep
from allo.web.pages._base import HOME, AgentView, Crumb, Page, doc, page_agent, render

router = APIRouter(include_in_schema=False)

Agent = Annotated[AgentView | None, Depends(page_agent)]


@dataclass(frozen=True)
class Operator:
    """Who runs the service (settings); empty fields are shown as « non renseigné »."""

    name: str = field(metadata=doc("Name of the operating body."))
    address: str = field(metadata=doc("Postal address, or empty."))
    email: str = field(metadata=doc("Contact e-mail for rights and barriers, or empty."))
    director: str = field(metadata=doc("Publication director, or empty."))
    host: str = field(metadata=doc("Hosting provider, name and address, or empty."))

    @classmethod
    def of(cls, settings: Settings) -> Operator:
        return cls(
            name=settings.operator_name,
            address=settings.operator_address,
            email=settings.operator_email,
            director=settings.publication_director,
            host=settings.hosting_provider,
        )


@dataclass(kw_only=True)
class AccessibilityPage(Page):
    template: ClassVar[str] = "portal/legal/accessibility.html"

    operator: Operator = field(metadata=doc("Who to write to about a barrier."))


@dataclass(kw_only=True)
class LegalNoticePage(Page):
    template: ClassVar[str] = "portal/legal/notice.html"

    operator: Operator = field(metadata=doc("Publisher, publication director and host."))


@dataclass(kw_only=True)
class PersonalDataPage(Page):
    template: ClassVar[str] = "portal/legal/personal_data.html"

    operator: Operator = field(metadata=doc("Data controller and where to exercise one's rights."))
    retention_days: int = field(metadata=doc("Days before the free text of a contact is erased."))
    link_days: int = field(metadata=doc("Days a written question's private link stays valid."))
    session_hours: int = field(metadata=doc("Hours an agent's session lasts."))


@dataclass(kw_only=True)
class SitemapPage(Page):
    template: ClassVar[str] = "portal/legal/sitemap.html"

    sections: list[tuple[str, list[Crumb]]] = field(
        metadata=doc("Groups of links: (heading, links), every public page of the site.")
    )


@router.get("/accessibilite", response_class=HTMLResponse)
def accessibility(request: Request, runtime: RuntimeDep, agent: Agent) -> HTMLResponse:
    ctx = AccessibilityPage(
        title="Déclaration d’accessibilité",
        breadcrumb=[HOME],
        agent=agent,
        operator=Operator.of(runtime.settings),
    )
    return render(request, ctx)


@router.get("/mentions-legales", response_class=HTMLResponse)
def legal_notice(request: Request, runtime: RuntimeDep, agent: Agent) -> HTMLResponse:
    ctx = LegalNoticePage(
        title="Mentions légales",
        breadcrumb=[HOME],
        agent=agent,
        operator=Operator.of(runtime.settings),
    )
    return render(request, ctx)


@router.get("/donnees-personnelles", response_class=HTMLResponse)
def personal_data(request: Request, runtime: RuntimeDep, agent: Agent) -> HTMLResponse:
    settings = runtime.settings
    ctx = PersonalDataPage(
        title="Données personnelles",
        breadcrumb=[HOME],
        agent=agent,
        operator=Operator.of(settings),
        retention_days=settings.retention_days,
        link_days=link_days(settings.retention_days),
        session_hours=int(TOKEN_TTL.total_seconds() // 3600),
    )
    return render(request, ctx)


SITEMAP: list[tuple[str, list[Crumb]]] = [
    (
        "Vos droits et démarches",
        [
            Crumb("Accueil", "/"),
            Crumb("Rechercher une réponse", "/recherche"),
            Crumb("Où s’adresser ?", "/ou-s-adresser"),
            Crumb("Poser une question", "/poser-une-question"),
        ],
    ),
    (
        "Espace des agents",
        [Crumb("Connexion", "/connexion"), Crumb("Documentation de l’API", "/api/docs")],
    ),
    (
        "Informations légales",
        [
            Crumb("Accessibilité", "/accessibilite"),
            Crumb("Mentions légales", "/mentions-legales"),
            Crumb("Données personnelles", "/donnees-personnelles"),
            Crumb("Plan du site", "/plan-du-site"),
        ],
    ),
]


@router.get("/plan-du-site", response_class=HTMLResponse)
def sitemap(request: Request, agent: Agent) -> HTMLResponse:
    ctx = SitemapPage(title="Plan du site", breadcrumb=[HOME], agent=agent, sections=SITEMAP)
    return render(request, ctx)
