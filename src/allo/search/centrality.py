"""How central a fiche is among its source's links: a query-independent prior for the hybrid.

A fiche that many others link to (« Rupture conventionnelle », « Congés payés », « Sanctions
disciplinaires ») is what a short query means more often than a narrow fiche beside it that
shares its words. The count is read against the median fiche of the same source, so a source
whose format carries no links (the labour ministry's fiches) is neither favoured nor penalised:
its fiches weigh 1, as does a median fiche of a linked source. Measured in docs/SEARCH.md.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from allo.search.documents import SearchDocument


def inlinks(doc: SearchDocument) -> int:
    """How many fiches link to this one (distinct titles, as `linked_by` folds them)."""
    return len(doc.linked_by.splitlines()) if doc.linked_by else 0


def link_centrality(docs: Sequence[SearchDocument | None]) -> np.ndarray:
    """Per ordinal, (1 + links to the fiche) / (1 + its source's median); 1 where the source
    links nothing and for removed ordinals."""
    out = np.ones(len(docs), dtype=np.float64)
    counts: dict[str, list[tuple[int, int]]] = {}
    for ord_, doc in enumerate(docs):
        if doc is not None:
            counts.setdefault(doc.source, []).append((ord_, inlinks(doc)))
    for pairs in counts.values():
        values = np.array([n for _o, n in pairs], dtype=np.float64)
        if not values.any():
            continue
        ords = np.array([o for o, _n in pairs])
        out[ords] = (1.0 + values) / (1.0 + float(np.median(values)))
    return out
