"""Search and as-you-type suggestions over the knowledge base (JSON)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from allo.contacts.agents import agent_for_token
from allo.db.session import unit_of_work
from allo.directory.query import type_span
from allo.directory.services import get_directory
from allo.errors import AlloError
from allo.kb import kinds
from allo.runtime import Runtime
from allo.search.agreements import default_catalog
from allo.search.service import SearchHit, SearchService, get_search_service
from allo.web.auth import request_token
from allo.web.deps import RuntimeDep
from allo.web.security.limits import check_async

router = APIRouter(prefix="/api", tags=["recherche"])


class JSONBody(Response):
    """An already serialised JSON body (the response models still document the API)."""

    media_type = "application/json"


class SearchPassage(BaseModel):
    anchor: str = Field(description="Identifiant du passage dans la page de la fiche (#ancre).")
    path: str = Field(description="Chemin du cas : « Vous êtes salarié › En CDI ».")
    snippet_html: str = Field(
        description="Extrait, HTML échappé ; les mots de la question sont entre <mark>."
    )


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
    passage: SearchPassage | None = Field(
        default=None,
        description="Le passage de la fiche qui répond le mieux (section ou cas), s'il y en a un.",
    )


class SearchAgreement(BaseModel):
    idcc: str = Field(description="Numéro IDCC de la convention collective.")
    title: str = Field(description="Titre officiel.")
    url: str = Field(description="Son texte sur Légifrance.")


class SearchArticle(BaseModel):
    article: str = Field(description="L'article tel que les codes l'écrivent (« L1224-1 »).")
    code: str = Field(description="Son code (« Code du travail ») ; vide s'il est ambigu.")
    url: str = Field(description="Son texte sur Légifrance, quand une fiche en donne l'adresse.")
    fiches: int = Field(description="Nombre de fiches qui le citent (en tête des résultats).")


class SearchResponse(BaseModel):
    query: str
    results: list[SearchResult]
    agreement_name: str | None = Field(
        default=None,
        description="Les mots de la question qui nomment une convention collective "
        "(« syntec » dans « prime syntec ») ; les fiches sont cherchées sans eux.",
    )
    agreements: list[SearchAgreement] = Field(
        default_factory=list,
        description="La ou les conventions collectives nommées (vide si la question n'en "
        "nomme pas) : leurs règles propres sont dans leur texte.",
    )
    legal_articles: list[SearchArticle] = Field(
        default_factory=list,
        description="Les articles de code que la question nomme (« L1224-1 ») : les fiches "
        "qui les citent viennent en premier, classées par le reste de la question.",
    )
    fiche_query: str | None = Field(
        default=None,
        description="La recherche de fiches faite, sans les mots du lieu (« caf » pour "
        "« caf lyon »), quand la question nomme un type d'organisme et un lieu.",
    )
    place: dict[str, Any] | None = Field(
        default=None, description="La commune comprise (code INSEE, nom, départements…)."
    )
    office_type: dict[str, Any] | None = Field(
        default=None, description="Le type d'organisme compris (code, libellé)."
    )
    offices: list[dict[str, Any]] = Field(
        default_factory=list,
        description="Les organismes compétents pour ce lieu, avec adresse, horaires et "
        "ouverture maintenant (comme `/api/directory/find`) ; vide si la question ne nomme "
        "pas un type d'organisme et un lieu.",
    )


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
    service: SearchService | None = runtime.services.get("search")
    if service is None:
        service = await run_in_threadpool(get_search_service, runtime)
    return service


def _is_agent(runtime: Runtime, token: str) -> bool:
    with unit_of_work(runtime.read_sessions) as session:
        return agent_for_token(session, token) is not None


async def _anonymous(runtime: Runtime, token: str | None) -> bool:
    """No valid session: a token is checked (off the event loop) only when one is sent."""
    if not token:
        return True
    return not await run_in_threadpool(_is_agent, runtime, token)


async def _orientation(
    runtime: Runtime, q: str, service: SearchService
) -> tuple[str, dict[str, Any] | None]:
    """ "caf lyon": the competent offices, and the query without its place words (a database
    read, off the event loop, only when the query names an office type)."""
    directory = get_directory(runtime)
    if type_span(q, directory.catalog) is None:
        return q, None
    try:
        return await run_in_threadpool(
            directory.for_query, None, q, ordinary=service.is_ordinary_word
        )
    except AlloError:
        return q, None  # the directory cannot answer: the fiches still can


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
        passage=SearchPassage(**hit.passage.as_dict()) if hit.passage else None,
    )


_LIMITED: dict[int | str, dict[str, Any]] = {
    429: {"description": "Trop de demandes depuis cette adresse (`Retry-After`)"}
}


@router.get(
    "/search", response_model=SearchResponse, summary="Rechercher une fiche", responses=_LIMITED
)
async def search(
    request: Request,
    runtime: RuntimeDep,
    token: Annotated[str | None, Depends(request_token)],
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
        Literal["auto", "lexical", "hybrid"],
        Query(
            description="« lexical » : sans re-classement sémantique (saisie au fil de l'eau) ; "
            "« hybrid » : re-classement sémantique ; « auto » : hybride pour un agent connecté, "
            "lexical sinon. La recherche hybride sans connexion est limitée par adresse."
        ),
    ] = "auto",
    idcc: Annotated[
        str | None,
        Query(
            max_length=8,
            pattern=r"^\s*\d{1,5}\s*$",
            description="IDCC de la convention collective de l'appelant, s'il la connaît (liste : "
            "`/api/search/agreements`) : les fiches qui renvoient à la convention collective "
            "viennent d'abord et la convention est donnée dans `agreements`, en premier.",
        ),
    ] = None,
) -> SearchResponse:
    service = await _service(runtime)
    service.chosen_agreement(idcc)  # an unknown IDCC: 422 before any work
    if mode == "auto":
        # The hybrid costs ~40x the lexical engine's CPU: anonymous callers must ask for it.
        mode = "lexical" if await _anonymous(runtime, token) else "hybrid"
    elif mode == "hybrid" and await _anonymous(runtime, token):
        await check_async(request, "search_hybrid")
    semantic = None if mode == "hybrid" else False
    fiche_query, orientation = await _orientation(runtime, q, service)
    if service.semantic and semantic is None:
        # The query embedding takes tens of milliseconds: off the event loop.
        hits = await run_in_threadpool(
            service.search, fiche_query, limit, audience, source, idcc=idcc
        )
    else:
        hits = service.search(fiche_query, limit, audience, source, semantic=semantic, idcc=idcc)
    if any(h.kind == kinds.INTERNAL for h in hits) and await _anonymous(runtime, token):
        hits = [h for h in hits if h.kind != kinds.INTERNAL]  # the service's internal fiches
    body = SearchResponse(query=q, results=[_result(h) for h in hits])
    notices = service.notices(fiche_query, idcc)  # « prime syntec », « L1224-1 »: read again, µs
    if notices.agreement is not None:
        body.agreement_name = notices.agreement.name_text or None  # (None: only chosen)
        body.agreements = [
            SearchAgreement(idcc=a.idcc, title=a.title, url=a.url)
            for a in notices.agreement.agreements
        ]
    body.legal_articles = [
        SearchArticle(article=a.label, code=a.code_name, url=a.url, fiches=a.fiches)
        for a in notices.articles
    ]
    if orientation is not None:
        body.fiche_query = fiche_query
        body.place = orientation["place"]
        body.office_type = orientation["type"]
        body.offices = orientation["offices"]
    # Serialised once by pydantic-core: returning the model would have FastAPI validate it again.
    return JSONBody(body.model_dump_json())  # type: ignore[return-value]


class AgreementItem(BaseModel):
    idcc: str = Field(description="Numéro IDCC (à passer à `/api/search?idcc=`).")
    short_title: str = Field(
        description="Titre court : « Banque », « Hôtels, cafés, restaurants »."
    )
    title: str = Field(description="Titre officiel.")
    url: str = Field(description="Son texte sur Légifrance.")


class AgreementsResponse(BaseModel):
    agreements: list[AgreementItem]


@router.get(
    "/search/agreements",
    response_model=AgreementsResponse,
    summary="Conventions collectives connues de la recherche",
    responses=_LIMITED,
)
async def search_agreements(
    request: Request,
    runtime: RuntimeDep,
    token: Annotated[str | None, Depends(request_token)],
) -> AgreementsResponse:
    """The agreements a search can be told the caller's (`idcc`), by short title: what a
    picker lists. A helper of the search box, limited like the suggestions when anonymous."""
    if await _anonymous(runtime, token):
        await check_async(request, "suggestions")
    body = AgreementsResponse(
        agreements=[
            AgreementItem(idcc=a.idcc, short_title=a.short_title, title=a.title, url=a.url)
            for a in default_catalog().choices()  # (no need to build the search index)
        ]
    )
    return JSONBody(body.model_dump_json())  # type: ignore[return-value]


@router.get(
    "/suggest",
    response_model=SuggestResponse,
    summary="Suggestions de saisie",
    responses=_LIMITED,
)
async def suggest(
    request: Request,
    runtime: RuntimeDep,
    token: Annotated[str | None, Depends(request_token)],
    q: Annotated[str, Query(description="Ce qui est en cours de saisie.")] = "",
    limit: Annotated[int, Query(ge=1, le=20)] = 8,
) -> SuggestResponse:
    if await _anonymous(runtime, token):
        await check_async(request, "suggestions")
    suggestions = (await _service(runtime)).suggest(q, limit)
    if any(s.kind == kinds.INTERNAL for s in suggestions) and await _anonymous(runtime, token):
        suggestions = [s for s in suggestions if s.kind != kinds.INTERNAL]
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
    service.refresh_if_due()
    body = SearchStatusResponse(**service.status().as_dict())
    return JSONBody(body.model_dump_json())  # type: ignore[return-value]
