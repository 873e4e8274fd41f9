"""Hybrid fusion of the lexical and dense candidate lists (method and weights measured).

Coverage-safe: a fiche without a vector (not embedded yet) takes its lexical value for the dense
part too, so it neither sinks because it has no vector nor lets a vectored neighbour rise above
it for that reason alone. With no vector at all the ranking is exactly the lexical one; with every
vector it is exactly the blend measured in docs/SEARCH.md.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from allo.search.index import LexicalHit


@dataclass(frozen=True)
class FusionConfig:
    #: "blend" (normalised score blending, measured best) or "rrf" (reciprocal-rank fusion)
    method: str = "blend"
    rrf_k: float = 60.0
    #: weight of the dense side (the lexical side weighs 1 - dense_weight)
    dense_weight: float = 0.5


def fuse(
    lexical: Sequence[LexicalHit],
    dense: Sequence[tuple[int, float]],
    config: FusionConfig,
    has_vector: Callable[[int], bool] | None = None,
) -> list[tuple[int, float]]:
    """Candidates of both sides, best first.

    blend: the lexical score over the best lexical score, plus the cosine rescaled between the
    worst and the best dense candidate (0 below the worst), weighted; a candidate for which
    `has_vector` is false gets its lexical value on the dense side (neutral). rrf: Σ weight /
    (k + rank), a candidate without a vector counting its lexical rank twice.
    """
    scores: dict[int, float] = {}
    w_dense, w_lex = config.dense_weight, 1.0 - config.dense_weight
    vectored = has_vector or (lambda _o: True)
    if config.method == "rrf":
        for rank, hit in enumerate(lexical):
            weight = w_lex if vectored(hit.ord) else 1.0
            scores[hit.ord] = scores.get(hit.ord, 0.0) + weight / (config.rrf_k + rank + 1)
        for rank, (ord_, _s) in enumerate(dense):
            scores[ord_] = scores.get(ord_, 0.0) + w_dense / (config.rrf_k + rank + 1)
        return sorted(scores.items(), key=lambda item: -item[1])
    if lexical:
        top = lexical[0].score or 1.0
        for hit in lexical:
            lex = hit.score / top
            # no vector: the dense half is its lexical value, i.e. it is ranked as lexically
            scores[hit.ord] = w_lex * lex if vectored(hit.ord) else lex
    if dense:
        best = dense[0][1]
        floor = dense[-1][1]
        span = (best - floor) or 1.0
        for ord_, s in dense:
            scores[ord_] = scores.get(ord_, 0.0) + w_dense * (s - floor) / span
    return sorted(scores.items(), key=lambda item: -item[1])
