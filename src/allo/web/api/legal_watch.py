"""The legal watch by article (editors, supervisors): the fiches to review when a code article
changes, the service's own first, then the official ones it relies on, then the others — as the
page `/redaction/articles` shows them (`allo.search.legal_watch`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from allo.backlog.articles import reviews
from allo.contacts.models import Agent
from allo.search.articles import MAX_WATCH_TEXT
from allo.web.auth import require_role
from allo.web.deps import DbSession, RuntimeDep

router = APIRouter(prefix="/api/kb/articles", tags=["base de connaissances"])

Reader = Annotated[Agent, require_role("editor", "supervisor", "administrator")]


class ReasonOut(BaseModel):
    kind: str = Field(description="adapted, linked, escalation ou consulted.")
    label: str = Field(description="La raison, en français.")
    detail: str = Field(description="Les fiches du service ou d'escalade en cause.")


class CitingOut(BaseModel):
    id: str
    title: str
    source: str = Field(description="dila, travail ou local (fiche du service).")
    reference: str = Field(
        description="La référence qui couvre l'article, telle que la fiche l'écrit."
    )
    state: str = Field(
        description="État d'une fiche du service (draft, review, published) ; vide sinon."
    )
    published: bool = Field(description="Si une version de la fiche est publiée.")
    reasons: list[ReasonOut] = Field(
        description="Pourquoi le service dépend de cette fiche officielle."
    )


class ArticleOut(BaseModel):
    article: str = Field(description="L'article, tel que les codes l'écrivent (« L1224-1 »).")
    code: str = Field(description="Son code (« Code du travail ») ; vide si plusieurs le citent.")
    url: str = Field(description="Son texte sur Légifrance, quand une fiche en donne l'adresse.")
    fiches: list[CitingOut] = Field(
        description="Les fiches à revoir : celles du service, puis celles dont il dépend, puis les autres."
    )


@router.get(
    "",
    response_model=list[ArticleOut],
    summary="Veille juridique : les fiches qui citent un article de code",
)
def cited(
    session: DbSession,
    runtime: RuntimeDep,
    _agent: Reader,
    article: Annotated[
        str,
        Query(
            min_length=1,
            max_length=MAX_WATCH_TEXT,
            description="« L1224-1 », « article 1240 du code civil » ; cinq articles au plus.",
        ),
    ],
) -> list[ArticleOut]:
    return [
        ArticleOut(
            article=r.article.label,
            code=r.article.code_name,
            url=r.article.url,
            fiches=[
                CitingOut(
                    id=f.id,
                    title=f.title,
                    source=f.source,
                    reference=f.reference,
                    state=f.state,
                    published=f.published,
                    reasons=[
                        ReasonOut(kind=x.kind, label=x.label, detail=x.detail) for x in f.reasons
                    ],
                )
                for f in r.fiches
            ],
        )
        for r in reviews(runtime, session, article)
    ]
