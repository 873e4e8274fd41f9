"""The passage of a fiche that answers a question: a section, situation or case, and a snippet.

A fiche's passages are taken from its rendered body (allo.kb.stored_html) once per version of
the fiche, by the import (allo.search.services.compute_passages), and stored in the base with
their analysed terms (`encode`); each worker keeps them compressed in memory (`PassageStore`)
and decodes only the fiches a page of results shows. A query scores only those passages,
with BM25 over the fiche's own passages and the lexical engine's analysis, so « salarié en CDI »
picks the case « Vous êtes salarié › En CDI ». The anchor is the id the page gives the
passage's heading (or section): the page opens its tab or accordion and scrolls to it
(static/passage.js).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import threading
import zlib
from collections import Counter, OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from html import escape
from itertools import accumulate
from pathlib import Path
from typing import Any

import lxml.html
from lxml import etree

from allo.search.analysis import DATA_DIR, FrenchAnalyzer

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
    #: term → count (a Counter when extracted, `PackedTerms` when read from the base)
    terms: Mapping[str, int] = field(compare=False, repr=False, default_factory=Counter)
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


def _own_text(el: etree._Element, nested: set[etree._Element]) -> str:
    """The text of `el` outside the passages nested in it (each word of a fiche is then
    analysed once, not once per enclosing passage: most of the extraction's time)."""
    parts: list[str] = []

    def walk(node: etree._Element) -> None:
        if node.text and not isinstance(node, etree._Comment):
            parts.append(node.text)
        for child in node:
            if child in nested:
                parts.append(" ")
            else:
                walk(child)
            if child.tail:
                parts.append(child.tail)

    walk(el)
    return "".join(parts)


def extract(html: str, analyzer: FrenchAnalyzer) -> list[Passage]:
    """Every section, situation and case of a rendered body, in reading order."""
    if not html or not html.strip():
        return []
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (etree.ParserError, ValueError):
        return []
    elements = root.xpath(_PASSAGE_XPATH)
    found = set(elements)
    #: each passage element's title, anchor, path, the terms of that path, its enclosing one
    info = []
    seen: dict[etree._Element, tuple[tuple[str, ...], list[str]]] = {}
    for el in elements:
        title, anchor = _title_and_anchor(el)
        parent = _nearest_passage(el)
        parent_path, parent_terms = seen.get(parent, ((), [])) if parent is not None else ((), [])
        path = parent_path + ((title,) if title else ())
        path_terms = parent_terms + analyzer.terms(title)
        seen[el] = (path, path_terms)
        info.append((el, title, anchor, path, path_terms, parent))
    # a passage's terms: its own text's, plus those of the passages nested in it (innermost
    # first), as if its whole text had been analysed
    counts: dict[etree._Element, Counter[str]] = {}
    for el, *_rest, parent in reversed(info):
        own = Counter(analyzer.terms(_own_text(el, found)))
        own.update(counts.get(el, Counter()))
        counts[el] = own
        if parent is not None and parent in found:
            counts.setdefault(parent, Counter()).update(own)
    passages: list[Passage] = []
    for el, title, anchor, path, path_terms, _parent in info:
        if not anchor:
            continue
        terms = Counter(counts[el])
        for term in path_terms:
            terms[term] += TITLE_WEIGHT
        passages.append(Passage(anchor, title, path, _text(el), terms, sum(terms.values())))
    return passages


def _weighted_terms(text_terms: list[str], path_terms: list[str]) -> Counter[str]:
    terms = Counter(text_terms)
    for term in path_terms:
        terms[term] += TITLE_WEIGHT
    return terms


def _fingerprint(*paths: Path) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


#: changes with the extraction code: stored passages of another value are taken again from the
#: fiche's body (by the next import or `allo search reindex`)
EXTRACTOR = _fingerprint(Path(__file__))
#: changes with the analysis code and stop words: stored terms of another value are recomputed
#: from the stored text (no body read) when a result shows the fiche
ANALYSIS = _fingerprint(Path(__file__).with_name("analysis.py"), DATA_DIR / "stopwords.txt")


class PackedTerms(Mapping[str, int]):
    """A passage's term counts as one string, « term:count » separated by spaces: a query
    looks up its few terms with `str.find` instead of decoding a dict of hundreds of terms per
    passage (decoding was most of the passage step)."""

    __slots__ = ("packed",)

    def __init__(self, packed: str) -> None:
        self.packed = packed

    @classmethod
    def of(cls, terms: Mapping[str, int]) -> PackedTerms:
        parts = [f"{t}:{n}" for t, n in terms.items() if t and " " not in t and ":" not in t]
        return cls(" " + " ".join(parts) + " ")

    def get(self, term: str, default: Any = None) -> Any:
        at = self.packed.find(f" {term}:")
        if at < 0:
            return default
        start = at + len(term) + 2
        return int(self.packed[start : self.packed.index(" ", start)])

    def __getitem__(self, term: str) -> int:
        found = self.get(term)
        if found is None:
            raise KeyError(term)
        return int(found)

    def __contains__(self, term: object) -> bool:
        return isinstance(term, str) and f" {term}:" in self.packed

    def __iter__(self) -> Iterator[str]:
        return (part.rpartition(":")[0] for part in self.packed.split())

    def __len__(self) -> int:
        return len(self.packed.split())


def encode(passages: list[Passage]) -> bytes:
    """A fiche's passages as stored (zlib-compressed JSON, packed terms included)."""
    rows = [
        [p.anchor, p.title, list(p.path), p.text, PackedTerms.of(p.terms).packed, p.length]
        for p in passages
    ]
    return zlib.compress(json.dumps(rows, ensure_ascii=False, separators=(",", ":")).encode(), 6)


def decode(data: bytes, analyzer: FrenchAnalyzer | None = None) -> list[Passage]:
    """The stored passages; with `analyzer`, their terms are computed again from the stored text
    (stored by another version of the analysis)."""
    out = []
    for anchor, title, path, text, packed, length in json.loads(zlib.decompress(data)):
        if analyzer is None:
            terms: Mapping[str, int] = PackedTerms(packed)
        else:
            path_terms = [t for part in path for t in analyzer.terms(part)]
            terms = _weighted_terms(analyzer.terms(text), path_terms)
            length = sum(terms.values())
        out.append(Passage(anchor, title, tuple(path), text, terms, length))
    return out


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
    # each term's count in each passage, looked up once
    tfs = {term: [p.terms.get(term, 0) for p in passages] for term in weights}
    factors = []
    for term, weight in weights.items():
        df = sum(1 for tf in tfs[term] if tf)
        if df:
            factors.append((tfs[term], weight * math.log(1 + (n - df + 0.5) / (df + 0.5))))
    scored = []
    for index, passage in enumerate(passages):
        score = 0.0
        norm = K1 * (1 - B + B * passage.length / average)
        for counts, factor in factors:
            tf = counts[index]
            if tf:
                score += factor * tf * (K1 + 1) / (tf + norm)
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
    # each distinct word is analysed once (long passages repeat their words)
    lowered = text.lower()
    surfaces = (
        _WORD.findall(lowered) if len(lowered) == len(text) else [m.group().lower() for m in words]
    )
    if len(surfaces) != len(words):
        surfaces = [m.group().lower() for m in words]
    member = {w: analyzer.term(w) in terms for w in set(surfaces)}
    hits = [member[w] for w in surfaces]
    start = 0
    if any(hits):
        window = min(SNIPPET_WORDS, len(words))
        # matches in each window of `window` words, from the running total
        total = list(accumulate(hits, initial=0))
        counts = [total[i + window] - total[i] for i in range(len(words) - window + 1)]
        start = counts.index(max(counts))
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


@dataclass(frozen=True, slots=True)
class StoredPassages:
    """One fiche's passages as the base holds them."""

    content_hash: str
    analysis: str
    data: bytes


class PassageStore:
    """Each fiche's stored passages, compressed (a few KB a fiche), and the last decoded ones.

    Only the fiches a page of results shows are decoded (a fraction of a millisecond each), and
    the decoded ones are kept for the next queries, `decoded` at most."""

    def __init__(self, analyzer: FrenchAnalyzer, decoded: int = 2048) -> None:
        self.analyzer = analyzer
        self.max_decoded = decoded
        self._stored: dict[str, StoredPassages] = {}
        self._decoded: OrderedDict[str, tuple[str, list[Passage]]] = OrderedDict()
        #: request threads share the decoded ones
        self._lock = threading.Lock()

    def put(self, fiche_id: str, stored: StoredPassages) -> None:
        with self._lock:
            self._stored[fiche_id] = stored
            self._decoded.pop(fiche_id, None)

    def discard(self, fiche_ids: Iterable[str]) -> None:
        with self._lock:
            for fiche_id in fiche_ids:
                self._stored.pop(fiche_id, None)
                self._decoded.pop(fiche_id, None)

    def has(self, fiche_id: str, content_hash: str) -> bool:
        kept = self._stored.get(fiche_id)
        return kept is not None and kept.content_hash == content_hash

    def get(self, ids: Iterable[str], versions: Mapping[str, str]) -> dict[str, list[Passage]]:
        """Passages of `ids` for their current version (`versions`: id → content hash); a fiche
        whose passages are not stored for that version has none (yet)."""
        with self._lock:
            return self._get(ids, versions)

    def _get(self, ids: Iterable[str], versions: Mapping[str, str]) -> dict[str, list[Passage]]:
        out: dict[str, list[Passage]] = {}
        for fiche_id in ids:
            version = versions.get(fiche_id, "")
            decoded = self._decoded.get(fiche_id)
            if decoded is not None and decoded[0] == version:
                self._decoded.move_to_end(fiche_id)
                out[fiche_id] = decoded[1]
                continue
            stored = self._stored.get(fiche_id)
            if stored is None or stored.content_hash != version:
                continue
            passages = decode(stored.data, None if stored.analysis == ANALYSIS else self.analyzer)
            self._decoded[fiche_id] = (version, passages)
            if len(self._decoded) > self.max_decoded:
                self._decoded.popitem(last=False)
            out[fiche_id] = passages
        return out

    @property
    def stored_bytes(self) -> int:
        return sum(len(s.data) for s in self._stored.values())

    def __len__(self) -> int:
        return len(self._stored)
