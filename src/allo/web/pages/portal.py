"""The citizen portal: home page, search results and suggestions as you type.

Both pages work without JavaScript (plain GET forms); htmx fills the suggestions under the search
box from `/recherche/suggestions` and swaps the results in place when the audience changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any, ClassVar
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup
from sqlalchemy.orm import Session

from allo.contacts import calendar
from allo.errors import AlloError, InvalidInput
from allo.kb import kinds
from allo.kb import services as kb
from allo.kb.kinds import LABELS as KIND_LABELS
from allo.kb.records import AUDIENCE_LABELS, AUDIENCES, SOURCE_LABELS
from allo.search.service import SearchHit, get_search_service
from allo.web.deps import DbSession, RuntimeDep
from allo.web.pages import _portal_gaps
from allo.web.pages._base import (
    HOME,
    AgentView,
    Crumb,
    Fragment,
    Page,
    doc,
    page_agent,
    page_instead,
    render,
)
from allo.web.pages._offices import PlaceAnswer, search_orientation
from allo.web.pages._search_notices import SearchNotices, search_notices

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
#: What the home page says of the phone service when the service calendar cannot be read.
DEFAULT_PHONE_HOURS = (
    "Des conseillers répondent au téléphone du lundi au vendredi de 8 h à 20 h "
    "et le samedi de 8 h 30 à 18 h 30."
)
MAX_QUERY = 200
PAGE_SIZE = 10
MAX_PAGES = 5
SUGGESTIONS = 8
#: below this many characters, suggestions come from titles only
MIN_FALLBACK = 4
#: with fewer title suggestions than this, search results complete them
FEW_SUGGESTIONS = 3

Agent = Annotated[AgentView | None, Depends(page_agent)]


@dataclass(frozen=True)
class Option:
    """One choice of a filter (radio button or select option)."""

    value: str = field(metadata=doc("Submitted value (empty: no filter)."))
    label: str = field(metadata=doc("French label."))
    checked: bool = field(default=False, metadata=doc("Whether it is the current choice."))


@dataclass(frozen=True)
class ResultItem:
    """One search result, as a card."""

    href: str = field(metadata=doc("Link to the fiche page."))
    title: str = field(metadata=doc("Title of the fiche."))
    description: str = field(metadata=doc("Summary, shortened to about two lines."))
    kind: str = field(metadata=doc("Kind of publication in French (Fiche pratique…)."))
    audiences: list[str] = field(metadata=doc("Audiences in French (Particuliers…)."))
    source: str = field(metadata=doc("Where the fiche comes from (service-public.fr…)."))
    id: str = field(default="", metadata=doc("Fiche identifier."))
    passage_anchor: str = field(default="", metadata=doc("Id of that passage in the fiche page."))
    passage_path: str = field(
        default="", metadata=doc("Case path of the passage that answers (« A › B »).")
    )
    passage_snippet: Markup = field(
        default=Markup(""), metadata=doc("Snippet of that passage, escaped, words in <mark>.")
    )


def passage_fields(hit: SearchHit) -> dict[str, Any]:
    """The result's passage for a ResultItem (nothing when no section holds a query word)."""
    if hit.passage is None:
        return {}
    return {
        "passage_anchor": hit.passage.anchor,
        "passage_path": hit.passage.path,
        # escaped by allo.search.passages.snippet_html, <mark> added after escaping
        "passage_snippet": Markup(hit.passage.snippet_html),  # noqa: S704
    }


def audience_options(current: str) -> list[Option]:
    return [Option("", "Tous les publics", not current)] + [
        Option(a, AUDIENCE_LABELS.get(a, a), a == current) for a in AUDIENCES
    ]


@dataclass(frozen=True)
class ThemeGroup:
    """The top themes of the knowledge base for one audience."""

    audience: str = field(metadata=doc("Audience in French (Particuliers…)."))
    themes: list[Crumb] = field(metadata=doc("Links to the theme pages."))


@dataclass(kw_only=True)
class HomePage(Page):
    template: ClassVar[str] = "portal/home.html"

    themes: list[ThemeGroup] = field(
        default_factory=list, metadata=doc("Top themes per audience; empty if none loaded.")
    )
    popular: list[Crumb] = field(
        metadata=doc("Frequent searches, shown as tags linking to their results.")
    )
    phone_hours: str = field(
        metadata=doc("One French sentence saying when advisors answer the phone.")
    )
    q: str = field(default="", metadata=doc("Text already in the search box (empty here)."))
    audience: str = field(default="", metadata=doc("Audience kept by the search form (empty)."))
    fiche_count: str = field(
        default="",
        metadata=doc("How many answer fiches the base holds, in French digits (« 1 948 »)."),
    )


@dataclass(kw_only=True)
class SearchPage(Page):
    template: ClassVar[str] = "portal/search.html"

    q: str = field(metadata=doc("The query as typed (shown back in the search box)."))
    audience: str = field(metadata=doc("Audience filter: particuliers, professionnels… or empty."))
    audiences: list[Option] = field(metadata=doc("The audience filter's choices."))
    results: list[ResultItem] = field(metadata=doc("Best fiches first; empty without a query."))
    error: str = field(default="", metadata=doc("French message when the query is unusable."))
    popular: list[Crumb] = field(
        default_factory=list, metadata=doc("Frequent searches, offered when nothing was asked.")
    )
    page_number: int = field(default=1, metadata=doc("Current page of results, from 1."))
    first_rank: int = field(default=1, metadata=doc("Rank of the first result shown."))
    pages: list[Crumb] = field(
        default_factory=list, metadata=doc("Links to every page of results (label: number).")
    )
    prev_href: str = field(default="", metadata=doc("Previous page of results, or empty."))
    next_href: str = field(default="", metadata=doc("Next page of results, or empty."))
    orientation: PlaceAnswer | None = field(
        default=None,
        metadata=doc("Competent offices when the query names a type and a place (« caf lyon »)."),
    )
    notices: SearchNotices | None = field(
        default=None,
        metadata=doc("The agreement and code articles the query names (« prime syntec »)."),
    )


@dataclass(kw_only=True)
class SuggestionsFragment(Fragment):
    template: ClassVar[str] = "portal/_suggestions.html"

    q: str = field(metadata=doc("What has been typed so far."))
    items: list[ResultItem] = field(metadata=doc("Fiche titles and questions matching it."))
    all_href: str = field(metadata=doc("Link to the full results for what was typed."))


def popular_links() -> list[Crumb]:
    return [Crumb(q, "/recherche?" + urlencode({"q": q})) for q in POPULAR_SEARCHES]


def _clean_query(q: str) -> str:
    text = " ".join(q.split())
    if len(text) > MAX_QUERY:
        raise InvalidInput(f"Votre recherche est trop longue ({MAX_QUERY} caractères au plus).")
    return text


def _audience(value: str) -> str:
    return value if value in AUDIENCES else ""


def _shorten(text: str, limit: int = 220) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:.") + "…"


def phone_hours(session: Session) -> str:
    """The service's own calendar, as the administrator set it."""
    try:
        text = calendar.describe_hours(calendar.load_hours(session))
    except AlloError:
        return DEFAULT_PHONE_HOURS
    return f"Des conseillers répondent au téléphone. {text}"


def theme_groups(session: Session) -> list[ThemeGroup]:
    themes = kb.list_fiches(session, kinds=["theme"], limit=100)
    return [
        ThemeGroup(
            AUDIENCE_LABELS.get(a, a),
            [Crumb(t.title, f"/fiches/{t.id}") for t in themes if a in (t.audiences or [])],
        )
        for a in AUDIENCES
        if any(a in (t.audiences or []) for t in themes)
    ]


@router.get("/", response_class=HTMLResponse)
def home(request: Request, session: DbSession, agent: Agent) -> HTMLResponse:
    ctx = HomePage(
        title="Accueil",
        nav="accueil",
        agent=agent,
        popular=popular_links(),
        phone_hours=phone_hours(session),
        themes=theme_groups(session),
        fiche_count=_french_int(kb.answer_count(session)),
    )
    return render(request, ctx)


def _french_int(n: int) -> str:
    """1948 → « 1 948 » (narrow no-break space between thousands, as French typography wants)."""
    return f"{n:,}".replace(",", "\u202f") if n else ""


@router.get("/recherche", response_class=HTMLResponse)
def search(
    request: Request,
    runtime: RuntimeDep,
    agent: Agent,
    q: Annotated[str, Query(max_length=2000)] = "",
    audience: Annotated[str, Query(max_length=32)] = "",
    page: Annotated[int, Query(ge=1, le=1000)] = 1,
) -> HTMLResponse:
    audience = _audience(audience)
    page = min(page, MAX_PAGES)
    results: list[ResultItem] = []
    error = ""
    more = False
    orientation = None
    notices = None
    try:
        query = _clean_query(q)
        if query:
            # "caf lyon": the offices for Lyon beside the fiches, searched without "lyon"
            fiche_query, orientation = search_orientation(runtime, query)
            if page == 1:
                notices = search_notices(runtime, fiche_query or query)  # « prime syntec »
            else:
                orientation = None  # shown with the first page of fiches
            found = get_search_service(runtime).search(
                fiche_query or query,
                PAGE_SIZE * page + 1,
                audience or None,
                semantic=runtime.settings.portal_search == "hybrid",
                passages=False,
            )
            found = [h for h in found if h.kind != kinds.INTERNAL]  # agents only
            more = len(found) > PAGE_SIZE * page and page < MAX_PAGES
            hits = found[PAGE_SIZE * (page - 1) : PAGE_SIZE * page]
            hits = get_search_service(runtime).with_passages(fiche_query or query, hits)
            results = [
                ResultItem(
                    href=f"/fiches/{h.id}" + (f"#{h.passage.anchor}" if h.passage else ""),
                    title=h.title,
                    description=_shorten(h.description),
                    kind=KIND_LABELS.get(h.kind, h.kind),
                    audiences=[AUDIENCE_LABELS.get(a, a) for a in h.audiences],
                    source=SOURCE_LABELS.get(h.source, h.source),
                    **passage_fields(h),
                )
                for h in hits
            ]
            if page == 1 and agent is None:
                _portal_gaps.searched(runtime, query, found=bool(found))
    except InvalidInput as exc:
        query, error = q[:MAX_QUERY], exc.message
    title = f"Résultats pour « {_shorten(query, 60)} »" if query and not error else "Rechercher"
    ctx = SearchPage(
        title=title,
        breadcrumb=[HOME],
        nav="recherche",
        agent=agent,
        q=query,
        audience=audience,
        audiences=audience_options(audience),
        results=results,
        error=error,
        popular=[] if query else popular_links(),
        page_number=page,
        first_rank=PAGE_SIZE * (page - 1) + 1,
        orientation=orientation,
        notices=notices if not error else None,
    )
    if results and (page > 1 or more):
        last = page + 1 if more else page
        ctx.pages = [Crumb(str(n), _search_href(query, audience, n)) for n in range(1, last + 1)]
        ctx.prev_href = _search_href(query, audience, page - 1) if page > 1 else ""
        ctx.next_href = _search_href(query, audience, page + 1) if more else ""
    return render(request, ctx)


def _search_href(query: str, audience: str, page: int) -> str:
    params: dict[str, str | int] = {"q": query}
    if audience:
        params["audience"] = audience
    if page > 1:
        params["page"] = page
    return "/recherche?" + urlencode(params)


def _suggestion_item(
    fiche_id: str, title: str, kind: str, audiences: tuple[str, ...]
) -> ResultItem:
    return ResultItem(
        href=f"/fiches/{fiche_id}",
        title=title,
        description="",
        kind=KIND_LABELS.get(kind, kind),
        audiences=[AUDIENCE_LABELS.get(a, a) for a in audiences],
        source="",
    )


@router.get("/recherche/suggestions", response_class=HTMLResponse, tags=["fragment"])
def suggestions(
    request: Request,
    runtime: RuntimeDep,
    q: Annotated[str, Query(max_length=2000)] = "",
    audience: Annotated[str, Query(max_length=32)] = "",
) -> Response:
    """The suggestion list under a search box (empty when too little has been typed)."""
    page = page_instead(request, "/recherche", {"q": q, "audience": audience})
    if page is not None:
        return page
    text = " ".join(q.split())[:MAX_QUERY]
    audience = _audience(audience)
    items: list[ResultItem] = []
    if len(text) >= 2:
        service = get_search_service(runtime)
        for s in service.suggest(text, SUGGESTIONS * 2):
            if audience and s.audiences and audience not in s.audiences:
                continue
            if s.kind == kinds.INTERNAL:
                continue
            items.append(_suggestion_item(s.id, s.title, s.kind, s.audiences))
            if len(items) == SUGGESTIONS:
                break
        if len(items) < FEW_SUGGESTIONS and len(text) >= MIN_FALLBACK:
            # Few titles hold every word typed (« carte grise perdue »): complete with the best
            # lexical matches, which costs a few milliseconds and no embedding.
            shown = {item.href for item in items}
            for h in service.search(text, SUGGESTIONS, audience or None, semantic=False):
                if h.kind == kinds.INTERNAL:
                    continue
                item = _suggestion_item(h.id, h.title, h.kind, h.audiences)
                if item.href not in shown and len(items) < SUGGESTIONS:
                    items.append(item)
    params = {"q": text, **({"audience": audience} if audience else {})}
    ctx = SuggestionsFragment(q=text, items=items, all_href="/recherche?" + urlencode(params))
    return render(request, ctx)
