"""The passage of a fiche that answers a question: a section, situation or case, and a snippet.

A fiche's passages are taken from its rendered body (allo.kb.stored_html) once per version of
the fiche and kept by the search service; a query scores only the passages of its top results,
with BM25 over the fiche's own passages and the lexical engine's analysis, so « salarié en CDI »
picks the case « Vous êtes salarié › En CDI ». The anchor is the id the page gives the
passage's heading (or section): the page opens its tab or accordion and scrolls to it
(static/passage.js).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from html import escape
from typing import Any

import lxml.html
from lxml import etree

from allo.search.analysis import FrenchAnalyzer

#: classes of the elements that are passages (sections, situations, cases)
PASSAGE_CLASSES = ("allo-chapitre", "allo-sous-chapitre", "allo-situation", "allo-cas")
#: (office cards and other annexes are not answers: their sections are not passages)
#: prefixes the renderer adds to titles for screen readers (« Situation 1 sur 3 : », « Cas : »)
_PREFIX_CLASSES = ("allo-situation__numero", "allo-cas__prefixe")
_HEADINGS = frozenset({"h2", "h3", "h4", "h5", "h6"})
_WORD = re.compile(r"\w+")
PATH_SEPARATOR = " › "
#: BM25 parameters; a passage's title and path count twice (they say what it is about)
K1, B, TITLE_WEIGHT = 1.2, 0.75, 2
#: words of text around the best match in a snippet
SNIPPET_WORDS = 32
_PASSAGE_XPATH = " | ".join(
    f"//*[contains(concat(' ', normalize-space(@class), ' '), ' {c} ')"
    " and not(ancestor::*[contains(concat(' ', normalize-space(@class), ' '), ' allo-annexe ')])]"
    for c in PASSAGE_CLASSES
)


@dataclass(frozen=True)
class Passage:
    anchor: str
    title: str
    #: titles from the outermost enclosing passage to this one
    path: tuple[str, ...]
    text: str
    terms: Counter[str] = field(compare=False, repr=False, default_factory=Counter)
    length: int = 0

    @property
    def path_label(self) -> str:
        return PATH_SEPARATOR.join(self.path)


@dataclass(frozen=True)
class PassageMatch:
    """The best passage of a fiche for a query, as the API returns it."""

    anchor: str
    path: str
    snippet_html: str

    def as_dict(self) -> dict[str, str]:
        return {"anchor": self.anchor, "path": self.path, "snippet_html": self.snippet_html}


def _classes(el: etree._Element) -> set[str]:
    return set((el.get("class") or "").split())


def _title_and_anchor(el: etree._Element) -> tuple[str, str]:
    heading = next((c for c in el.iter() if c.tag in _HEADINGS), None)
    anchor = ""
    title = ""
    if heading is not None and _nearest_passage(heading) is el:
        anchor = heading.get("id") or ""
        title = heading.text_content()
        for node in heading.iter():
            if node is not heading and not _PREFIX_SET.isdisjoint(_classes(node)):
                title = title.replace(node.text_content(), "", 1)
        title = " ".join(title.split())
    return title, anchor or el.get("id") or ""


_PASSAGE_SET = frozenset(PASSAGE_CLASSES)
_PREFIX_SET = frozenset(_PREFIX_CLASSES)


def _is_passage(el: etree._Element) -> bool:
    return not _PASSAGE_SET.isdisjoint((el.get("class") or "").split())


def _nearest_passage(el: etree._Element) -> etree._Element | None:
    for ancestor in el.iterancestors():
        if _is_passage(ancestor):
            return ancestor
    return None


def _text(el: etree._Element) -> str:
    """The passage's text, the passages nested in it included: a section holding the cases
    that answer is the answer too (measured: hit@1 0.46 → 0.56 on the passage set, against
    the passage's own text only; docs/benchmarks/search.md)."""
    return " ".join(el.text_content().split())


def extract(html: str, analyzer: FrenchAnalyzer) -> list[Passage]:
    """Every section, situation and case of a rendered body, in reading order."""
    if not html or not html.strip():
        return []
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (etree.ParserError, ValueError):
        return []
    #: each passage element's path and the terms of that path
    seen: dict[etree._Element, tuple[tuple[str, ...], list[str]]] = {}
    passages: list[Passage] = []
    for el in root.xpath(_PASSAGE_XPATH):
        title, anchor = _title_and_anchor(el)
        parent = _nearest_passage(el)
        parent_path, parent_terms = seen.get(parent, ((), [])) if parent is not None else ((), [])
        path = parent_path + ((title,) if title else ())
        path_terms = parent_terms + analyzer.terms(title)
        seen[el] = (path, path_terms)
        if not anchor:
            continue
        text = _text(el)
        terms = Counter(analyzer.terms(text))
        for term in path_terms:
            terms[term] += TITLE_WEIGHT
        passages.append(Passage(anchor, title, path, text, terms, sum(terms.values())))
    return passages


def rank(passages: list[Passage], query: Iterable[tuple[str, float]]) -> list[Passage]:
    """The passages holding a query term, best first: BM25 over the fiche's own passages with
    the query's (term, weight); ties keep reading order."""
    weights: dict[str, float] = {}
    for term, weight in query:
        weights[term] = max(weight, weights.get(term, 0.0))
    if not passages or not weights:
        return []
    n = len(passages)
    average = sum(p.length for p in passages) / n or 1.0
    idf = {}
    for term in weights:
        df = sum(1 for p in passages if term in p.terms)
        idf[term] = math.log(1 + (n - df + 0.5) / (df + 0.5))
    scored = []
    for index, passage in enumerate(passages):
        score = 0.0
        norm = K1 * (1 - B + B * passage.length / average)
        for term, weight in weights.items():
            tf = passage.terms.get(term, 0)
            if tf:
                score += weight * idf[term] * tf * (K1 + 1) / (tf + norm)
        if score > 0:
            scored.append((-score, index, passage))
    return [p for _, _, p in sorted(scored, key=lambda item: item[:2])]


def best(passages: list[Passage], query: Iterable[tuple[str, float]]) -> Passage | None:
    """The passage that answers best; None when no passage holds any of the query's terms."""
    ranked = rank(passages, query)
    return ranked[0] if ranked else None


def snippet_html(text: str, terms: set[str], analyzer: FrenchAnalyzer) -> str:
    """About `SNIPPET_WORDS` words of `text` around its densest run of query words, escaped,
    with the query's words in `<mark>`."""
    words = list(_WORD.finditer(text))
    if not words:
        return ""
    hits = [analyzer.term(m.group().lower()) in terms for m in words]
    start = 0
    if any(hits):
        window = min(SNIPPET_WORDS, len(words))
        count = sum(hits[:window])
        best_count, start = count, 0
        for i in range(1, len(words) - window + 1):
            count += hits[i + window - 1] - hits[i - 1]
            if count > best_count:
                best_count, start = count, i
        # begin a little before the first match of the window, not on it
        first = next(i for i in range(start, start + window) if hits[i])
        start = max(0, min(start, first - 4))
    end = min(len(words), start + SNIPPET_WORDS)
    begin_at = words[start].start()
    end_at = words[end - 1].end() if end < len(words) else len(text)
    out: list[str] = ["… " if start > 0 else ""]
    position = begin_at
    for i in range(start, end):
        match = words[i]
        if hits[i]:
            out.append(escape(text[position : match.start()]))
            out.append(f"<mark>{escape(match.group())}</mark>")
            position = match.end()
    out.append(escape(text[position:end_at]))
    if end < len(words):
        out.append(" …")
    return "".join(out)


def match(
    passages: list[Passage], query: list[tuple[str, float]], analyzer: FrenchAnalyzer
) -> PassageMatch | None:
    """The best passage and its snippet, or None when no passage holds a query word."""
    found = best(passages, query)
    if found is None:
        return None
    terms = {t for t, _ in query}
    return PassageMatch(
        found.anchor, found.path_label, snippet_html(found.text or found.title, terms, analyzer)
    )


class PassageStore:
    """Each fiche's passages, extracted once per version of the fiche (its index hash)."""

    def __init__(self, analyzer: FrenchAnalyzer, max_fiches: int = 20_000) -> None:
        self.analyzer = analyzer
        self.max_fiches = max_fiches
        self._passages: dict[str, tuple[str, list[Passage]]] = {}

    def get(
        self,
        ids: list[str],
        versions: Mapping[str, str],
        load: Any,
    ) -> dict[str, list[Passage]]:
        """Passages of `ids`; `load(ids) -> {id: html}` reads the bodies not extracted yet."""
        out: dict[str, list[Passage]] = {}
        missing = []
        for fiche_id in ids:
            kept = self._passages.get(fiche_id)
            if kept is not None and kept[0] == versions.get(fiche_id, ""):
                out[fiche_id] = kept[1]
            else:
                missing.append(fiche_id)
        if missing:
            bodies = load(missing)
            if len(self._passages) + len(missing) > self.max_fiches:
                self._passages.clear()
            for fiche_id in missing:
                passages = extract(bodies.get(fiche_id, ""), self.analyzer)
                self._passages[fiche_id] = (versions.get(fiche_id, ""), passages)
                out[fiche_id] = passages
        return out

    def __len__(self) -> int:
        return len(self._passages)
