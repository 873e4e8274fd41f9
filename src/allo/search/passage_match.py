"""Which stored passage of a fiche answers a query, and its snippet (query time).

Apart from allo.search.passages (extraction and storage) so that the stored passages' version
(`EXTRACTOR`, a hash of that module) does not change when only the choice or the snippet does.
Both steps run for every hit a page shows, so they work on whole strings in C where they can:
one regular-expression scan per query term over a fiche's packed terms, and a snippet cut from
the densest run of matches without analysing every word of a long section.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from html import escape
from itertools import accumulate

from allo.search.analysis import FrenchAnalyzer
from allo.search.passages import PackedTerms, Passage

#: BM25 parameters over a fiche's own passages
K1, B = 1.2, 0.75
#: words of text around the best match in a snippet
SNIPPET_WORDS = 32
#: characters of a long text kept around the densest run of matches before the snippet is cut
#: word by word (a French word and its space: ~7 characters; margins on both sides)
_WINDOW_CHARS = SNIPPET_WORDS * 7
_MARGIN_CHARS = 80
_WORD = re.compile(r"\w+")
#: the letters a folded term's letter stands for in a text
_ACCENTED = {
    "a": "aàâä",
    "c": "cç",
    "e": "eéèêë",
    "i": "iîï",
    "o": "oôö",
    "u": "uùûü",
    "y": "yÿ",
}


@dataclass(frozen=True)
class PassageMatch:
    """The best passage of a fiche for a query, as the API returns it."""

    anchor: str
    path: str
    snippet_html: str

    def as_dict(self) -> dict[str, str]:
        return {"anchor": self.anchor, "path": self.path, "snippet_html": self.snippet_html}


def _term_counts(passages: list[Passage], terms: Iterable[str]) -> dict[str, list[int]]:
    """Each term's count in each passage. Packed terms (as read from the base) are searched
    once per term over the fiche's joined packs instead of once per passage."""
    packs = [p.terms.packed for p in passages if isinstance(p.terms, PackedTerms)]
    if len(packs) != len(passages):
        return {t: [p.terms.get(t, 0) for p in passages] for t in terms}
    joined = "".join(packs)  # each pack starts and ends with a space: « term: » never straddles
    starts = list(accumulate((len(p) for p in packs[:-1]), initial=0))
    out: dict[str, list[int]] = {}
    for term in terms:
        counts = [0] * len(passages)
        needle = f" {term}:"
        at = joined.find(needle)
        while at >= 0:
            value_at = at + len(needle)
            value_end = joined.index(" ", value_at)
            counts[bisect_right(starts, at) - 1] = int(joined[value_at:value_end])
            at = joined.find(needle, value_end)
        out[term] = counts
    return out


def rank(passages: list[Passage], query: Iterable[tuple[str, float]]) -> list[Passage]:
    """The passages holding a query term, best first: BM25 over the fiche's own passages with
    the query's (term, weight); ties keep reading order."""
    weights: dict[str, float] = {}
    for term, weight in query:
        if term:
            weights[term] = max(weight, weights.get(term, 0.0))
    if not passages or not weights:
        return []
    n = len(passages)
    average = sum(p.length for p in passages) / n or 1.0
    tfs = _term_counts(passages, weights)
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


def _candidates(terms: set[str]) -> re.Pattern[str]:
    """The words that may be of these terms in lower-cased text: those beginning with a term's
    first letters (three at most), each letter in any of its accented forms (terms are folded,
    texts are not). One pattern a query: `re` keeps it compiled for the page's other hits."""
    starts = set()
    for term in terms:
        classes = [f"[{_ACCENTED[c]}]" if c in _ACCENTED else re.escape(c) for c in term[:3]]
        starts.add("".join(classes))
        if term.startswith("oe"):
            starts.add("œ")
    return re.compile(r"\b(?:" + "|".join(sorted(starts)) + r")\w*")


def _hit_spans(lowered: str, terms: set[str], analyzer: FrenchAnalyzer) -> list[tuple[int, int]]:
    """Where the words of `terms` stand in `lowered`, in order. Only the words beginning like a
    term are analysed (a long section has thousands of words: analysing each was most of the
    time of a page of results)."""
    if not terms:
        return []
    spans = []
    checked: dict[str, bool] = {}
    for found in _candidates(terms).finditer(lowered):
        word = found.group()
        hit = checked.get(word)
        if hit is None:
            hit = checked[word] = analyzer.term(word) in terms
        if hit:
            spans.append(found.span())
    return spans


def _region(text: str, spans: list[tuple[int, int]]) -> tuple[int, int]:
    """The part of `text` the snippet is cut from: around its densest run of query words (the
    beginning when none), a few hundred characters, on word boundaries."""
    if len(text) <= _WINDOW_CHARS + 2 * _MARGIN_CHARS:
        return 0, len(text)
    centre, best_count, ahead = 0, 0, 0
    for i, (start, _end) in enumerate(spans):
        while ahead < len(spans) and spans[ahead][0] < start + _WINDOW_CHARS:
            ahead += 1
        if ahead - i > best_count:
            best_count, centre = ahead - i, start
    begin = max(0, centre - _MARGIN_CHARS)
    end = min(len(text), centre + _WINDOW_CHARS + _MARGIN_CHARS)
    if begin > 0:  # start after a word boundary, never inside a word
        space = text.find(" ", begin, centre)
        begin = space + 1 if space >= 0 else centre
    if end < len(text):
        space = text.rfind(" ", centre, end)
        end = space if space > centre else end
    return begin, end


def snippet_html(text: str, terms: set[str], analyzer: FrenchAnalyzer) -> str:
    """About `SNIPPET_WORDS` words of `text` around its densest run of query words, escaped,
    with the query's words in `<mark>`."""
    lowered = text.lower()
    if len(lowered) != len(text):  # a few characters change length in lower case
        lowered = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    spans = _hit_spans(lowered, terms, analyzer)
    begin, end_of_region = _region(text, spans)
    words = list(_WORD.finditer(text, begin, end_of_region))
    if not words:
        return ""
    marked = {start for start, _end in spans}
    hits = [w.start() in marked for w in words]
    start = 0
    if spans:
        window = min(SNIPPET_WORDS, len(words))
        # matches in each window of `window` words, from the running total
        total = list(accumulate(hits, initial=0))
        counts = [total[i + window] - total[i] for i in range(len(words) - window + 1)]
        start = counts.index(max(counts))
        # begin a little before the first match of the window, not on it
        first = next((i for i in range(start, start + window) if hits[i]), start)
        start = max(0, min(start, first - 4))
    end = min(len(words), start + SNIPPET_WORDS)
    cut_after = end < len(words) or end_of_region < len(text)
    end_at = words[end - 1].end() if cut_after else len(text)
    out: list[str] = ["… " if start > 0 or begin > 0 else ""]
    position = words[start].start()
    for i in range(start, end):
        if hits[i]:
            word = words[i]
            out.append(escape(text[position : word.start()]))
            out.append(f"<mark>{escape(word.group())}</mark>")
            position = word.end()
    out.append(escape(text[position:end_at]))
    if cut_after:
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
