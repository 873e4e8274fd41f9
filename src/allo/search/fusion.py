"""Hybrid fusion of the lexical and dense candidate lists (method and weights measured).

Coverage-safe: a fiche without a vector (not embedded yet) keeps the rank the lexical engine
gives it, and the fiches with a vector fill the other places in their fused order: a fiche
neither rises because it has a vector nor sinks because it has none. The blend itself counts as
far as the vectors cover the corpus (`FusionConfig.trust`): it re-orders the embedded fiches
boldly only once most fiches have a vector. With no vector at all the ranking is exactly the
lexical one; with every vector it is exactly the blend measured in docs/SEARCH.md.
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
    #: a fiche without a vector keeps its exact lexical rank (measured at 30 % and 70 %
    #: coverage: never below the lexical engine on the 57 development questions, unlike
    #: blending it with its lexical value alone — docs/benchmarks/search.md)
    pin_unvectored: bool = True
    #: at partial vector coverage c, the dense weight (and the hybrid's coordination) count
    #: × c ** this: the blend is trusted as far as it sees the corpus. Measured at 30 % and 70 %
    #: (docs/SEARCH.md): 3 keeps both development sets and the bundled sample at or above the
    #: lexical engine (1 and 2 fell 0.0001–0.001 of MRR below it on one of them)
    coverage_exponent: float = 3.0

    def trust(self, coverage: float) -> float:
        """How much of the blend to use when `coverage` of the fiches have a vector (0–1)."""
        return max(0.0, min(1.0, coverage)) ** self.coverage_exponent


def fuse(
    lexical: Sequence[LexicalHit],
    dense: Sequence[tuple[int, float]],
    config: FusionConfig,
    has_vector: Callable[[int], bool] | None = None,
    coverage: float = 1.0,
    weight: Callable[[int], float] | None = None,
    prior: Callable[[int], float] | None = None,
) -> list[tuple[int, float]]:
    """Candidates of both sides, best first.

    blend: the lexical score over the best lexical score, plus the cosine rescaled between the
    worst and the best dense candidate (0 below the worst), weighted; a lexical candidate for
    which `has_vector` is false is then put back at its lexical rank. rrf: Σ weight / (k + rank),
    a candidate without a vector counting its lexical rank twice. `weight`: a multiplier per
    candidate (the kind weights), applied to the fused score and to the lexical order the
    fiches without a vector keep, as the lexical engine alone applies it. `prior`: a multiplier
    of the fused score only (the link centrality): part of the blend, so the lexical order that
    fiches without a vector keep ignores it.
    """
    scores: dict[int, float] = {}
    w_dense = config.dense_weight * config.trust(coverage)
    w_lex = 1.0 - w_dense
    vectored = has_vector or (lambda _o: True)
    if config.method == "rrf":
        for rank, hit in enumerate(lexical):
            share = w_lex if vectored(hit.ord) else 1.0
            scores[hit.ord] = scores.get(hit.ord, 0.0) + share / (config.rrf_k + rank + 1)
        for rank, (ord_, _s) in enumerate(dense):
            scores[ord_] = scores.get(ord_, 0.0) + w_dense / (config.rrf_k + rank + 1)
        scores = _scaled(scores, weight, prior)
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
    scores = _scaled(scores, weight, prior)
    ranked = sorted(scores.items(), key=lambda item: -item[1])
    if has_vector is None or not config.pin_unvectored:
        return ranked
    # A fiche without a vector keeps its lexical rank exactly; the fiches with one fill the
    # other places in their fused order.
    # (its rank by the lexical engine's own score: coordination is part of the blend)
    of = weight or (lambda _o: 1.0)
    by_lexical = sorted(lexical, key=lambda hit: -hit.lexical_score * of(hit.ord))
    pinned = {rank: hit.ord for rank, hit in enumerate(by_lexical) if not vectored(hit.ord)}
    if not pinned:
        return ranked
    pinned_ords = set(pinned.values())
    others = iter([item for item in ranked if item[0] not in pinned_ords])
    out: list[tuple[int, float]] = []
    for position in range(len(ranked)):
        if position in pinned:
            ord_ = pinned[position]
            out.append((ord_, scores[ord_]))
        else:
            item = next(others, None)
            if item is not None:
                out.append(item)
    return out


def _scaled(scores: dict[int, float], *factors: Callable[[int], float] | None) -> dict[int, float]:
    """The scores × each per-candidate factor given (kind weight, prior), in that order."""
    for factor in factors:
        if factor is not None:
            scores = {o: s * factor(o) for o, s in scores.items()}
    return scores
