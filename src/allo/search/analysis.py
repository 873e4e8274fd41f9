"""French text analysis shared by the index, the queries, the suggestions and the lexicon.

A word is stemmed (Snowball French) in its accented form, then folded: "calculée", "calculé" and
"calculer" all give `calcul`, which stemming already-folded text gets wrong ("calculee" →
`calcule`). Queries typed without accents are mapped back to the accented form the fiches use
(see allo.search.fuzzy.Vocabulary), so "conge paternite" still meets "congé de paternité".
Measured in docs/SEARCH.md.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import Stemmer

#: Maintained data files of the search domain (stop words, lexicon, bundled embeddings).
DATA_DIR = Path(__file__).resolve().parents[1] / "data" / "search"

#: Elided articles and pronouns: "l'", "qu'", "jusqu'"… are dropped from the word that follows.
ELISIONS = ("l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu")
_ELIDED = r"(?:(?:" + "|".join(ELISIONS) + r")')?"
# A word, with an elided article or pronoun before it skipped. Matches start where the previous
# word ended, so "aujourd'hui" gives "aujourd" and "hui" while "qu'il" gives "il".
_WORD_RE = re.compile(_ELIDED + r"([a-z0-9]+)")
# On lower-cased, unfolded text: any run of letters or digits of any script. Elided articles
# come out as words of their own ("l", "qu", "jusqu"), which are stop words: matching them
# here would cost a third of a cold index build.
_SURFACE_RE = re.compile(r"\w+")
_ASCII_WORD_RE = re.compile(r"[a-z0-9]+")
# Ordinals as people type them: "13e", "13ème", "13eme", "13 ème", "13ieme" are one word, and
# one term ("13e"); "1er", "1re", "1ère" are "1er". Fiches write "13e mois", queries "13eme mois".
_ORDINAL_GAP_RE = re.compile(r"(\d)\s+(?=(?:e|è|ème|eme|ieme|ième|er|ère|re)\b)")
_ORDINAL_RE = re.compile(r"^(\d{1,4})(e|eme|ieme|er|ere|re)$")
_APOSTROPHES = ("’", "ʼ", "`", "´", "‘")
# After NFKD, accents are combining marks (U+0300–U+036F); anything else non-ASCII separates words.
_OTHER_RE = re.compile("[^\x00-\x7f\u0300-\u036f]+")
_LIGATURES = (("œ", "oe"), ("æ", "ae"), ("ß", "ss"))

#: Words longer than this are not words (identifiers, base64, pasted junk): ignored.
MAX_WORD_LENGTH = 40
#: Bound of the word → term memo (the corpus has ~80,000 distinct words).
MAX_CACHED_WORDS = 500_000


def _plain_apostrophes(text: str) -> str:
    # str.replace per character is an order of magnitude faster than str.translate here.
    for apostrophe in _APOSTROPHES:
        if apostrophe in text:
            text = text.replace(apostrophe, "'")
    return text


def fold(text: str) -> str:
    """Lower case, accents removed, ligatures expanded, typographic apostrophes made plain.

    Any other non-ASCII character (dashes, symbols, emoji, other scripts) becomes a space, so it
    separates words instead of gluing them.
    """
    text = text.lower()
    if text.isascii():
        return text
    text = _plain_apostrophes(text)
    for ligature, letters in _LIGATURES:
        if ligature in text:
            text = text.replace(ligature, letters)
    text = _OTHER_RE.sub(" ", unicodedata.normalize("NFKD", text))
    return text.encode("ascii", "ignore").decode("ascii").lower()


def words(text: str) -> list[str]:
    """Folded words with elisions removed, stop words kept (suggestions, lexicon triggers)."""
    return [w for w in _WORD_RE.findall(fold(text)) if len(w) <= MAX_WORD_LENGTH]


def _surface_findall(text: str) -> list[str]:
    text = text.lower()
    if "_" in text:
        text = text.replace("_", " ")
    text = _ORDINAL_GAP_RE.sub(r"\1", text)
    return _SURFACE_RE.findall(text)


def surface_words(text: str) -> list[str]:
    """Lower-cased words as written (accents kept), stop words (and elided articles) kept."""
    return [w for w in _surface_findall(text) if len(w) <= MAX_WORD_LENGTH]


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    """Folded stop words from data/search/stopwords.txt."""
    raw = (DATA_DIR / "stopwords.txt").read_text("utf-8")
    out: set[str] = set()
    for line in raw.splitlines():
        if line.startswith("#"):
            continue
        for word in line.split():
            out.update(words(word))
    return frozenset(out)


@dataclass(frozen=True)
class Analysis:
    """What `FrenchAnalyzer.analyze` found in a text."""

    #: index terms, space-separated, in order (duplicates kept: term frequencies)
    terms: str
    #: distinct content words as written (lower-cased, accents kept)
    content: set[str]
    #: every word as written, in order, stop words included
    words: list[str]


class FrenchAnalyzer:
    """Words → index terms: stop words dropped, Snowball stem of the accented word, folded.

    Numbers are kept as they are. The surface word → term mapping is memoised: the corpus has
    ~60,000 distinct words and millions of occurrences, so the cache is what keeps a full index
    build within a few seconds.
    """

    def __init__(self) -> None:
        self._stemmer = Stemmer.Stemmer("french")
        self._stops = stop_words()
        #: surface word → index term ("" for a stop word)
        self._cache: dict[str, str] = {}

    def term(self, surface: str) -> str:
        """The index term of one lower-cased word ("" when it is a stop word or not a word)."""
        cached = self._cache.get(surface)
        if cached is not None:
            return cached
        folded = "".join(_ASCII_WORD_RE.findall(fold(surface)))
        ordinal = _ORDINAL_RE.match(folded) if folded[:1].isdigit() else None
        if not folded or folded in self._stops or len(surface) > MAX_WORD_LENGTH:
            term = ""
        elif ordinal is not None:
            suffix = ordinal.group(2)
            term = ordinal.group(1) + ("er" if suffix in ("er", "ere", "re") else "e")
        elif folded.isdigit() or (surface.isascii() and not surface.isalpha()):
            term = folded  # numbers and codes ("1er", "l1225") are kept whole
        else:
            stem = self._stemmer.stemWord(surface.replace("œ", "oe").replace("æ", "ae"))
            term = "".join(_ASCII_WORD_RE.findall(fold(stem))) or folded
        if len(self._cache) >= MAX_CACHED_WORDS:
            self._cache.clear()  # pasted junk could otherwise grow it without bound
        self._cache[surface] = term
        return term

    def terms(self, text: str) -> list[str]:
        """The index terms of a text, in order (duplicates kept: they are term frequencies)."""
        term = self.term
        return [t for t in map(term, surface_words(text)) if t]

    def analyze(self, text: str) -> Analysis:
        """Index terms of a text, its distinct content words and every word as written.

        Works per distinct word, then maps the occurrences in C (str.join over a dict lookup):
        this is most of the time of a cold index build. The words found are handed back so the
        text is read once (the body's exact forms are made from them, allo.search.index).
        """
        found = _surface_findall(text)
        unique = set(found)
        term = self.term
        for word in unique.difference(self._cache):
            term(word)
        cache = self._cache
        try:
            joined = " ".join(map(cache.__getitem__, found))
        except KeyError:  # the cache was cleared meanwhile: the slow way
            joined = " ".join(map(term, found))
        return Analysis(joined, {w for w in unique if term(w)}, found)

    def is_stop_word(self, folded_word: str) -> bool:
        return folded_word in self._stops


@lru_cache(maxsize=1)
def default_analyzer() -> FrenchAnalyzer:
    return FrenchAnalyzer()
