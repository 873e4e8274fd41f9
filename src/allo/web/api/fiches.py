"""Knowledge-base JSON API: one fiche (metadata + rendered HTML and text) and the base's figures."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from allo.errors import NotFound
from allo.kb import kinds, services
from allo.web.auth import OptionalAgent
from allo.web.deps import DbSession

router = APIRouter(prefix="/api", tags=["base de connaissances"])


class Crumb(BaseModel):
    id: str = Field(description="Identifiant du thème ou du dossier parent (N19810…).")
    title: str


class RelatedFiche(BaseModel):
    id: str
    title: str
    rel: str = Field(
        description="Nature du lien : dossier (parent), contenu (enfant), fiche-liee, "
        "question-reponse, voir-aussi, lien-interne, relation, comment-faire, recherche-guidee."
    )
    audience: str | None = None


class OnlineService(BaseModel):
    id: str | None = None
    title: str
    url: str
    kind: str = Field(description="teleservice, formulaire, modele, simulateur, outil, notice…")
    cerfa: str | None = Field(default=None, description="Numéro Cerfa (13974*02…).")


class Contact(BaseModel):
    id: str | None = None
    title: str
    url: str = ""
    phone: str | None = None
    text: str = ""


class Reference(BaseModel):
    id: str | None = None
    title: str
    url: str = ""
    type: str = ""


class FicheOut(BaseModel):
    id: str = Field(description="Identifiant à la source : F1342, N358, R54755, article375542…")
    source: str = Field(description="dila, travail ou local.")
    kind: str = Field(description="Type normalisé : fiche, question, dossier, theme, formulaire…")
    type_label: str = Field(description="Type donné par la source.")
    title: str
    description: str
    subject: str = Field(description="Thème (dc:subject).")
    breadcrumb: list[Crumb]
    audiences: list[str] = Field(description="particuliers, professionnels, associations.")
    url: str = Field(description="Adresse de la fiche sur le site de la source.")
    modified: date | None
    updated_at: datetime | None = Field(description="Dernière modification dans Allo.")
    related: list[RelatedFiche]
    services: list[OnlineService] = Field(description="Services en ligne et formulaires.")
    pivots: list[str] = Field(
        description="Types d'organismes locaux où s'adresser (codes PivotLocal : mairie, caf…)."
    )
    contacts: list[Contact] = Field(description="Contacts nationaux (Où s'adresser ?).")
    references: list[Reference] = Field(description="Textes de référence, pour en savoir plus.")
    html: str = Field(description="Corps rendu en HTML accessible (classes DSFR), échappé.")
    text: str = Field(description="Corps en texte brut.")


class KbStats(BaseModel):
    total: int = Field(description="Nombre de fiches distinctes.")
    by_source: dict[str, int]
    by_audience: dict[str, int] = Field(
        description="Une fiche publiée pour plusieurs publics compte dans chacun."
    )
    by_type: dict[str, int] = Field(description="Par type donné par la source.")
    by_kind: dict[str, int] = Field(description="Par type normalisé.")
    version: str = Field(description="Change dès qu'une fiche est ajoutée, modifiée ou retirée.")


def _pick(model: type[BaseModel], items: list[dict[str, Any]]) -> list[Any]:
    keys = model.model_fields.keys()
    return [model(**{k: v for k, v in item.items() if k in keys}) for item in items]


@router.get(
    "/fiches/{fiche_id}",
    response_model=FicheOut,
    summary="Une fiche : métadonnées, rendu HTML et texte",
    responses={404: {"description": "Fiche introuvable."}},
)
def get_fiche(
    session: DbSession,
    agent: OptionalAgent,
    fiche_id: Annotated[str, Path(max_length=64, description="F1342, N358, article375542…")],
) -> FicheOut:
    fiche = services.get_fiche(session, fiche_id)
    if fiche.kind == kinds.INTERNAL and agent is None:
        raise NotFound(f"Fiche introuvable : {fiche_id!r}.")  # the service's internal fiches
    rendered = services.render(session, fiche)
    return FicheOut(
        id=fiche.id,
        source=fiche.source,
        kind=fiche.kind,
        type_label=fiche.type_label,
        title=fiche.title,
        description=fiche.description,
        subject=fiche.subject,
        breadcrumb=_pick(Crumb, fiche.breadcrumb or []),
        audiences=fiche.audiences or [],
        url=fiche.url,
        modified=fiche.modified,
        updated_at=fiche.updated_at,
        related=_pick(RelatedFiche, fiche.related or []),
        services=_pick(OnlineService, fiche.services or []),
        pivots=fiche.pivots or [],
        contacts=_pick(Contact, fiche.contacts or []),
        references=_pick(Reference, fiche.references or []),
        html=rendered.html,
        text=rendered.text,
    )


@router.get("/kb/stats", response_model=KbStats, summary="Chiffres de la base de connaissances")
def kb_stats(session: DbSession) -> KbStats:
    return KbStats(**services.stats(session), version=services.kb_version(session))
