"""The passage of a fiche that answers a question: a section, situation or case, and a snippet.

A fiche's passages are taken from its rendered body (allo.kb.stored_html) once per version of
the fiche, by the import (allo.search.services.compute_passages), and stored in the base with
their analysed terms (`encode`); each worker keeps them compressed in memory (`PassageStore`)
and decodes only the fiches a page of results shows. A query scores only those passages
(allo.search.passage_match: BM25 over the fiche's own passages with the lexical engine's
analysis), so « salarié en CDI » picks the case « Vous êtes salarié › En CDI ». The anchor is the id the page gives the
passage's heading (or section): the page opens its tab or accordion and scrolls to it
(static/passage.js).
"""

from __future__ import annotations

import hashlib
import json
import threading
import zlib
from collections import Counter, OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
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
PATH_SEPARATOR = " › "
#: a passage's title and path count twice (they say what it is about)
TITLE_WEIGHT = 2
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


#: elements whose text is a block of its own: their words never run into the next block's
#: (« Perte » + « Vous êtes… » was « PerteVous » in snippets)
_BLOCKS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "caption",
        "dd",
        "details",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "td",
        "th",
        "tr",
        "ul",
        "br",
    ]
)


def _block_text(el: etree._Element, skip: frozenset[etree._Element] | set[etree._Element]) -> str:
    """The text of `el` with a space between blocks, the elements of `skip` left out (each
    standing as a space)."""
    parts: list[str] = []

    def walk(node: etree._Element) -> None:
        if node.text and not isinstance(node, etree._Comment):
            parts.append(node.text)
        for child in node:
            if child in skip:
                parts.append(" ")
            else:
                block = child.tag in _BLOCKS
                if block:
                    parts.append(" ")
                walk(child)
                if block:
                    parts.append(" ")
            if child.tail:
                parts.append(child.tail)

    walk(el)
    return "".join(parts)


def _text(el: etree._Element) -> str:
    """The passage's text, the passages nested in it included: a section holding the cases
    that answer is the answer too (measured: hit@1 0.46 → 0.56 on the passage set, against
    the passage's own text only; docs/benchmarks/search.md)."""
    return " ".join(_block_text(el, frozenset()).split())


def _own_text(el: etree._Element, nested: set[etree._Element]) -> str:
    """The text of `el` outside the passages nested in it (each word of a fiche is then
    analysed once, not once per enclosing passage: most of the extraction's time)."""
    return _block_text(el, nested)


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


#: characters of section titles the dense model reads after a fiche's title and description
SECTION_TITLES_CHARS = 400


def section_titles(passages: list[Passage]) -> str:
    """The titles of a fiche's sections and situations (not its cases), once each, in reading
    order: what the fiche covers, for its sentence vector (measured: docs/SEARCH.md)."""
    titles: list[str] = []
    for passage in passages:
        if len(passage.path) <= 2 and passage.title and passage.title not in titles:
            titles.append(passage.title)
    return " ; ".join(titles)[:SECTION_TITLES_CHARS]


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
