"""The legal watch by article: when a code article changes (Journal officiel, Légifrance), the
fiches the editors review — the service's own first (only its editors revise them; drafts and
fiches in review included: the search holds only what is published, so they are read from their
current text with the index's own reading), then the official fiches the service relies on (the
change reports' watch: adapted, linked, in an escalation sheet, consulted), then the others in
the search's order (narrowest reference, title).

What the service relies on is the caller's to compute (`allo.kb.watch.reliance`: it counts the
advisors' consultations, which the contacts domain keeps and this package may not import).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from allo.kb.local.models import LocalFiche
from allo.kb.local.workflow import STATE_LABELS
from allo.kb.watch import Reason, Reliance
from allo.search.articles import ArticleCitations, ArticleIndex, CitedArticle, cited_spans


@dataclass(frozen=True, slots=True)
class Citing:
    """A fiche to review, with the reference that covers the article as it prints it."""

    id: str
    title: str
    #: dila, travail or local
    source: str
    reference: str
    #: a local fiche's workflow state (draft, review, published); "" for an official fiche
    state: str = ""
    #: whether a version of it is published (an official fiche always is)
    published: bool = True
    #: why the service relies on it (official fiches)
    reasons: tuple[Reason, ...] = ()

    @property
    def local(self) -> bool:
        return self.source == "local"

    @property
    def state_label(self) -> str:
        """A local fiche's state in French (« Brouillon (une version publiée en ligne) » when
        another version of it is online); "" for an official fiche."""
        if not self.local:
            return ""
        label = STATE_LABELS.get(self.state, self.state)
        if self.published and self.state != "published":
            label += " (une version publiée en ligne)"
        return label


@dataclass(frozen=True, slots=True)
class ArticleReview:
    """An article and the fiches to review when it changes, in the order to review them."""

    article: CitedArticle
    fiches: tuple[Citing, ...]

    @property
    def local(self) -> int:
        """How many are the service's own."""
        return sum(1 for f in self.fiches if f.local)

    @property
    def relied(self) -> int:
        """How many official ones the service relies on."""
        return sum(1 for f in self.fiches if f.reasons)


def review(
    found: Sequence[ArticleCitations], own: Sequence[LocalFiche], relied: Reliance
) -> list[ArticleReview]:
    """`found`: the search's citations of each article (`SearchService.citations`); `own`: the
    service's live fiches (`allo.kb.local.repository.live_fiches`), their references (« Sites
    externes ») indexed once as the search indexes the published ones."""
    drafts = ArticleIndex((i, cited_spans(f.sites)) for i, f in enumerate(own))
    return [_one(citations, own, drafts, relied) for citations in found]


def _one(
    found: ArticleCitations, own: Sequence[LocalFiche], drafts: ArticleIndex, relied: Reliance
) -> ArticleReview:
    spans = drafts.citing(found.named)
    local = [
        Citing(
            id=f.id,
            title=f.title,
            source="local",
            reference=spans[i].reference,
            state=f.state,
            # a published fiche being edited is a draft again, its published version still live
            published=f.published_version is not None,
        )
        for i, f in enumerate(own)
        if i in spans
    ]
    official = []
    for fiche in found.fiches:
        if fiche.source != "local":
            reasons = tuple(relied.reasons(fiche.id))
            official.append(
                Citing(fiche.id, fiche.title, fiche.source, fiche.reference, reasons=reasons)
            )
    # by how much the service relies on them; the search's order otherwise (the sort is stable)
    official.sort(key=lambda c: -relied.score(c.id, c.reasons))
    return ArticleReview(found.article, (*local, *official))
