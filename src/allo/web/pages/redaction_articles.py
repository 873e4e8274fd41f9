"""The legal watch by article (`/redaction/articles`): when a code article changes (the Journal
officiel, Légifrance), every fiche citing it, for the editors to review — the service's own
fiches first (only its editors revise them), then the official fiches the service relies on (as
the change reports' watch ranks them: adapted, linked, in an escalation sheet, consulted), then
the others, each with the reference that covers the article as the fiche prints it.

The official fiches come from the search's article index (`SearchService.citations`); the
service's own from their current text, drafts and fiches in review included (the index holds only
what is published). Editors use it; supervisors may read it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, ClassVar

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response

from allo.contacts.models import Agent
from allo.contacts.repository import consulted_counts
from allo.errors import InvalidInput
from allo.kb import watch
from allo.kb.local import repository as local_repository
from allo.kb.local.models import LocalFiche
from allo.kb.local.workflow import STATE_LABELS
from allo.search.articles import MAX_WATCH_TEXT, ArticleCitations, citing_references
from allo.search.service import get_search_service
from allo.web.pages._auth import EDITOR, AgentCall, AgentCallDep
from allo.web.pages._base import HOME, Page, agent_view, doc, render
from allo.web.pages.portal import SOURCE_LABELS
from allo.web.pages.redaction_watch import READERS, REDACTION, service_sheets

router = APIRouter(include_in_schema=False)

#: the hard bound of the field (the domain refuses past MAX_WATCH_TEXT, in French)
FIELD_LIMIT = 2_000


@dataclass(frozen=True)
class CitingLine:
    """A fiche citing the article."""

    id: str = field(metadata=doc("Fiche id."))
    title: str = field(metadata=doc("Fiche title."))
    href: str = field(
        metadata=doc("Its page (the editor's form for the service's own fiches; none: a draft).")
    )
    source: str = field(metadata=doc("Where it comes from, in French."))
    state: str = field(metadata=doc("The service's fiche's state (Brouillon…); empty otherwise."))
    local: bool = field(metadata=doc("Whether it is the service's own fiche."))
    reference: str = field(metadata=doc("The reference covering the article, as printed."))
    reasons: list[tuple[str, str]] = field(
        metadata=doc("(reason, detail) why the service relies on it (official fiches).")
    )


@dataclass(frozen=True)
class ArticleBlock:
    """An article the editor asked about and the fiches citing it."""

    label: str = field(metadata=doc("The article as the codes print it (« L1224-1 »)."))
    code_name: str = field(metadata=doc("Its code (« Code du travail »); empty if ambiguous."))
    url: str = field(metadata=doc("Its text on Légifrance, when a fiche gives its address."))
    fiches: list[CitingLine] = field(
        metadata=doc("The fiches citing it: the service's, then relied on, then the others.")
    )
    local: int = field(metadata=doc("How many of them are the service's own."))
    relied: int = field(metadata=doc("How many official ones the service relies on."))


@dataclass(kw_only=True)
class ArticlesPage(Page):
    template: ClassVar[str] = "redaction/articles.html"

    article: str = field(metadata=doc("What the editor typed (« L1224-1 »), kept in the form."))
    articles: list[ArticleBlock] = field(metadata=doc("Each article read, with its fiches."))
    limit: int = field(metadata=doc("The longest text read, in characters."))
    error: str = field(default="", metadata=doc("French message when nothing could be read."))


def _local_lines(found: ArticleCitations, own: list[LocalFiche], agent: Agent) -> list[CitingLine]:
    """The service's fiches citing the article, drafts and fiches in review included (the
    index holds only what is published): read from their current « Sites externes »."""
    citing = citing_references(((f.id, f.sites) for f in own), found.named)
    lines = []
    for fiche in own:
        span = citing.get(fiche.id)
        if span is None:
            continue
        # a published fiche being edited is a draft again, its published version still live
        published = fiche.published_version is not None
        state = STATE_LABELS.get(fiche.state, fiche.state)
        if published and fiche.state != "published":
            state += " (une version publiée en ligne)"
        if agent.role in EDITOR:
            href = f"/redaction/fiches/{fiche.id}"
        else:  # a supervisor reads the published fiche; a draft has no page of its own
            href = f"/fiches/{fiche.id}" if published else ""
        lines.append(
            CitingLine(
                id=fiche.id,
                title=fiche.title,
                href=href,
                source=SOURCE_LABELS["local"],
                state=state,
                local=True,
                reference=span.reference,
                reasons=[],
            )
        )
    return lines


def _block(
    found: ArticleCitations, relied: watch.Reliance, own: list[LocalFiche], agent: Agent
) -> ArticleBlock:
    """The service's own fiches first, then the official ones by how much the service relies
    on them; the search's order (narrowest reference, title) otherwise."""
    official: list[tuple[tuple[int, int], CitingLine]] = []
    for position, fiche in enumerate(f for f in found.fiches if f.source != "local"):
        reasons = relied.reasons(fiche.id)
        line = CitingLine(
            id=fiche.id,
            title=fiche.title,
            href=f"/fiches/{fiche.id}",
            source=SOURCE_LABELS.get(fiche.source, fiche.source),
            state="",
            local=False,
            reference=fiche.reference,
            reasons=[(r.label, r.detail) for r in reasons],
        )
        official.append(((-relied.score(fiche.id, reasons), position), line))
    local = _local_lines(found, own, agent)
    lines = local + [line for _key, line in sorted(official, key=lambda kv: kv[0])]
    article = found.article
    return ArticleBlock(
        label=article.label,
        code_name=article.code_name,
        url=article.url,
        fiches=lines,
        local=len(local),
        relied=sum(1 for line in lines if line.reasons),
    )


def _page(call: AgentCall, agent: Agent, text: str) -> tuple[ArticlesPage, int]:
    blocks: list[ArticleBlock] = []
    error, status = "", 200
    if text.strip():
        try:
            found = get_search_service(call.runtime).citations(text)
        except InvalidInput as exc:
            error, status = exc.message, exc.status_code
        else:
            relied = watch.reliance(call.session, service_sheets(call), None, consulted_counts)
            own = local_repository.live_fiches(call.session)
            blocks = [_block(f, relied, own, agent) for f in found]
    title = "Veille juridique : fiches citant un article"
    page = ArticlesPage(
        title=title,
        breadcrumb=[HOME, REDACTION],
        nav="redaction",
        agent=agent_view(agent),
        article=text,
        articles=blocks,
        limit=MAX_WATCH_TEXT,
        error=error,
    )
    return page, status


@router.get("/redaction/articles", response_class=HTMLResponse)
def cited_articles(
    call: AgentCallDep,
    article: Annotated[str, Query(max_length=FIELD_LIMIT)] = "",
) -> Response:
    allowed = call.gate(READERS)
    if isinstance(allowed, Response):
        return allowed
    page, status = _page(call, allowed, article)
    return render(call.request, page, status_code=status)
