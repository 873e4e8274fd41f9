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
from allo.kb.watch import Reason, Reliance
from allo.search.articles import ArticleCitations, CitedArticle, citing_references


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
    service's live fiches (`allo.kb.local.repository.live_fiches`)."""
    return [_one(citations, own, relied) for citations in found]


def _one(found: ArticleCitations, own: Sequence[LocalFiche], relied: Reliance) -> ArticleReview:
    spans = citing_references(((f.id, f.sites) for f in own), found.named)
    local = [
        Citing(
            id=f.id,
            title=f.title,
            source="local",
            reference=spans[f.id].reference,
            state=f.state,
            # a published fiche being edited is a draft again, its published version still live
            published=f.published_version is not None,
        )
        for f in own
        if f.id in spans
    ]
    official: list[tuple[tuple[int, int], Citing]] = []
    for position, fiche in enumerate(f for f in found.fiches if f.source != "local"):
        reasons = relied.reasons(fiche.id)
        item = Citing(fiche.id, fiche.title, fiche.source, fiche.reference, reasons=tuple(reasons))
        official.append(((-relied.score(fiche.id, reasons), position), item))
    ordered = [item for _key, item in sorted(official, key=lambda kv: kv[0])]
    return ArticleReview(found.article, (*local, *ordered))
