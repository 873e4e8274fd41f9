"""Reading a search query for a place and an office type: "caf lyon", "horaires mairie 13008".

Level 1 informs and orients: when a query names an office type (a code, label or synonym of the
types table) and a place (a postal code or a commune name, possibly several words), the search
shows the competent offices beside the fiches, and the fiches are searched without the place
words (a commune's name says nothing about which fiche answers).

General mechanisms only: the longest run of words that is a type name, the longest run of words
(outside it) that is a commune name or a postal code. Both must be present, so a plain question
("carte grise perdue") is never touched. Dictionary lookups: a few microseconds per query.

A one-word name that is an ordinary word (`ordinary`, given by the caller: the knowledge base's
vocabulary) names a small commune only when nothing else is left to read: « préfecture titre de
séjour » is not about Le Titre (Somme, 332 inhabitants), nor « caf frais de garde » about Frais.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from allo.directory.places import Place, PlaceIndex
from allo.directory.text import fold
from allo.directory.types import TypeCatalog

#: longest run of words tried as a type name or a commune name
MAX_WORDS = 5
#: a commune name shorter than this is too often an ordinary word ("y", "eu", "by")
MIN_NAME = 3
#: articles and prepositions that tie a département's name to the query (« préfecture du nord »):
#: dropped with it
LINK_WORDS = frozenset({"a", "au", "d", "dans", "de", "des", "du", "en", "l", "la", "le", "les"})
#: a commune this populous is read even when its name is an ordinary word (« Paris », « Tours »)
CITY_POPULATION = 50_000


@dataclass(frozen=True, slots=True)
class PlaceQuery:
    """What a query asks about a place: the office type, the commune, and the rest of it."""

    office_type: str
    place: Place
    #: the words that named the place, as typed ("saint etienne", "13008")
    place_text: str
    #: the query without the place words: what the fiche search runs on
    rest: str


def _runs(n: int) -> list[tuple[int, int]]:
    """Word spans, longest first, then left to right."""
    return [(i, i + size) for size in range(min(MAX_WORDS, n), 0, -1) for i in range(n - size + 1)]


def type_span(text: str, types: TypeCatalog) -> tuple[int, int, str] | None:
    """The longest run of words naming an office type (start, end, code), without the places:
    the cheap first test, so that a query naming no type costs no database read."""
    words = text.split()
    if not 2 <= len(words) <= 4 * MAX_WORDS:
        return None
    folded = [fold(w) for w in words]
    # a vague query alias (« tribunal ») only where no name is (« tribunal des prud'hommes »)
    for names in (types.names(), types.query_names()):
        for i, j in _runs(len(words)):
            key = " ".join(w for w in folded[i:j] if w)
            code = names.get(key)
            if code is not None and len(key) >= 2:
                return (i, j, code)
    return None


def detect(
    text: str,
    places: PlaceIndex,
    types: TypeCatalog,
    ordinary: Callable[[str], bool] | None = None,
) -> PlaceQuery | None:
    """The office type and the place a query names, or None unless it names both.
    `ordinary(word)`: whether a typed word is an ordinary word rather than a name."""
    kind = type_span(text, types)
    if kind is None:
        return None
    words = text.split()
    folded = [fold(w) for w in words]
    best: tuple[int, int, Place] | None = None
    for i, j in _runs(len(words)):
        if i < kind[1] and j > kind[0]:
            continue  # overlaps the type's words
        if best is not None and j - i < best[1] - best[0]:
            break  # a longer name already found
        found = _place(words, folded, i, j, places)
        if found is None or (best is not None and _rank(found[1]) <= _rank(best[2])):
            continue
        # last: `ordinary` may count the word in the knowledge base
        if ordinary is None or not _word_not_name(
            words, folded, (i, found[0]), found[1], kind, ordinary
        ):
            best = (i, found[0], found[1])
    if best is None:
        return None
    i, j, place = best
    # "mairie 13001 marseille": the city the postal code is in is a place word too.
    same = {place.insee, place.parent}
    drop = set(range(i, j))
    for a, b in _runs(len(words)):
        if drop.isdisjoint(range(a, b)) and not (a < kind[1] and b > kind[0]):
            other = _place(words, folded, a, b, places)
            if other is not None and other[1].insee in same:
                drop.update(range(a, other[0]))
    drop |= _departement_words(folded, place, places, drop, kind)
    return PlaceQuery(
        office_type=kind[2],
        place=place,
        place_text=" ".join(words[i:j]),
        rest=" ".join(w for n, w in enumerate(words) if n not in drop),
    )


def _departement_words(
    folded: list[str], place: Place, places: PlaceIndex, drop: set[int], kind: tuple[int, int, str]
) -> set[int]:
    """The words naming the place's own département (« lille nord », « préfecture du nord
    lille », « caf 59 lille »), with the article before them: place words too, which would
    otherwise reach the fiche search."""
    names = {place.departement.lower()}
    if place.departement_name:
        names.add(fold(place.departement_name))
    out: set[int] = set()
    for a, b in _runs(len(folded)):
        span = set(range(a, b))
        if not span.isdisjoint(drop | out) or (a < kind[1] and b > kind[0]):
            continue
        if " ".join(w for w in folded[a:b] if w) in names:
            out |= span
            while a > 0 and a - 1 not in drop and folded[a - 1] in LINK_WORDS:
                a -= 1
                out.add(a)
    return out


def _word_not_name(
    words: list[str],
    folded: list[str],
    span: tuple[int, int],
    place: Place,
    kind: tuple[int, int, str],
    ordinary: Callable[[str], bool],
) -> bool:
    """Whether the words of `span` read better as an ordinary word than as this commune: one
    word (its article aside) that `ordinary` knows, a small commune, and other words left in
    the query that it can be read with."""
    named = [n for n in range(*span) if folded[n] not in LINK_WORDS and not folded[n].isdigit()]
    if len(named) != 1 or (place.population or 0) >= CITY_POPULATION:
        return False
    others = [
        w
        for n, w in enumerate(folded)
        if not (span[0] <= n < span[1] or kind[0] <= n < kind[1]) and w and w not in LINK_WORDS
    ]
    return bool(others) and ordinary(words[named[0]])


def _rank(place: Place) -> tuple[int, int]:
    """A postal code (one arrondissement) before a name (the city); then the most populous."""
    return (place.kind == "arrondissement-municipal", place.population or 0)


def _place(
    words: list[str], folded: list[str], i: int, j: int, places: PlaceIndex
) -> tuple[int, Place] | None:
    """The commune words i..j name (and where its name ends, a département code included)."""
    key = fold(" ".join(words[i:j])) if j - i > 1 else folded[i]
    if key.isdigit():
        found = places.postal(key) if len(key) == 5 else []
        return (j, found[0]) if found else None
    if len(key) < MIN_NAME:
        return None
    found = places.by_name.get(key) or []
    if not found:
        return None
    # "saint denis 974": a département code right after a homonym's name picks it.
    if j < len(folded) and found[1:]:
        dep = folded[j].upper()
        same = [p for p in found if p.departement == dep]
        if same:
            return (j + 1, same[0])
    return (j, found[0])
