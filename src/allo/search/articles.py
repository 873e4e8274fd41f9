"""Articles of law named in a query: « L1224-1 », « article R4624-10 du code du travail ».

People type the article a letter, a contract or a ruling cites them. An article number means
nothing to a text index (« L1224-1 » drew passport fiches: its pieces match any number), but
each fiche lists the texts it rests on (« Code du travail : articles L1224-1 à L1224-4 »): the
fiches whose references cover the article are the answer, the narrowest reference first. The
rest of the query (« L1224-1 transfert contrat ») ranks them and the others as usual.

Only the codes are read (« Code … : article(s) … »): a law's or a decree's article numbers
restart with each text and a query rarely names the text. Articles are compared in their
code's order (L1225-16 < L1225-16-1 < L1225-17); regulatory R and D articles share one
numbering, as the codes print them (« articles R3231-4 à D3231-6 »).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Protocol

from allo.errors import InvalidInput
from allo.search.analysis import words

#: a code's reference title: « Code du travail : articles L1225-16 à L1225-28 »
_CODE_REFERENCE = re.compile(r"^\s*(code\b[^:]{2,120}?)\s*:\s*(.+)$", re.IGNORECASE)
#: an article number in a reference: « L1225-16 », « R*123-4 », « D. 3231-6 », « 371 », « 4-3 »
_REFERENCE_NUMBER = re.compile(
    r"(?<![\w-])(LO|[LRDA])?\*?\s?\.?\s?(\d{1,5}(?:-\d{1,4})*)(?![\w-])"
)  # (capitals only: « articles 12 a 15 » is a range, not an article A15)
#: between two numbers of a reference: a range (« à », « a ») or a list (« et », « , »)
_RANGE_WORD = re.compile(r"^\s*(?:à|a|au)\s*$", re.IGNORECASE)
#: an article number in a query, with its letter: « L1224-1 », « l 1242-8 », « R.4624-10 »
_QUERY_LETTERED = re.compile(
    r"(?<![\w-])(LO|[LRD])\s?\.?\s?(\d{3,4}(?:\s?-\s?\d{1,4})+)(?![\w-])", re.IGNORECASE
)
#: an article number without a letter, after « article », in a query naming its code (« article
#: 1240 du code civil »; « article 12 de mon contrat » is not the law)
_QUERY_PLAIN = re.compile(
    r"(?<![\w-])(?:articles?|art\.?)\s*(\d{1,4}(?:-\d{1,4})*)(?![\w-])", re.IGNORECASE
)
_DIGIT = re.compile(r"\d")
#: words that only say an article follows (removed with it from the query)
_CUE = re.compile(r"(?<![\w-])(?:articles?|art\.?)(?![\w-])", re.IGNORECASE)
#: more articles than this in one query: a list pasted from a text, not a question
MAX_QUERY_ARTICLES = 5
#: the longest text read for the articles it names in the legal watch (a few references)
MAX_WATCH_TEXT = 300
#: a range whose first number part differs from its last (« L3221-1 à L3222-4 ») is indexed
#: under each part in between, up to this many
MAX_SPAN_PARTS = 20


def _family(letter: str | None) -> str:
    """L and LO (organic) articles are the legislative part; R and D share the regulatory one."""
    letter = (letter or "").upper()
    return {"LO": "L", "D": "R"}.get(letter, letter)


def _numbers(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.split(r"\s?-\s?", text.strip()) if part)


@lru_cache(maxsize=4096)  # a few hundred codes, cited tens of thousands of times
def code_key(name: str) -> str:
    """A code's name as compared: « Code de la sécurité sociale » → "code de la securite sociale"."""
    return " ".join(words(name))


@dataclass(frozen=True, slots=True)
class Article:
    """An article of a code (`code` "" when the query names none): L1224-1 is ("L", (1224, 1))."""

    family: str
    numbers: tuple[int, ...]
    code: str = ""

    @property
    def label(self) -> str:
        """As the codes print it: « L1224-1 »."""
        return self.family + "-".join(str(n) for n in self.numbers)


@dataclass(frozen=True, slots=True)
class ArticleSpan:
    """The articles one reference of a fiche covers: one article, or a range « … à … »."""

    code: str
    family: str
    first: tuple[int, ...]
    last: tuple[int, ...]
    #: the reference's address (Légifrance), "" when it has none
    url: str = field(default="", compare=False)
    #: the code's name as the reference prints it (« Code de la sécurité sociale »)
    code_name: str = field(default="", compare=False)
    #: the whole reference as the fiche prints it (« Code du travail : articles L1224-1 à
    #: L1224-4 »), what an editor reads in the legal watch
    reference: str = field(default="", compare=False)

    def covers(self, article: Article) -> bool:
        if article.family != self.family or (article.code and article.code != self.code):
            return False
        n = article.numbers
        if self.first == self.last:  # one article: L1224-1 is not L1224-1-1
            return n == self.first
        # a range's last article brings the ones inserted after it (« … à L1225-28 »: L1225-28-1)
        return self.first <= n and (n <= self.last or n[: len(self.last)] == self.last)

    @property
    def width(self) -> int:
        """How many articles it names, about: 1 for one article; what orders the citing fiches."""
        if self.first == self.last:
            return 1
        if self.first[:-1] == self.last[:-1]:
            return max(1, self.last[-1] - self.first[-1] + 1)
        return 100 * max(1, self.last[0] - self.first[0] + 1)


def cited_spans(references: Iterable[Mapping[str, Any]]) -> tuple[ArticleSpan, ...]:
    """The code articles a fiche's references name (a reference that names no code: none)."""
    spans: list[ArticleSpan] = []
    for reference in references:
        title = str(reference.get("title") or "")
        matched = _CODE_REFERENCE.match(title)
        if matched is None:
            continue
        code_name = " ".join(matched.group(1).split())
        code = code_key(code_name)
        printed = " ".join(title.split())
        url = str(reference.get("url") or "")
        text = matched.group(2)
        numbers = list(_REFERENCE_NUMBER.finditer(text))
        i = 0
        while i < len(numbers):
            current = numbers[i]
            family = _family(current.group(1))
            first = _numbers(current.group(2))
            last = first
            if i + 1 < len(numbers):
                following = numbers[i + 1]
                between = text[current.end() : following.start()]
                if _RANGE_WORD.match(between) and _family(following.group(1)) == family:
                    last = _numbers(following.group(2))
                    i += 1
            if first <= last:
                spans.append(ArticleSpan(code, family, first, last, url, code_name, printed))
            i += 1
    return tuple(dict.fromkeys(spans))


@dataclass(frozen=True, slots=True)
class ArticleQuery:
    """What a query names: its articles, the code if it names one, the rest of the query."""

    articles: tuple[Article, ...]
    #: the code's name as typed in the query's words (« code du travail »), "" if none
    code: str
    #: the query without the articles, the word « article » and the code's name
    rest: str


def read_articles(text: str, codes: Iterable[str] = ()) -> ArticleQuery | None:
    """The code articles a query names, or None. `codes`: the codes the base cites (code_key),
    so that « code du travail » in the query narrows the articles to it and leaves the search."""
    if not isinstance(text, str) or not text.strip():
        return None
    found: list[tuple[str | None, str]] = [
        (m.group(1), m.group(2)) for m in _QUERY_LETTERED.finditer(text)
    ]
    if not found and _DIGIT.search(text) is None:
        return None  # every article has a number: most queries end here, before the code names
    code, rest = _named_code(_QUERY_LETTERED.sub(" ", text), codes)
    if code:  # a number without a letter is an article only of a code the query names
        found += [(None, m.group(1)) for m in _QUERY_PLAIN.finditer(rest)]
        rest = _QUERY_PLAIN.sub(" ", rest)
    if not found or len(found) > MAX_QUERY_ARTICLES:
        return None
    rest = _CUE.sub(" ", rest)
    articles = tuple(
        dict.fromkeys(Article(_family(letter), _numbers(number), code) for letter, number in found)
    )
    return ArticleQuery(articles, code, " ".join(rest.split()))


def _named_code(text: str, codes: Iterable[str]) -> tuple[str, str]:
    """The longest known code whose name the query's words hold, and the query without it."""
    tokens = text.split()
    token_words = [words(t) for t in tokens]
    known = sorted((c for c in set(codes) if c), key=len, reverse=True)
    for code in known:
        wanted = code.split()
        for i in range(len(tokens)):
            run: list[str] = []
            for j in range(i, len(tokens)):
                run += token_words[j]
                if run == wanted:
                    return code, " ".join(tokens[:i] + tokens[j + 1 :])
                if run != wanted[: len(run)]:
                    break
    return "", text


@dataclass(frozen=True, slots=True)
class CitedArticle:
    """An article a query names, as shown above the fiches that cite it."""

    #: « L1224-1 »
    label: str
    #: its code, as the references print it (« Code du travail »; "" if they disagree)
    code_name: str
    #: its text on Légifrance, when a fiche cites this very article with its address
    url: str
    #: how many fiches cite it
    fiches: int


class ArticleIndex:
    """Which fiches (by ordinal) cite which articles: spans grouped by code family and first
    number part, so that a query looks at a handful of spans."""

    def __init__(self, cited: Iterable[tuple[int, Sequence[ArticleSpan]]]) -> None:
        self._spans: dict[tuple[str, int], list[tuple[int, ArticleSpan]]] = {}
        codes: set[str] = set()
        for ord_, spans in cited:
            for span in spans:
                codes.add(span.code)
                parts = range(span.first[0], min(span.last[0], span.first[0] + MAX_SPAN_PARTS) + 1)
                for part in parts:
                    self._spans.setdefault((span.family, part), []).append((ord_, span))
        #: the codes the base cites, as code_key gives them
        self.codes = frozenset(codes)

    def citing(self, article: Article) -> dict[int, ArticleSpan]:
        """The fiches citing `article`, each with its narrowest span that covers it."""
        out: dict[int, ArticleSpan] = {}
        if not article.numbers:
            return out
        for ord_, span in self._spans.get((article.family, article.numbers[0]), ()):
            if span.covers(article):
                best = out.get(ord_)
                if best is None or span.width < best.width:
                    out[ord_] = span
        return out

    def describe(self, article: Article) -> CitedArticle:
        """What the base knows of an article: its code and address, from the references that
        cite it (none where they name several codes: « L313-1 » is in a dozen)."""
        citing = self.citing(article)
        spans = sorted(citing.values(), key=lambda s: s.width)
        if len({s.code for s in spans}) != 1:
            return CitedArticle(article.label, "", "", len(citing))
        url = next((s.url for s in spans if s.url), "")
        return CitedArticle(article.label, spans[0].code_name, url, len(citing))


class _Fiche(Protocol):
    """What a citation lists of a fiche (a search document)."""

    @property
    def id(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def source(self) -> str: ...


@dataclass(frozen=True, slots=True)
class CitingFiche:
    """A fiche citing an article, with its narrowest reference that covers it."""

    id: str
    title: str
    source: str
    #: the reference as the fiche prints it (« Code du travail : articles L1224-1 à L1224-4 »)
    reference: str
    #: how many articles that reference names, about (1: this very article)
    width: int


@dataclass(frozen=True, slots=True)
class ArticleCitations:
    """An article and every fiche citing it: what an editor reviews when the article changes."""

    article: CitedArticle
    fiches: tuple[CitingFiche, ...]
    #: the article as read (to look for it in texts the index does not hold)
    named: Article


def watched_articles(text: str, codes: Iterable[str] = ()) -> ArticleQuery:
    """The articles an editor asks about (« L1224-1 », « article 1240 du code civil »); refused
    in French when the text names none, more than MAX_QUERY_ARTICLES, or is too long."""
    if not isinstance(text, str) or not text.strip():
        raise InvalidInput("Saisissez un article de code, par exemple « L1224-1 ».")
    if len(text) > MAX_WATCH_TEXT:
        raise InvalidInput(f"Texte trop long : {MAX_WATCH_TEXT} caractères au plus.")
    named = read_articles(text, codes)
    if named is None:
        raise InvalidInput(
            "Aucun article de code reconnu : écrivez-le comme les codes l’impriment (« L1224-1 », "
            f"« R4624-10 », « article 1240 du code civil »), {MAX_QUERY_ARTICLES} au plus."
        )
    return named


def citations(
    index: ArticleIndex, article: Article, document: Callable[[int], _Fiche | None]
) -> ArticleCitations:
    """Every fiche `index` knows citing `article`, the narrowest reference first, then by title."""
    fiches = []
    for ord_, span in index.citing(article).items():
        doc = document(ord_)
        if doc is not None:
            fiches.append(CitingFiche(doc.id, doc.title, doc.source, span.reference, span.width))
    fiches.sort(key=lambda f: (f.width, words(f.title), f.id))
    return ArticleCitations(index.describe(article), tuple(fiches), article)
