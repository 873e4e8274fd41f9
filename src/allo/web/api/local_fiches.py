"""Local fiches JSON API: editors write, review and publish; advisors read; others get 403."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from allo.kb.local import services
from allo.kb.local.models import LocalFiche
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

router = APIRouter(prefix="/api", tags=["fiches du service"])

FicheId = Annotated[str, Path(max_length=64, description="Identifiant : L1, L2…")]


class Link(BaseModel):
    title: str = Field(default="", max_length=300)
    url: str = Field(max_length=2000, description="Adresse http(s).")


class FicheContent(BaseModel):
    """What an editor writes. The body is Markdown with the blocks of docs/EDITORIAL.md."""

    title: str = Field(max_length=300)
    summary: str = Field(default="", max_length=2000)
    audiences: list[str] = Field(
        default_factory=list, description="particuliers, professionnels, associations."
    )
    sector: str = Field(default="", description="Secteur : interieur, travail… ou vide.")
    theme: str = Field(default="", max_length=255)
    keywords: list[str] = Field(default_factory=list)
    body: str = Field(
        default="",
        max_length=1_100_000,
        description="Markdown ; 200 000 caractères au plus (message en français au-delà).",
    )
    advisor_note: str = Field(
        default="", description="« Pour le conseiller » : jamais montré aux usagers."
    )
    related: list[str] = Field(
        default_factory=list, description="Fiches officielles liées (F1234…)."
    )
    pivots: list[str] = Field(
        default_factory=list, description="Types d'organismes où s'adresser (prefecture, mairie…)."
    )
    services: list[Link] = Field(default_factory=list, description="Services en ligne.")
    sites: list[Link] = Field(default_factory=list, description="Sites externes.")
    public: bool = Field(default=False, description="Diffusion publique (portail).")
    review_by: date | None = Field(default=None, description="À revoir avant le.")


class NewFiche(FicheContent):
    comment: str = Field(default="", max_length=500)


class FicheUpdate(FicheContent):
    base_version: int = Field(ge=1, description="La version sur laquelle la modification se fonde.")
    comment: str = Field(default="", max_length=500)


class SourceInfo(BaseModel):
    id: str
    state: str = Field(description="ok, changed (source modifiée) ou withdrawn (source retirée).")
    label: str
    hash: str | None
    modified: date | None
    diff: list[dict[str, str]] | None = Field(
        default=None, description="Diff de la source entre la version adaptée et aujourd'hui."
    )


class FicheOut(FicheContent):
    id: str
    state: str = Field(description="draft, review, published ou archived.")
    state_label: str
    version: int
    published_version: int | None
    approved_version: int | None
    source: SourceInfo | None
    created_at: datetime
    updated_at: datetime


class FicheSummary(BaseModel):
    id: str
    title: str
    state: str
    version: int
    published_version: int | None
    public: bool
    review_by: date | None
    source_id: str | None
    updated_at: datetime


def _out(session: DbSession, fiche: LocalFiche, *, with_diff: bool = False) -> FicheOut:
    status = services.source_status(session, fiche, with_diff=with_diff)
    source = None
    if status is not None:
        source = SourceInfo(
            id=status.source_id,
            state=status.state,
            label=status.label,
            hash=fiche.source_hash,
            modified=fiche.source_modified,
            diff=status.diff.as_json() if status.diff else None,
        )
    content: dict[str, Any] = services.snapshot(fiche)
    return FicheOut(
        id=fiche.id,
        state=fiche.state,
        state_label=services.STATE_LABELS[fiche.state],
        version=fiche.version,
        published_version=fiche.published_version,
        approved_version=fiche.approved_version,
        source=source,
        created_at=fiche.created_at,
        updated_at=fiche.updated_at,
        **content,
    )


def _content(body: FicheContent) -> dict[str, Any]:
    return body.model_dump(exclude={"comment", "base_version"}, mode="json")


@router.get(
    "/local-fiches", response_model=list[FicheSummary], summary="Lister les fiches du service"
)
def list_fiches(
    session: DbSession,
    agent: Reader,
    state: Annotated[str | None, Query(max_length=16)] = None,
) -> list[FicheSummary]:
    return [
        FicheSummary(
            id=f.id,
            title=f.title,
            state=f.state,
            version=f.version,
            published_version=f.published_version,
            public=f.public,
            review_by=f.review_by,
            source_id=f.source_id,
            updated_at=f.updated_at,
        )
        for f in services.list_fiches(session, state)
    ]


@router.post("/local-fiches", response_model=FicheOut, status_code=201, summary="Écrire une fiche")
def create(session: DbSession, agent: Editor, body: NewFiche) -> FicheOut:
    fiche = services.create(session, agent, _content(body), body.comment or "Création")
    return _out(session, fiche)


@router.get(
    "/local-fiches/{fiche_id}", response_model=FicheOut, summary="Lire une fiche du service"
)
def read(
    session: DbSession,
    agent: Reader,
    fiche_id: FicheId,
    source_diff: Annotated[bool, Query(description="Inclure le diff de la source.")] = False,
) -> FicheOut:
    return _out(session, services.get(session, fiche_id), with_diff=source_diff)


@router.put(
    "/local-fiches/{fiche_id}",
    response_model=FicheOut,
    summary="Enregistrer une nouvelle version",
    responses={409: {"description": "Modifiée entre-temps : `details` dit ce qui a changé."}},
)
def update(session: DbSession, agent: Editor, fiche_id: FicheId, body: FicheUpdate) -> FicheOut:
    fiche = services.update(
        session, agent, fiche_id, _content(body), body.base_version, body.comment
    )
    return _out(session, fiche)


@router.post(
    "/local-fiches/{fiche_id}/submit", response_model=FicheOut, summary="Soumettre à relecture"
)
def submit(session: DbSession, agent: Editor, fiche_id: FicheId) -> FicheOut:
    return _out(session, services.submit(session, agent, fiche_id))


@router.post(
    "/local-fiches/{fiche_id}/approve",
    response_model=FicheOut,
    summary="Approuver (second rédacteur)",
)
def approve(session: DbSession, runtime: RuntimeDep, agent: Editor, fiche_id: FicheId) -> FicheOut:
    return _out(
        session, services.approve(session, agent, fiche_id, services.Policy.of(runtime.settings))
    )


@router.post("/local-fiches/{fiche_id}/publish", response_model=FicheOut, summary="Publier")
def publish(session: DbSession, runtime: RuntimeDep, agent: Editor, fiche_id: FicheId) -> FicheOut:
    return _out(
        session,
        services.publish(
            session,
            agent,
            fiche_id,
            services.Policy.of(runtime.settings),
            today=runtime.settings.today(),
        ),
    )


@router.post("/local-fiches/{fiche_id}/archive", response_model=FicheOut, summary="Archiver")
def archive(session: DbSession, agent: Editor, fiche_id: FicheId) -> FicheOut:
    return _out(session, services.archive(session, agent, fiche_id))


@router.post(
    "/local-fiches/{fiche_id}/restore/{version}",
    response_model=FicheOut,
    summary="Restaurer une version (nouveau brouillon)",
)
def restore(
    session: DbSession,
    agent: Editor,
    fiche_id: FicheId,
    version: VersionNumber,
) -> FicheOut:
    return _out(session, services.restore(session, agent, fiche_id, version))


@router.get(
    "/local-fiches/{fiche_id}/versions",
    response_model=list[VersionOut],
    summary="Historique des versions",
)
def versions(session: DbSession, agent: Reader, fiche_id: FicheId) -> list[VersionOut]:
    return [VersionOut.of(v) for v in services.versions(session, fiche_id)]


@router.get(
    "/local-fiches/{fiche_id}/diff", response_model=DiffOut, summary="Diff entre deux versions"
)
def diff(
    session: DbSession, agent: Reader, fiche_id: FicheId, start: FromVersion, end: ToVersion
) -> DiffOut:
    return DiffOut.of(fiche_id, start, end, services.diff_versions(session, fiche_id, start, end))


@router.post(
    "/local-fiches/from-official/{official_id}",
    response_model=FicheOut,
    status_code=201,
    summary="Adapter une fiche officielle pour le téléphone",
)
def adapt(
    session: DbSession,
    agent: Editor,
    official_id: Annotated[str, Path(max_length=64)],
) -> FicheOut:
    return _out(session, services.adapt(session, agent, official_id))
