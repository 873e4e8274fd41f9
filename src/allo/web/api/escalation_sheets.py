"""Escalation sheets JSON API: editors write, review and publish; advisors read; others 403.

`GET /api/escalation-sheets` itself stays the published set the consoles read (contacts API);
the editorial list is `GET /api/escalation-sheets/editorial`. Same workflow and versions as the local fiches (`allo.kb.local.workflow`); the body of a sheet
is the structured data of its JSON file (docs/EDITORIAL.md).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from allo.kb.local import sheets
from allo.kb.local.sheet_models import EscalationSheetRow
from allo.web.api._editorial import (
    DiffOut,
    Editor,
    FromVersion,
    Reader,
    ToVersion,
    VersionNumber,
    VersionOut,
)
from allo.web.deps import DbSession, RuntimeDep

router = APIRouter(prefix="/api", tags=["fiches d'escalade"])

SheetId = Annotated[
    str, Path(max_length=32, description="interieur, travail, consommation, justice, fiscalite, "
              "logement ou niveau1.")
]  # fmt: skip


class EditorialSheetNew(BaseModel):
    id: str = Field(max_length=32, description="Le secteur (ou niveau1).")
    content: dict[str, Any] = Field(
        description="La fiche : sector, label, definition, subjects, keywords, fiche_themes, "
        "questions, outside_bodies (format des fichiers de allo/kb/escalation/)."
    )
    comment: str = Field(default="", max_length=500)


class EditorialSheetUpdate(BaseModel):
    content: dict[str, Any]
    base_version: int = Field(ge=1, description="La version sur laquelle la modification se fonde.")
    comment: str = Field(default="", max_length=500)


class EditorialSheetOut(BaseModel):
    id: str
    state: str = Field(description="draft, review, published ou archived.")
    state_label: str
    version: int
    published_version: int | None
    approved_version: int | None
    content: dict[str, Any] = Field(description="La version en cours d'écriture.")
    published_content: dict[str, Any] | None = Field(description="Ce que les consoles utilisent.")
    updated_at: datetime


class EditorialSheetSummary(BaseModel):
    id: str
    label: str
    state: str
    version: int
    published_version: int | None
    updated_at: datetime


def _out(row: EscalationSheetRow) -> EditorialSheetOut:
    return EditorialSheetOut(
        id=row.id,
        state=row.state,
        state_label=sheets.STATE_LABELS[row.state],
        version=row.version,
        published_version=row.published_version,
        approved_version=row.approved_version,
        content=row.content,
        published_content=row.published_content,
        updated_at=row.updated_at,
    )


@router.get(
    "/escalation-sheets/editorial",
    response_model=list[EditorialSheetSummary],
    summary="Lister les fiches d'escalade et leur état éditorial",
    description="`GET /api/escalation-sheets` (tag contacts) donne les fiches publiées telles "
    "que les consoles les utilisent ; cette liste donne l'état de relecture de chacune.",
)
def list_sheets(session: DbSession, agent: Reader) -> list[EditorialSheetSummary]:
    return [
        EditorialSheetSummary(
            id=r.id,
            label=str(r.content.get("label") or r.id),
            state=r.state,
            version=r.version,
            published_version=r.published_version,
            updated_at=r.updated_at,
        )
        for r in sheets.list_sheets(session)
    ]


@router.post(
    "/escalation-sheets",
    response_model=EditorialSheetOut,
    status_code=201,
    summary="Créer une fiche",
)
def create(session: DbSession, agent: Editor, body: EditorialSheetNew) -> EditorialSheetOut:
    return _out(sheets.create(session, agent, body.id, body.content, body.comment))


@router.get(
    "/escalation-sheets/{sheet_id}", response_model=EditorialSheetOut, summary="Lire une fiche"
)
def read(session: DbSession, agent: Reader, sheet_id: SheetId) -> EditorialSheetOut:
    return _out(sheets.get(session, sheet_id))


@router.put(
    "/escalation-sheets/{sheet_id}",
    response_model=EditorialSheetOut,
    summary="Enregistrer une nouvelle version",
    responses={409: {"description": "Modifiée entre-temps : `details` dit ce qui a changé."}},
)
def update(
    session: DbSession, agent: Editor, sheet_id: SheetId, body: EditorialSheetUpdate
) -> EditorialSheetOut:
    row = sheets.update(session, agent, sheet_id, body.content, body.base_version, body.comment)
    return _out(row)


@router.post(
    "/escalation-sheets/{sheet_id}/submit", response_model=EditorialSheetOut, summary="Soumettre"
)
def submit(session: DbSession, agent: Editor, sheet_id: SheetId) -> EditorialSheetOut:
    return _out(sheets.submit(session, agent, sheet_id))


@router.post(
    "/escalation-sheets/{sheet_id}/approve", response_model=EditorialSheetOut, summary="Approuver"
)
def approve(
    session: DbSession, runtime: RuntimeDep, agent: Editor, sheet_id: SheetId
) -> EditorialSheetOut:
    return _out(sheets.approve(session, agent, sheet_id, sheets.Policy.of(runtime.settings)))


@router.post(
    "/escalation-sheets/{sheet_id}/publish",
    response_model=EditorialSheetOut,
    summary="Publier (les consoles l'utilisent aussitôt)",
)
def publish(
    session: DbSession, runtime: RuntimeDep, agent: Editor, sheet_id: SheetId
) -> EditorialSheetOut:
    return _out(sheets.publish(session, agent, sheet_id, sheets.Policy.of(runtime.settings)))


@router.post(
    "/escalation-sheets/{sheet_id}/archive",
    response_model=EditorialSheetOut,
    summary="Archiver (les consoles reprennent le fichier initial)",
)
def archive(session: DbSession, agent: Editor, sheet_id: SheetId) -> EditorialSheetOut:
    return _out(sheets.archive(session, agent, sheet_id))


@router.post(
    "/escalation-sheets/{sheet_id}/restore/{version}",
    response_model=EditorialSheetOut,
    summary="Restaurer une version (nouveau brouillon)",
)
def restore(
    session: DbSession, agent: Editor, sheet_id: SheetId, version: VersionNumber
) -> EditorialSheetOut:
    return _out(sheets.restore(session, agent, sheet_id, version))


@router.get(
    "/escalation-sheets/{sheet_id}/versions",
    response_model=list[VersionOut],
    summary="Historique des versions",
)
def versions(session: DbSession, agent: Reader, sheet_id: SheetId) -> list[VersionOut]:
    return [VersionOut.of(v) for v in sheets.versions(session, sheet_id)]


@router.get(
    "/escalation-sheets/{sheet_id}/diff",
    response_model=DiffOut,
    summary="Diff de deux versions",
)
def diff(
    session: DbSession, agent: Reader, sheet_id: SheetId, start: FromVersion, end: ToVersion
) -> DiffOut:
    return DiffOut.of(sheet_id, start, end, sheets.diff_versions(session, sheet_id, start, end))
