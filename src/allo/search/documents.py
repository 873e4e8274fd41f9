"""What the index holds for one fiche: its own fields plus what the rest of the base says of it.

A fiche's question-réponse titles and the titles of the fiches it links are folded into it
(citizens ask questions in the words of those titles), and each fiche also receives the titles
of the fiches that link *to* it. The weights of these fields are measured in docs/SEARCH.md.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from allo.search.articles import ArticleSpan, cited_spans
from allo.search.repository import FicheRecord

QUESTION_REL = "question-reponse"
#: links between answers (see allo.kb.dila): their titles are folded into the linking fiche,
#: and the linking fiche's title into theirs. Parents ("dossier") are already in the breadcrumb
#: and a dossier's children ("contenu") would turn dossiers into bags of every title below them.
RELATED_RELS = frozenset(
    {"fiche-liee", "voir-aussi", "lien-interne", "comment-faire", "recherche-guidee", "relation"}
)
FOLDED_RELS = RELATED_RELS | {QUESTION_REL}
_SPACES = re.compile(r"\s+")
#: the questions-réponses titles the dense model reads, after the section titles (measured:
#: docs/SEARCH.md; more text is more of the model's time at every import)
QUESTION_TITLES_CHARS = 400
_CITES_AGREEMENTS = re.compile(r"conventions?\s+collectives?", re.IGNORECASE)
_HOME_CRUMBS = frozenset({"particuliers", "professionnels", "associations"})


@dataclass(frozen=True)
class SearchDocument:
    id: str
    source: str
    kind: str
    title: str
    description: str
    audiences: tuple[str, ...]
    url: str
    #: titles of the question-réponse fiches this fiche lists
    questions: str
    #: titles of the other fiches this fiche links (voir aussi, fiches liées, liens internes)
    related: str
    #: titles of the fiches that link to this one
    linked_by: str
    #: subject and breadcrumb
    context: str
    body: str
    #: titles of its sections and situations (read by the dense model only)
    sections: str = ""
    #: the code articles its references name (a query naming one finds it: allo.search.articles)
    articles: tuple[ArticleSpan, ...] = ()

    @cached_property
    def cites_agreements(self) -> bool:
        """Whether the fiche says a collective agreement can change its answer: where a query
        names one, these fiches come first (allo.search.agreements)."""
        return _CITES_AGREEMENTS.search(self.body) is not None

    @property
    def embedding_text(self) -> str:
        """What the dense model reads: title, description, section titles and the titles of the
        questions-réponses it lists (measured: docs/SEARCH.md)."""
        return embedding_text(self.title, self.description, self.sections, self.questions)

    def fingerprint(self) -> str:
        """Changes whenever anything the index holds for this document changes."""
        return self._fingerprint

    @cached_property
    def _fingerprint(self) -> str:
        digest = hashlib.sha256()
        for part in (
            self.id,
            self.source,
            self.kind,
            self.title,
            self.description,
            "\x1e".join(self.audiences),
            self.url,
            self.questions,
            self.related,
            self.linked_by,
            self.context,
            self.body,
            self.sections,
            repr(self.articles),
        ):
            digest.update(part.encode("utf-8", "surrogatepass"))
            digest.update(b"\x1f")
        return digest.hexdigest()


def clean(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def embedding_text(title: str, description: str, sections: str = "", questions: str = "") -> str:
    """The text a fiche's sentence vector is computed from (the cache key depends on it):
    `questions` one title a line, the first ones up to QUESTION_TITLES_CHARS."""
    parts = [clean(title), clean(description), clean(sections)]
    kept: list[str] = []
    size = 0
    for line in questions.split("\n"):
        line = clean(line)
        if not line or size + len(line) > QUESTION_TITLES_CHARS:
            break
        kept.append(line)
        size += len(line) + 1
    return clean(" ".join(p for p in [*parts, *kept] if p))


def linked_titles(
    fiche_id: str, links: Iterable[dict[str, Any]], own_title: Mapping[str, str]
) -> tuple[list[str], list[str]]:
    """The titles of the questions-réponses a fiche lists and of the other fiches it links, once
    each, as its links name them (else as the target names itself)."""
    questions: list[str] = []
    related: list[str] = []
    seen: set[tuple[str, str]] = set()
    for link in links:
        rel = link.get("rel")
        target = str(link.get("id") or "")
        if rel not in FOLDED_RELS or target == fiche_id:
            continue
        title = clean(str(link.get("title") or own_title.get(target, "")))
        if not title or (target, title) in seen:
            continue
        seen.add((target, title))
        (questions if rel == QUESTION_REL else related).append(title)
    return questions, related


def build_documents(records: Iterable[FicheRecord]) -> list[SearchDocument]:
    """Search documents for the searchable fiches, with link titles folded in both directions."""
    records = list(records)
    searchable = {r.id for r in records}
    own_title = {r.id: r.title for r in records}
    linked_by: dict[str, list[str]] = {}
    for record in records:
        for link in record.related:
            target = link.get("id")
            if link.get("rel") in FOLDED_RELS and target in searchable and target != record.id:
                linked_by.setdefault(target, []).append(record.title)
    documents = []
    for r in records:
        questions, related = linked_titles(r.id, r.related, own_title)
        crumbs = [
            str(c.get("title") or "")
            for c in r.breadcrumb
            if c.get("id") != r.id and str(c.get("id") or "").lower() not in _HOME_CRUMBS
        ]
        context = [r.subject, *crumbs]
        documents.append(
            SearchDocument(
                id=r.id,
                source=r.source,
                kind=r.kind,
                title=clean(r.title),
                description=clean(r.description),
                audiences=tuple(r.audiences),
                url=r.url,
                questions="\n".join(questions),
                related="\n".join(related),
                linked_by="\n".join(sorted(set(linked_by.get(r.id, ())))),
                context="\n".join(c for c in dict.fromkeys(context) if c),
                body=r.text,
                sections=r.sections,
                articles=cited_spans(r.references),
            )
        )
    return documents
