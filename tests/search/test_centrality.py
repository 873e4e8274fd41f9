"""Link centrality: a fiche many others link to rises a little in the hybrid, never lexically."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from allo.search.centrality import inlinks, link_centrality
from allo.search.documents import SearchDocument
from allo.search.embcache import EmbeddingCache
from allo.search.embedder import HashingEmbedder
from allo.search.fusion import FusionConfig, fuse
from allo.search.index import LexicalHit
from allo.search.service import SearchService
from tests.search.document_helpers import bare_document

RARE = "zorglubienne"


def _doc(doc_id: str, links: int, source: str = "dila") -> SearchDocument:
    linked_by = "\n".join(f"Fiche {i}" for i in range(links))
    return dataclasses.replace(
        bare_document(doc_id, doc_id, ""), source=source, linked_by=linked_by
    )


def test_centrality_is_read_against_the_median_fiche_of_its_source() -> None:
    docs = [_doc("a", 0), _doc("b", 3), _doc("c", 3), None, _doc("d", 9), _doc("t", 0, "travail")]
    assert [inlinks(d) for d in docs if d is not None] == [0, 3, 3, 9, 0]
    # dila's median fiche has 3 links: (1 + n) / 4
    assert link_centrality(docs).tolist() == [0.25, 1.0, 1.0, 1.0, 2.5, 1.0]


def test_a_source_that_links_nothing_is_neither_favoured_nor_penalised() -> None:
    docs = [_doc("t1", 0, "travail"), _doc("t2", 0, "travail")]
    assert link_centrality(docs).tolist() == [1.0, 1.0]
    assert link_centrality([]).shape == (0,)


def test_the_prior_multiplies_the_blend_but_not_the_rank_a_fiche_without_a_vector_keeps() -> None:
    lexical = [LexicalHit(1, 10.0), LexicalHit(2, 9.0), LexicalHit(3, 1.0)]
    dense = [(1, 0.8), (2, 0.8), (3, 0.1)]
    config = FusionConfig()
    assert [o for o, _ in fuse(lexical, dense, config)][:2] == [1, 2]
    central = {1: 1.0, 2: 1.5, 3: 1.0}.get
    assert [o for o, _ in fuse(lexical, dense, config, prior=central)][:2] == [2, 1]
    # fiche 2 without a vector: its lexical rank (second), whatever its centrality
    ranked = fuse(lexical, dense, config, lambda o: o != 2, prior=central)
    assert [o for o, _ in ranked] == [1, 2, 3]


@pytest.mark.parametrize("first_added", ["L9091", "L9092"])
def test_the_hybrid_prefers_the_linked_fiche_of_two_equal_ones_and_the_lexical_engine_does_not(
    add_fiche: Callable[..., object],
    make_service: Callable[..., SearchService],
    tmp_path: Path,
    first_added: str,
) -> None:
    second = "L9092" if first_added == "L9091" else "L9091"
    for fiche_id in (first_added, second):
        add_fiche(fiche_id, f"Forfait {RARE}", text=f"Le forfait {RARE} se demande en ligne.")
    for i in range(3):  # three local fiches link to L9092
        add_fiche(
            f"L909{3 + i}",
            f"Démarche voisine {i}",
            related=[{"rel": "voir-aussi", "id": "L9092", "title": f"Forfait {RARE}"}],
        )
    embedder = HashingEmbedder()
    cache = EmbeddingCache(tmp_path, embedder.name, embedder.dim, bundled=tmp_path / "none")
    service = make_service(embedder=embedder, cache=cache, embed_missing=False)
    service.embed_pending()
    assert service.missing_vectors() == 0
    engine = service.engine
    assert engine.centrality[engine.ords["L9092"]] > engine.centrality[engine.ords["L9091"]]

    lexical = service.search(f"forfait {RARE}", semantic=False)
    assert {h.id for h in lexical[:2]} == {"L9091", "L9092"}
    assert lexical[0].score == lexical[1].score  # the lexical engine ignores links
    hybrid = service.search(f"forfait {RARE}")
    assert hybrid[0].id == "L9092" and hybrid[1].id == "L9091"
    assert hybrid[0].score > hybrid[1].score

    service.set_config(dataclasses.replace(service.config, link_prior=0.0))
    flat = service.search(f"forfait {RARE}")
    assert {h.id for h in flat[:2]} == {"L9091", "L9092"}
    assert flat[0].score == flat[1].score
    assert np.isclose(hybrid[0].score / flat[0].score, 4.0**0.1, rtol=1e-3)
