"""Hybrid fusion of the lexical and dense candidate lists (method and weights measured)."""

from __future__ import annotations

from collections.abc import Sequence
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
    lexical: Sequence[LexicalHit], dense: Sequence[tuple[int, float]], config: FusionConfig
) -> list[tuple[int, float]]:
    """Candidates of both sides, best first.

    blend: the lexical score over the best lexical score, plus the cosine rescaled between the
    worst and the best dense candidate, weighted; rrf: Σ weight / (k + rank).
    """
    scores: dict[int, float] = {}
    w_dense, w_lex = config.dense_weight, 1.0 - config.dense_weight
    if config.method == "rrf":
        for rank, hit in enumerate(lexical):
            scores[hit.ord] = scores.get(hit.ord, 0.0) + w_lex / (config.rrf_k + rank + 1)
        for rank, (ord_, _s) in enumerate(dense):
            scores[ord_] = scores.get(ord_, 0.0) + w_dense / (config.rrf_k + rank + 1)
    else:
        if lexical:
            top = lexical[0].score or 1.0
            for hit in lexical:
                scores[hit.ord] = w_lex * hit.score / top
        if dense:
            best = dense[0][1]
            floor = dense[-1][1]
            span = (best - floor) or 1.0
            for ord_, s in dense:
                scores[ord_] = scores.get(ord_, 0.0) + w_dense * (s - floor) / span
    return sorted(scores.items(), key=lambda item: -item[1])
