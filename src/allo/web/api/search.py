"""Search and as-you-type suggestions over the knowledge base (JSON)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from allo.runtime import Runtime
from allo.search.service import SearchHit, SearchService, get_search_service
from allo.web.deps import RuntimeDep

router = APIRouter(prefix="/api", tags=["recherche"])


class JSONBody(Response):
    """An already serialised JSON body (the response models still document the API)."""

    media_type = "application/json"


class SearchResult(BaseModel):
    id: str = Field(description="Identifiant de la fiche à la source (F1234, article375542…).")
    title: str
    score: float = Field(
        description="Pertinence (plus grand = meilleur ; échelle propre au moteur)."
    )
    audiences: list[str]
    url: str
    kind: str = Field(description="fiche, question, dossier, comment-faire…")
    source: str
    description: str


class SearchResponse(BaseModel):
    query: str
    results: list[SearchResult]


class SuggestionItem(BaseModel):
    id: str
    title: str
    kind: str
    url: str


class SuggestResponse(BaseModel):
    query: str
    suggestions: list[SuggestionItem]


async def _service(runtime: Runtime) -> SearchService:
    """The worker's service; its first build (seconds on the full base) runs off the event loop."""
    service = runtime.services.get("search")
    if service is None:
        service = await run_in_threadpool(get_search_service, runtime)
    return service


def _result(hit: SearchHit) -> SearchResult:
    return SearchResult(
        id=hit.id,
        title=hit.title,
        score=hit.score,
        audiences=list(hit.audiences),
        url=hit.url,
        kind=hit.kind,
        source=hit.source,
        description=hit.description,
    )


@router.get("/search", response_model=SearchResponse, summary="Rechercher une fiche")
async def search(
    runtime: RuntimeDep,
    q: Annotated[str, Query(description="La question, en langage courant.")] = "",
    limit: Annotated[int, Query(ge=1, le=100, description="Nombre de résultats.")] = 10,
    audience: Annotated[
        Literal["particuliers", "professionnels", "associations"] | None,
        Query(description="Public : particuliers, professionnels ou associations."),
    ] = None,
    source: Annotated[
        str | None, Query(max_length=32, description="dila, travail ou local.")
    ] = None,
    mode: Annotated[
        Literal["auto", "lexical"],
        Query(description="« lexical » : sans re-classement sémantique (saisie au fil de l'eau)."),
    ] = "auto",
) -> SearchResponse:
    service = await _service(runtime)
    semantic = None if mode == "auto" else False
    if service.semantic and semantic is None:
        # The query embedding takes tens of milliseconds: off the event loop.
        hits = await run_in_threadpool(service.search, q, limit, audience, source)
    else:
        hits = service.search(q, limit, audience, source, semantic=semantic)
    body = SearchResponse(query=q, results=[_result(h) for h in hits])
    # Serialised once by pydantic-core: returning the model would have FastAPI validate it again.
    return JSONBody(body.model_dump_json())  # type: ignore[return-value]


@router.get("/suggest", response_model=SuggestResponse, summary="Suggestions de saisie")
async def suggest(
    runtime: RuntimeDep,
    q: Annotated[str, Query(description="Ce qui est en cours de saisie.")] = "",
    limit: Annotated[int, Query(ge=1, le=20)] = 8,
) -> SuggestResponse:
    suggestions = (await _service(runtime)).suggest(q, limit)
    body = SuggestResponse(
        query=q,
        suggestions=[
            SuggestionItem(id=s.id, title=s.title, kind=s.kind, url=s.url) for s in suggestions
        ],
    )
    return JSONBody(body.model_dump_json())  # type: ignore[return-value]


class SearchStatusResponse(BaseModel):
    fiches: int = Field(description="Fiches indexées par ce processus.")
    semantic: bool = Field(description="Re-classement sémantique actif (un modèle est configuré).")
    model: str | None = Field(description="Modèle des vecteurs sémantiques.")
    with_vector: int = Field(description="Fiches indexées qui ont leur vecteur.")
    coverage: float = Field(description="Part des fiches qui ont leur vecteur (0 à 1).")
    index_age_s: float = Field(
        description="Secondes depuis la construction de l'index ou sa dernière mise à jour."
    )
    built_at: str = Field(description="Date (UTC) de cette construction ou mise à jour.")


@router.get("/search/status", response_model=SearchStatusResponse, summary="État de la recherche")
async def search_status(runtime: RuntimeDep) -> SearchStatusResponse:
    service = await _service(runtime)
    service.refresh()
    body = SearchStatusResponse(**service.status().as_dict())
    return JSONBody(body.model_dump_json())  # type: ignore[return-value]
