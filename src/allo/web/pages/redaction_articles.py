"""The legal watch by article (`/redaction/articles`): when a code article changes (the Journal
officiel, Légifrance), every fiche citing it, for the editors to review — the service's own
fiches first (only its editors revise them), then the official fiches the service relies on (as
the change reports' watch ranks them: adapted, linked, in an escalation sheet, consulted), then
the others, each with the reference that covers the article as the fiche prints it.

The list and its order are `allo.search.legal_watch`'s; `GET /api/kb/articles` serves the same.
Editors use it; supervisors may read it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, ClassVar

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response

from allo.backlog.articles import reviews
from allo.contacts.models import Agent
from allo.errors import InvalidInput
from allo.kb.records import SOURCE_LABELS
from allo.search.articles import MAX_WATCH_TEXT
from allo.search.legal_watch import ArticleReview, Citing
from allo.web.pages._auth import EDITOR, AgentCall, AgentCallDep
from allo.web.pages._base import HOME, Page, agent_view, doc, render
from allo.web.pages.redaction_watch import READERS, REDACTION

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


def _line(fiche: Citing, agent: Agent) -> CitingLine:
    href = f"/fiches/{fiche.id}" if fiche.published else ""
    if fiche.local and agent.role in EDITOR:  # a supervisor reads the published page; a draft none
        href = f"/redaction/fiches/{fiche.id}"
    return CitingLine(
        id=fiche.id,
        title=fiche.title,
        href=href,
        source=SOURCE_LABELS.get(fiche.source, fiche.source),
        state=fiche.state_label,
        local=fiche.local,
        reference=fiche.reference,
        reasons=[(r.label, r.detail) for r in fiche.reasons],
    )


def _block(found: ArticleReview, agent: Agent) -> ArticleBlock:
    article = found.article
    return ArticleBlock(
        label=article.label,
        code_name=article.code_name,
        url=article.url,
        fiches=[_line(f, agent) for f in found.fiches],
        local=found.local,
        relied=found.relied,
    )


def _page(call: AgentCall, agent: Agent, text: str) -> tuple[ArticlesPage, int]:
    blocks: list[ArticleBlock] = []
    error, status = "", 200
    if text.strip():
        try:
            blocks = [_block(r, agent) for r in reviews(call.runtime, call.session, text)]
        except InvalidInput as exc:
            error, status = exc.message, exc.status_code
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
