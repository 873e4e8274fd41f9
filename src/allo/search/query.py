"""From what a person typed to weighted index terms: words, lexicon expansions, typo corrections.

Whatever the input (10,000 characters, query syntax, emoji, control characters), the output is
a short list of plain index terms: nothing typed is ever interpreted as query syntax.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from allo.search.analysis import ELISIONS, FrenchAnalyzer, fold, surface_words
from allo.search.fuzzy import Vocabulary
from allo.search.index import exact_form
from allo.search.lexicon import Lexicon

#: Only the beginning of a very long query is read (a question is never this long).
MAX_QUERY_CHARS = 1000
#: At most this many distinct words are searched.
MAX_QUERY_WORDS = 32


@dataclass(frozen=True)
class QueryWeights:
    """How much the terms that were not typed count, relative to typed ones (measured)."""

    #: terms added by an equivalence (acronym ⇄ official name)
    expansion: float = 0.5
    #: terms added by a one-way rule (the words people say → the words fiches use)
    one_way: float = 1.0
    #: a typed word marked "(familier)" in the lexicon ("virer"), which fiches use in another
    #: sense if at all ("virement")
    colloquial_typed: float = 0.3
    #: corrections of words the fiches never use
    correction: float = 0.8
    #: completions of a word the fiches never use, read as truncated ("conv")
    completion: float = 0.8


@dataclass
class ParsedQuery:
    text: str
    #: (index term, weight), typed terms first
    terms: list[tuple[str, float]] = field(default_factory=list)
    #: typed words that were corrected, with their corrections (for "did you mean")
    corrected: dict[str, list[str]] = field(default_factory=dict)
    #: one group per typed content word: the terms that stand for it (its own term, its
    #: corrections, the expansions of a lexicon rule it triggers); a fiche matching one term of
    #: every group matches the whole query (allo.search.index: coordination)
    groups: list[tuple[str, ...]] = field(default_factory=list)
    #: what the dense model reads: the query with the accents the fiches write restored and
    #: typos corrected ("conge paternite" → "congé paternité"); the text itself when unchanged
    dense_text: str = ""
    #: the typed content words as written, folded, a typo replaced by its first correction
    #: (allo.search.index: EXACT_FIELD)
    exact: list[str] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.terms


def normalize_query(text: str) -> str:
    """The query as read: control characters out, whitespace collapsed, length capped."""
    text = text[: MAX_QUERY_CHARS * 2]
    cleaned = "".join(c if c.isprintable() else " " for c in text)
    return " ".join(cleaned.split())[:MAX_QUERY_CHARS]


_WORD = re.compile(r"\w+")
# An elided article or pronoun as typed, before its word (not the "d" of "aujourd'hui").
_TYPED_ELISION = re.compile(r"\b(?:" + "|".join(ELISIONS) + r")['’ʼ`´‘](?=\w)")


def query_words(text: str) -> list[str]:
    """A query's surface words without its elided articles (« caisse d'allocations » is
    « caisse allocations »), as the lexicon's triggers are written (`analysis.words`).

    Here rather than in allo.search.analysis: that module's source fingerprints the analysis,
    and a change to it makes every stored passage's terms stale (recomputed at each decode)."""
    return surface_words(_TYPED_ELISION.sub(" ", text.lower()))


class QueryParser:
    def __init__(
        self,
        analyzer: FrenchAnalyzer,
        lexicon: Lexicon | None,
        vocabulary: Vocabulary | None,
        weights: QueryWeights | None = None,
        term_exists: Callable[[str], bool] | None = None,
        dense_rewrite: bool = True,
        dense_acronyms: int = 6,
    ) -> None:
        self.analyzer = analyzer
        self.lexicon = lexicon
        self.vocabulary = vocabulary
        self.weights = weights or QueryWeights()
        #: whether the index knows a term: a word whose term is known is not a typo
        self.term_exists = term_exists or (lambda _term: False)
        #: whether the dense text restores accents and corrects typos (measured)
        self.dense_rewrite = dense_rewrite
        #: the dense text spells out the lexicon's acronyms in queries of at most this many
        #: words (measured; 0: never)
        self.dense_acronyms = dense_acronyms

    def parse(self, text: str) -> ParsedQuery:
        text = normalize_query(text)
        parsed = ParsedQuery(text)
        typed = query_words(text)[: MAX_QUERY_WORDS * 3]
        term_of = self.analyzer.term
        vocabulary = self.vocabulary
        weights: dict[str, float] = {}

        def add(term: str, weight: float) -> None:
            if term and weight > weights.get(term, 0.0):
                weights[term] = weight

        content = [w for w in dict.fromkeys(typed) if term_of(w)][:MAX_QUERY_WORDS]
        group_of: dict[str, list[str]] = {}
        for word in content:
            term = term_of(vocabulary.accented(word) if vocabulary else word)
            add(term, 1.0)
            group_of[word] = [term]
        lexicon = self.lexicon
        keys = [lexicon.key(w) for w in typed] if lexicon is not None else []
        triggers = (
            {i for p, r in lexicon.expansions(keys) for i in range(p, p + len(r.trigger))}
            if lexicon is not None
            else set()
        )
        completed: set[str] = set()
        if vocabulary is not None and self.weights.correction > 0:
            lexicon_words = {typed[i] for i in triggers if i < len(typed)}
            for word in content:
                if word in lexicon_words or self.term_exists(term_of(word)):
                    continue
                fixes = vocabulary.corrections(fold(word))
                weight = self.weights.correction
                if not fixes and self.weights.completion > 0:
                    fixes = vocabulary.completions(fold(word))
                    weight = self.weights.completion
                    completed.add(word)
                if fixes:
                    parsed.corrected[word] = fixes
                    for fix in fixes:
                        add(term_of(fix), weight)
                        group_of[word].append(term_of(fix))
        if lexicon is not None:
            # a correction's key stands at the end, for the word it corrects
            key_words = list(typed)
            for word, fixes in parsed.corrected.items():
                keys.append(lexicon.key(fixes[0]))
                key_words.append(word)
            demoted: set[str] = set()
            expanded: set[str] = set()
            for position, rule in lexicon.expansions(keys):
                weight = self.weights.expansion if rule.symmetric else self.weights.one_way
                for term in rule.terms:
                    add(term, weight)
                    expanded.add(term)
                for word in key_words[position : position + len(rule.trigger)]:
                    if word in group_of:
                        group_of[word].extend(rule.terms)
                if rule.colloquial:
                    for word in typed[position : position + len(rule.trigger)]:
                        demoted.add(term_of(vocabulary.accented(word) if vocabulary else word))
            for term in demoted - expanded:
                if term in weights:
                    weights[term] = min(weights[term], self.weights.colloquial_typed)
        parsed.terms = [(t, w) for t, w in weights.items() if w > 0]
        parsed.exact = list(
            dict.fromkeys(
                form
                for word in content
                if (
                    form := exact_form(
                        parsed.corrected[word][0]
                        if word in parsed.corrected and word not in completed
                        else word
                    )
                )
            )
        )
        parsed.dense_text = (
            self._dense_text(text, parsed, completed) if self.dense_rewrite else text
        )
        parsed.groups = list(
            dict.fromkeys(
                group
                for group in (
                    tuple(dict.fromkeys(t for t in g if weights.get(t, 0) > 0))
                    for g in group_of.values()
                )
                if group
            )
        )
        return parsed

    def _dense_text(self, text: str, parsed: ParsedQuery, completed: set[str]) -> str:
        vocabulary = self.vocabulary
        # acronyms are spelt out in short queries only (the model's time grows with the text)
        lexicon = self.lexicon if len(_WORD.findall(text)) <= self.dense_acronyms else None
        if vocabulary is None and lexicon is None:
            return text
        folded = fold(text) if lexicon is not None else ""

        def rewrite(match: re.Match[str]) -> str:
            word = match.group(0)
            lower = word.lower()
            fixes = parsed.corrected.get(lower)
            if fixes and lower not in completed:
                return fixes[0]
            # an acronym, spelt out beside it unless the query spells it already
            spelt = lexicon.long_form(lower) if lexicon is not None else None
            if spelt and fold(spelt) not in folded:
                return f"{word} ({spelt})"
            if lower != word or vocabulary is None:  # capitals: a name, left as typed
                return word
            return vocabulary.accented(lower)

        return _WORD.sub(rewrite, text)
