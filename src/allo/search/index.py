"""The lexical index: an in-memory tantivy index of pre-analysed terms, one per process.

Text is analysed in Python (allo.search.analysis) and handed to tantivy as space-separated
terms, so the index, the queries and the lexicon share exactly one French analysis. Queries are
built from term objects, never parsed from text, so nothing a user types is query syntax.
"""

from __future__ import annotations

import math
import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import tantivy

from allo.search.analysis import Analysis, FrenchAnalyzer, fold
from allo.search.documents import SearchDocument

#: Indexed text fields of a document, in the order of SearchDocument.
TEXT_FIELDS = ("title", "description", "questions", "related", "linked_by", "context", "body")

#: Fields whose words make the vocabulary that typos are corrected against.
VOCABULARY_FIELDS = frozenset({"title", "description", "questions", "body"})

#: Fields where adjacent query words are also matched as a phrase (measured: the body only;
#: phrases in the titles and folded fields cost development-question MRR — docs/SEARCH.md).
PHRASE_FIELDS = frozenset({"body"})

#: The body's content words as written (folded, not stemmed): a fiche writing the very word typed
#: scores a little above one sharing only its stem (« licenciement », not « licencié »; measured
#: on the body only: the same in the titles costs both sets — docs/SEARCH.md).
EXACT_FIELD = "body_exact"

#: Field weights, chosen by measurement on the development set (docs/SEARCH.md).
DEFAULT_BOOSTS: dict[str, float] = {
    "title": 3.0,
    "description": 1.5,
    "questions": 1.0,
    "related": 0.5,
    "linked_by": 0.5,
    "context": 0.5,
    "body": 1.0,
}


@dataclass(frozen=True)
class Analyzed:
    """A document's index terms per text field (space-separated) and its distinct content words
    as written (for the query vocabulary). Kept on disk by fingerprint (allo.search.analysis_cache)."""

    fields: tuple[str, ...]
    #: space-separated (split only when counted)
    words: str
    #: the body's exact forms, space-separated (EXACT_FIELD)
    exact: str = ""

    def word_list(self) -> list[str]:
        return self.words.split()


def analyze_document(analyzer: FrenchAnalyzer, doc: SearchDocument) -> Analyzed:
    fields = []
    seen: set[str] = set()
    exact = ""
    for name in TEXT_FIELDS:
        analysis = analyzer.analyze(getattr(doc, name))
        fields.append(analysis.terms)
        if name in VOCABULARY_FIELDS:
            seen |= analysis.content
        if name == "body":
            exact = exact_text(analysis)
    return Analyzed(tuple(fields), " ".join(sorted(seen)), exact)


def exact_text(analysis: Analysis) -> str:
    """The exact forms of a text's content words, in order (their counts are term frequencies;
    measured: better than each form once)."""
    form_of = {w: exact_form(w) for w in analysis.content}
    return " ".join(filter(None, map(form_of.get, analysis.words)))


def exact_form(word: str) -> str:
    """A content word's exact form: folded, not stemmed; "" for numbers and codes, whose index
    term is already exact (« 13ème » is « 13e » both ways)."""
    folded = fold(word)
    return folded if folded.isascii() and folded.isalpha() else ""


@dataclass(frozen=True)
class LexicalHit:
    ord: int
    score: float
    #: the score without coordination (None: the same as `score`); the hybrid keeps a fiche
    #: without a vector at its rank by this one, the lexical engine's own
    plain: float | None = None

    @property
    def lexical_score(self) -> float:
        return self.score if self.plain is None else self.plain


def _idf(total: int, doc_freq: int) -> float:
    """BM25's inverse document frequency, as tantivy computes it."""
    return math.log(1.0 + (total - doc_freq + 0.5) / (doc_freq + 0.5))


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_unsigned_field("ord", stored=False, indexed=True, fast=True)
    builder.add_text_field("id", stored=False, tokenizer_name="raw", index_option="basic")
    for name in TEXT_FIELDS:
        # positions where adjacent query words are also matched as a phrase
        option = "position" if name in PHRASE_FIELDS else "freq"
        builder.add_text_field(name, stored=False, tokenizer_name="whitespace", index_option=option)
    builder.add_text_field(
        EXACT_FIELD, stored=False, tokenizer_name="whitespace", index_option="freq"
    )
    builder.add_text_field("audience", stored=False, tokenizer_name="raw", index_option="basic")
    builder.add_text_field("source", stored=False, tokenizer_name="raw", index_option="basic")
    builder.add_text_field("kind", stored=False, tokenizer_name="raw", index_option="basic")
    return builder.build()


class LexicalIndex:
    """Add, replace and delete documents by ordinal; search with weighted terms and filters."""

    def __init__(self, analyzer: FrenchAnalyzer) -> None:
        self.analyzer = analyzer
        self.schema = _schema()
        self._index = tantivy.Index(self.schema)
        self._writer = self._index.writer(heap_size=64_000_000, num_threads=1)
        self._lock = threading.Lock()
        self._searcher = self._index.searcher()
        #: term → documents holding it per text field, for the current searcher (_field_freqs)
        self._freqs: dict[str, dict[str, int]] = {}

    def add(self, ord_: int, doc: SearchDocument, analyzed: Analyzed | None = None) -> Analyzed:
        """Index a document (analysing it unless `analyzed` is given); returns its analysis."""
        if analyzed is None:
            analyzed = analyze_document(self.analyzer, doc)
        document = tantivy.Document()
        document.add_unsigned("ord", ord_)
        document.add_text("id", doc.id)
        for audience in doc.audiences:
            document.add_text("audience", audience)
        document.add_text("source", doc.source)
        document.add_text("kind", doc.kind)
        for name, terms in zip(TEXT_FIELDS, analyzed.fields, strict=True):
            document.add_text(name, terms)
        document.add_text(EXACT_FIELD, analyzed.exact)
        self._writer.add_document(document)
        return analyzed

    def delete(self, doc_id: str) -> None:
        self._writer.delete_documents_by_term("id", doc_id)

    def commit(self) -> None:
        """Make added and deleted documents visible to the next searches."""
        with self._lock:
            self._writer.commit()
            self._writer.wait_merging_threads()
            self._writer = self._index.writer(heap_size=64_000_000, num_threads=1)
            self._index.reload()
            self._freqs = {}
            self._searcher = self._index.searcher()

    @property
    def num_docs(self) -> int:
        return self._searcher.num_docs

    def doc_freq(self, term: str) -> int:
        """In how many documents a term occurs, in any text field."""
        freqs = self._field_freqs(term)
        return max(freqs["title"], freqs["description"], freqs["body"])

    def _field_freqs(self, term: str) -> dict[str, int]:
        """In how many documents each text field holds `term`, cached until the next commit (the
        parser and the idf blending ask for the same query terms)."""
        cache, searcher = self._freqs, self._searcher  # both replaced at each commit
        found = cache.get(term)
        if found is None:
            found = {name: searcher.doc_freq(name, term) for name in TEXT_FIELDS}
            if len(cache) > 4096:
                cache.clear()
            cache[term] = found
        return found

    def count_holding(self, terms: Sequence[str], fields: Sequence[str]) -> int:
        """How many documents hold every one of `terms` in one of `fields`."""
        if not terms:
            return 0
        schema = self.schema
        query = tantivy.Query.boolean_query(
            [
                (
                    tantivy.Occur.Must,
                    tantivy.Query.boolean_query(
                        [
                            (tantivy.Occur.Should, tantivy.Query.term_query(schema, name, term))
                            for name in fields
                        ]
                    ),
                )
                for term in dict.fromkeys(terms)
            ]
        )
        found = self._searcher.search(query, 1, count=True)
        return int(found.count)  # type: ignore[attr-defined]  # (missing from the stubs)

    def search(
        self,
        terms: Sequence[tuple[str, float]],
        *,
        limit: int,
        boosts: dict[str, float] | None = None,
        audience: str | None = None,
        source: str | None = None,
        tie_breaker: float | None = None,
        groups: Sequence[Sequence[str]] = (),
        coordination: float = 0.0,
        phrases: Sequence[tuple[str, str]] = (),
        phrase_weight: float = 0.0,
        idf_blend: float = 0.0,
        exact: Sequence[str] = (),
        exact_weight: float = 0.0,
    ) -> list[LexicalHit]:
        """Best documents for weighted index terms: Σ_term weight × Σ_field boost × BM25.

        IDF blending: BM25 takes a term's rarity in each field, so a word common in the bodies
        but rare in titles ("lettre", "mise") scores as a rare word wherever a title holds it,
        above a fiche holding every typed word in its text. With `idf_blend` = a, each field's
        score is scaled by (idf of the term in its most common field / idf in this field) ** a:
        at 1, every field rates a term by one rarity, as Elasticsearch's `cross_fields` does.

        Coordination: with `groups` (one per typed word: the terms standing for it) and
        `coordination` > 0, a document matching every group scores × (1 + coordination), so
        a fiche holding all the words typed ("13e" and "mois") comes before one repeating a
        single frequent word in its title. Found with a second, conjunctive query whose scores
        are the same sums, so the result is exact.

        Phrases: each pair of `phrases` (adjacent typed words) found next to each other in a
        field adds `phrase_weight` × field weight × its BM25 ("mise à pied" is not "mise" and
        "pied" anywhere in the fiche).

        Exact forms: each of `exact` (typed words as written, folded) that the body writes so
        adds `exact_weight` × the body's weight × its BM25 in EXACT_FIELD."""
        if not terms or limit <= 0:
            return []
        boosts = boosts or DEFAULT_BOOSTS
        weight_of = dict(terms)
        clauses = {
            term: self._term_clauses(term, weight, boosts, tie_breaker, idf_blend)
            for term, weight in terms
        }
        bonus = (
            [
                (tantivy.Occur.Should, q)
                for pair in phrases
                if pair[0] != pair[1] and pair[0] in weight_of and pair[1] in weight_of
                for q in self._phrase_clauses(pair, phrase_weight, boosts)
            ]
            if phrase_weight > 0
            else []
        )
        if exact_weight > 0 and "body" in boosts:
            weight = boosts["body"] * exact_weight
            bonus += [
                (
                    tantivy.Occur.Should,
                    tantivy.Query.boost_query(
                        tantivy.Query.term_query(self.schema, EXACT_FIELD, form), weight
                    ),
                )
                for form in dict.fromkeys(exact)
                if form
            ]
        query = tantivy.Query.boolean_query(
            [(tantivy.Occur.Should, q) for term in clauses for q in clauses[term]] + bonus
        )
        hits = self._run(query, limit, audience, source)
        groups = [g for g in (tuple(t for t in g if t in weight_of) for g in groups) if g]
        if coordination <= 0 or len(groups) < 2:
            return hits
        # Each group must match (scoring nothing: a term standing for two typed words would
        # count twice), and the score is the disjunction's own sum.
        conjunction = tantivy.Query.boolean_query(
            [
                (
                    tantivy.Occur.Must,
                    tantivy.Query.const_score_query(
                        tantivy.Query.boolean_query(
                            [(tantivy.Occur.Should, q) for term in group for q in clauses[term]]
                        ),
                        0.0,
                    ),
                )
                for group in groups
            ]
            + [(tantivy.Occur.Should, q) for term in clauses for q in clauses[term]]
            + bonus
        )
        complete = self._run(conjunction, limit, audience, source)
        if not complete:
            return hits
        factor = 1.0 + coordination
        plain = {h.ord: h.score for h in hits}
        plain.update((h.ord, h.score) for h in complete)
        scores = dict(plain)
        scores.update((h.ord, h.score * factor) for h in complete)
        ranked = sorted(scores.items(), key=lambda item: -item[1])[:limit]
        return [LexicalHit(o, s, plain[o]) for o, s in ranked]

    def _term_clauses(
        self,
        term: str,
        weight: float,
        boosts: dict[str, float],
        tie_breaker: float | None,
        idf_blend: float = 0.0,
    ) -> list[tantivy.Query]:
        scale = self._idf_scales(term, idf_blend) if idf_blend > 0 else {}
        per_field = [
            tantivy.Query.boost_query(
                tantivy.Query.term_query(self.schema, name, term),
                boost * weight * scale.get(name, 1.0),
            )
            for name, boost in boosts.items()
            if boost > 0 and (not scale or name in scale)
        ]
        if tie_breaker is None:
            return per_field
        return [tantivy.Query.disjunction_max_query(per_field, tie_breaker)]

    def _idf_scales(self, term: str, blend: float) -> dict[str, float]:
        """Per text field holding `term`: (its idf where it is most common / its idf there) **
        `blend` (fields without it are left out: they cannot match)."""
        freqs = self._field_freqs(term)
        total = max(1, self._searcher.num_docs)
        common = _idf(total, max(freqs.values()))
        return {n: (common / _idf(total, f)) ** blend for n, f in freqs.items() if f}

    def _phrase_clauses(
        self, pair: tuple[str, str], weight: float, boosts: dict[str, float]
    ) -> list[tantivy.Query]:
        return [
            tantivy.Query.boost_query(
                tantivy.Query.phrase_query(self.schema, name, list(pair)), boost * weight
            )
            for name, boost in boosts.items()
            if boost > 0 and name in PHRASE_FIELDS
        ]

    def _run(
        self, query: tantivy.Query, limit: int, audience: str | None, source: str | None
    ) -> list[LexicalHit]:
        schema = self.schema
        filters = [
            tantivy.Query.const_score_query(tantivy.Query.term_query(schema, field, value), 0.0)
            for field, value in (("audience", audience), ("source", source))
            if value
        ]
        if filters:
            query = tantivy.Query.boolean_query(
                [(tantivy.Occur.Must, query), *((tantivy.Occur.Must, f) for f in filters)]
            )
        searcher = self._searcher
        result = searcher.search(query, limit, count=False)
        if not result.hits:
            return []
        addresses = [address for _score, address in result.hits]
        ords = searcher.fast_field_values("ord", addresses)
        return [
            LexicalHit(int(o), float(score))
            for (score, _addr), o in zip(result.hits, ords, strict=True)
            if o is not None
        ]


def build_index(
    analyzer: FrenchAnalyzer,
    documents: Iterable[tuple[int, SearchDocument]],
    analyses: dict[str, Analyzed] | None = None,
    counts: Counter[str] | None = None,
) -> tuple[LexicalIndex, Counter[str], dict[str, Analyzed]]:
    """A committed index, the document frequency of every content word as written, and each
    document's analysis by fingerprint. `analyses` holds analyses already known; `counts`, the
    word counts of exactly these documents when known (both from allo.search.analysis_cache)."""
    index = LexicalIndex(analyzer)
    known = analyses or {}
    out: dict[str, Analyzed] = {}
    for ord_, doc in documents:
        fingerprint = doc.fingerprint()
        out[fingerprint] = index.add(ord_, doc, known.get(fingerprint))
    index.commit()
    if counts is None:
        counts = Counter()
        for analyzed in out.values():
            counts.update(analyzed.word_list())
    return index, counts, out
