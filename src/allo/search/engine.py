"""One process's search state: documents by ordinal, the lexical index, vocabulary, suggestions,
document vectors and filter masks — built from the database and updated in place when fiches change.
"""

from __future__ import annotations

import itertools
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from allo.search.analysis import FrenchAnalyzer
from allo.search.articles import ArticleIndex
from allo.search.centrality import link_centrality
from allo.search.dense import DenseIndex
from allo.search.documents import SearchDocument
from allo.search.fuzzy import Vocabulary
from allo.search.index import Analyzed, LexicalHit, build_index
from allo.search.publics import PublicCatalog, default_publics
from allo.search.suggest import Suggester, Suggestion


def per_ordinal(values: np.ndarray, ord_: int, default: float) -> float:
    """A fiche's value in one of the engine's per-ordinal arrays (centrality, agreement
    citations, public marks), or `default` for an ordinal added since they were last derived:
    a search may run between the index's commit and that refresh."""
    return float(values[ord_]) if 0 <= ord_ < len(values) else default


@dataclass(frozen=True)
class Change:
    added: int
    updated: int
    removed: int

    def __bool__(self) -> bool:
        return bool(self.added or self.updated or self.removed)


class SearchEngine:
    def __init__(
        self,
        analyzer: FrenchAnalyzer,
        documents: Sequence[SearchDocument],
        dim: int,
        analyses: dict[str, Analyzed] | None = None,
        counts: Counter[str] | None = None,
    ) -> None:
        self.analyzer = analyzer
        self.public_catalog: PublicCatalog = default_publics()
        self.docs: list[SearchDocument | None] = list(documents)
        self.ords: dict[str, int] = {d.id: i for i, d in enumerate(documents)}
        self.index, self.word_counts, self.analyses = build_index(
            analyzer, enumerate(documents), analyses, counts
        )
        #: id → fingerprint of what is indexed for it
        self.fingerprints: dict[str, str] = {
            d.id: fp for d, fp in zip(documents, self.analyses, strict=True)
        }
        self.vocabulary = Vocabulary(self.word_counts)
        self.dense = DenseIndex(dim, len(documents))
        self._lock = threading.Lock()
        self._refresh_derived()

    # -- derived state ---------------------------------------------------------------------------
    def _refresh_derived(self) -> None:
        live = [(i, d) for i, d in enumerate(self.docs) if d is not None]
        self.suggester = Suggester(
            Suggestion(d.id, d.title, d.kind, d.audiences, d.url) for _i, d in live
        )
        n = len(self.docs)
        masks: dict[tuple[str, str], np.ndarray] = {}
        for i, d in live:
            for key in [("source", d.source), *(("audience", a) for a in d.audiences)]:
                mask = masks.get(key)
                if mask is None:
                    mask = masks[key] = np.zeros(n, dtype=bool)
                mask[i] = True
        self.masks = masks
        #: per ordinal: how central the fiche is among its source's links (the hybrid's prior)
        self.centrality = link_centrality(self.docs)
        #: per ordinal: the fiche says a collective agreement can change its answer
        self.cites_agreements = np.fromiter(
            (d is not None and d.cites_agreements for d in self.docs), dtype=bool, count=n
        )
        #: per ordinal: the publics (bits of `public_catalog`) its title or breadcrumb names
        self.publics = self.public_catalog.marks(self.docs)
        #: which fiches cite which code articles (a query naming one: allo.search.articles)
        self.articles = ArticleIndex((i, d.articles) for i, d in live)

    def mask(self, audience: str | None, source: str | None) -> np.ndarray | None:
        if not audience and not source:
            return None
        out = np.ones(len(self.docs), dtype=bool)
        for key in (("audience", audience), ("source", source)):
            if key[1]:
                m = self.masks.get(key)  # type: ignore[arg-type]
                out &= m if m is not None else False
        return out

    def count_holding(self, text: str, fields: Sequence[str]) -> int:
        """How many fiches hold every content word of `text` in one of `fields`."""
        return self.index.count_holding(self.analyzer.terms(text), fields)

    @property
    def size(self) -> int:
        return len(self.ords)

    def coverage(self) -> float:
        """The share of searchable fiches with a vector (rows of removed fiches are cleared)."""
        return min(1.0, int(self.dense.present.sum()) / self.size) if self.size else 0.0

    def document(self, ord_: int) -> SearchDocument | None:
        return self.docs[ord_] if 0 <= ord_ < len(self.docs) else None

    # -- updates ----------------------------------------------------------------------------------
    def apply(self, documents: Sequence[SearchDocument]) -> tuple[Change, list[int]]:
        """Bring the engine to exactly `documents`; returns the change and the ords to embed."""
        with self._lock:
            wanted = {d.id: d for d in documents}
            added = updated = removed = 0
            for doc_id in [i for i in self.ords if i not in wanted]:
                self._remove(doc_id)
                removed += 1
            fresh: list[int] = []
            for doc in documents:
                fingerprint = doc.fingerprint()
                old = self.fingerprints.get(doc.id)
                if old == fingerprint:
                    continue
                if old is None:
                    added += 1
                else:
                    updated += 1
                    self._remove(doc.id)
                ord_ = len(self.docs)
                self.docs.append(doc)
                self.ords[doc.id] = ord_
                self.fingerprints[doc.id] = fingerprint
                analyzed = self.index.add(ord_, doc)
                self.analyses[fingerprint] = analyzed
                self.word_counts.update(analyzed.word_list())
                fresh.append(ord_)
            change = Change(added, updated, removed)
            if change:
                self.index.commit()
                self.vocabulary = Vocabulary(self.word_counts)
                self._refresh_derived()
            return change, fresh

    def _remove(self, doc_id: str) -> None:
        ord_ = self.ords.pop(doc_id)
        self.docs[ord_] = None
        fingerprint = self.fingerprints.pop(doc_id, None)
        self.index.delete(doc_id)
        self.dense.clear(ord_)
        analyzed = self.analyses.pop(fingerprint, None) if fingerprint else None
        if analyzed is not None:
            self.word_counts.subtract(analyzed.word_list())

    # -- search -----------------------------------------------------------------------------------
    def lexical(
        self,
        terms: Sequence[tuple[str, float]],
        k: int,
        boosts: dict[str, float] | None,
        audience: str | None,
        source: str | None,
        groups: Sequence[Sequence[str]] = (),
        coordination: float = 0.0,
        phrase_weight: float = 0.0,
        idf_blend: float = 0.0,
        exact: Sequence[str] = (),
        exact_weight: float = 0.0,
    ) -> list[LexicalHit]:
        return self.index.search(
            terms,
            limit=k,
            boosts=boosts,
            audience=audience,
            source=source,
            groups=groups,
            coordination=coordination,
            phrases=[(a[0], b[0]) for a, b in itertools.pairwise(groups)],
            phrase_weight=phrase_weight,
            idf_blend=idf_blend,
            exact=exact,
            exact_weight=exact_weight,
        )
