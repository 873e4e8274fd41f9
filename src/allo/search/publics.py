"""Publics some fiches are written for: a variant of the general answer comes after it.

The base often answers one question twice: for everyone, and for one public — « Congé de
maternité » and « Congé de maternité dans la fonction publique », « Indemnité de départ
volontaire » in each of the three public services. A caller who does not say they are a public
agent is, as at the 3939's own desks, answered for the general case first: a fiche whose title or
breadcrumb names a public scores × `RankingConfig.public_weight` unless the query names that
public too (« congé maternité fonctionnaire »). The variants stay in the list, after the general
fiches they would otherwise crowd out (measured in docs/SEARCH.md, « Publics »).

The publics and the ways of naming them are maintained in data/search/publics.txt.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from allo.errors import InvalidInput
from allo.search.analysis import DATA_DIR, FrenchAnalyzer, default_analyzer
from allo.search.documents import SearchDocument

PUBLICS_FILE = DATA_DIR / "publics.txt"
#: one bit per public in a fiche's or a query's mark (np.uint32)
MAX_PUBLICS = 32


@dataclass(frozen=True)
class Public:
    name: str
    #: each way of naming it, as index terms (all of them must be there)
    ways: tuple[frozenset[str], ...]


class PublicCatalog:
    def __init__(self, analyzer: FrenchAnalyzer, publics: Sequence[Public]) -> None:
        if len(publics) > MAX_PUBLICS:
            raise InvalidInput(f"Au plus {MAX_PUBLICS} publics, lu {len(publics)}")
        self.analyzer = analyzer
        self.publics = tuple(publics)

    @classmethod
    def parse(cls, text: str, analyzer: FrenchAnalyzer | None = None) -> PublicCatalog:
        """Lines « name: way, way… »; a malformed line is refused with its number."""
        analyzer = analyzer or default_analyzer()
        publics = []
        for number, raw in enumerate(text.splitlines(), 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            name, colon, rest = line.partition(":")
            ways = [frozenset(analyzer.terms(w)) for w in rest.split(",")]
            if not colon or not name.strip() or not all(ways):
                raise InvalidInput(
                    f"Liste des publics, ligne {number} : « nom : façon de le dire, … » "
                    f"attendu, lu « {line[:80]} »"
                )
            publics.append(Public(name.strip(), tuple(ways)))
        return cls(analyzer, publics)

    @classmethod
    def load(cls, path: Path | None = None) -> PublicCatalog:
        return cls.parse((path or PUBLICS_FILE).read_text("utf-8"))

    def named_by(self, terms: Iterable[str]) -> int:
        """The publics a set of index terms names, one bit each."""
        held = set(terms)
        mark = 0
        for bit, public in enumerate(self.publics):
            if any(way <= held for way in public.ways):
                mark |= 1 << bit
        return mark

    def named_in(self, text: str) -> int:
        return self.named_by(self.analyzer.terms(text))

    def marks(self, docs: Sequence[SearchDocument | None]) -> np.ndarray:
        """Per ordinal, the publics its title or its breadcrumb names (0 for removed ones)."""
        if not self.publics:
            return np.zeros(len(docs), dtype=np.uint32)
        return np.fromiter(
            (
                self.named_in(d.title) | self.named_in(d.context) if d is not None else 0
                for d in docs
            ),
            dtype=np.uint32,
            count=len(docs),
        )


@lru_cache(maxsize=1)
def default_publics() -> PublicCatalog:
    return PublicCatalog.load()
