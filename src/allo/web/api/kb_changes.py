"""Change reports of the official data (editors): what each import or sync added, changed or
withdrew, fiche by fiche and office by office, and the "seen" marks of the editors' watch."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from allo.contacts.models import Agent
from allo.kb import changes
from allo.web.auth import require_role
from allo.web.deps import DbSession
from allo.web.security.ids import IdPath

router = APIRouter(prefix="/api/kb/changes", tags=["base de connaissances"])

Editor = Annotated[Agent, require_role("editor", "supervisor", "administrator")]


class ReportOut(BaseModel):
    id: int
    created_at: datetime
    trigger: str = Field(description="kb-import, directory-import ou data-sync.")
    status: str = Field(description="applied (appliqué) ou refused (rien n'a changé).")
    message: str = Field(description="Résumé, ou raison du refus, en français.")
    counts: dict[str, dict[str, int]] = Field(
        description='{"fiche": {"new", "changed", "withdrawn"}, "office": {…}}'
    )
    sources: list[str] = Field(description="Noms des fichiers lus.")


class ItemOut(BaseModel):
    id: int
    domain: str = Field(description="fiche ou office.")
    action: str = Field(description="new, changed ou withdrawn.")
    object_id: str = Field(description="Identifiant de la fiche (F1342…) ou de l'organisme.")
    title: str
    theme: str = Field(description="Thème de la fiche, ou type de l'organisme.")
    audiences: list[str]
    fields: list[str] = Field(description="Champs modifiés.")
    diff: str = Field(description="Différences lisibles (diff unifié du texte d'une fiche).")
    seen_at: datetime | None
    seen_by: int | None


class ReportWithItems(ReportOut):
    items: list[ItemOut]


class SeenIn(BaseModel):
    item_ids: list[int] = Field(max_length=changes.MAX_PAGE, description="Éléments vus.")


class SeenOut(BaseModel):
    marked: int = Field(description="Éléments marqués maintenant (les autres l'étaient déjà).")


def _report(report: Any) -> dict[str, Any]:
    return {name: getattr(report, name) for name in ReportOut.model_fields}


@router.get("", response_model=list[ReportOut], summary="Rapports de changements, du plus récent")
def list_reports(
    session: DbSession,
    _agent: Editor,
    limit: Annotated[int, Query(ge=1, le=changes.MAX_PAGE)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[ReportOut]:
    return [
        ReportOut(**_report(r)) for r in changes.list_reports(session, limit=limit, offset=offset)
    ]


@router.get(
    "/{report_id}",
    response_model=ReportWithItems,
    summary="Un rapport et ses éléments (fiches puis organismes)",
    responses={404: {"description": "Rapport introuvable."}},
)
def get_report(
    session: DbSession,
    _agent: Editor,
    report_id: IdPath,
    domain: Literal["fiche", "office"] | None = None,
    action: Literal["new", "changed", "withdrawn"] | None = None,
    unseen: Annotated[bool, Query(description="Seulement les éléments non vus.")] = False,
    limit: Annotated[int, Query(ge=1, le=changes.MAX_PAGE)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> ReportWithItems:
    report = changes.get_report(session, report_id)
    items = changes.report_items(
        session, report_id, domain=domain, action=action, unseen=unseen, limit=limit, offset=offset
    )
    return ReportWithItems(
        **_report(report),
        items=[ItemOut(**{n: getattr(i, n) for n in ItemOut.model_fields}) for i in items],
    )


@router.post("/seen", response_model=SeenOut, summary="Marquer des éléments comme vus")
def mark_seen(session: DbSession, agent: Editor, body: SeenIn) -> SeenOut:
    return SeenOut(marked=changes.mark_seen(session, body.item_ids, agent.id))
