"""Sentence vectors in the database: computed once by the import, read by every process."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from allo.runtime import Runtime
from allo.search.embcache import EmbeddingCache
from allo.search.embedder import HashingEmbedder
from allo.search.models import SearchVector
from allo.search.service import SearchService
from allo.search.services import (
    VectorReport,
    compute_missing_vectors,
    compute_missing_vectors_in_batches,
    plan_vectors,
)
from allo.search.vectorstore import VectorStore, decode, encode

RARE = "zorglubienne"


class CountingEmbedder(HashingEmbedder):
    def __init__(self) -> None:
        super().__init__(dim=32)
        self.embedded: list[str] = []

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        self.embedded += list(texts)
        return super().embed_documents(texts)


def _stored(db: Session, model: str) -> int:
    return db.scalar(select(func.count()).where(SearchVector.model == model)) or 0


def test_vectors_are_computed_once_then_only_for_changed_fiches(
    db: Session, add_fiche: Callable[..., Any]
) -> None:
    embedder = CountingEmbedder()
    calls: list[tuple[int, int]] = []
    first = compute_missing_vectors(db, embedder, lambda d, n: calls.append((d, n)), batch=500)
    assert first.computed == first.missing == first.texts > 1000
    assert first.remaining == 0 and _stored(db, embedder.name) == first.texts
    assert calls[-1] == (first.computed, first.computed)
    embedder.embedded.clear()
    again = compute_missing_vectors(db, embedder)
    assert (again.missing, again.computed, embedder.embedded) == (0, 0, [])
    add_fiche("L9201", f"Prime {RARE}", description="Pour les nouveaux arrivants.")
    changed = compute_missing_vectors(db, embedder)
    assert changed.computed == 1 and embedder.embedded == [
        f"Prime {RARE} Pour les nouveaux arrivants."
    ]
    add_fiche("L9201", f"Prime {RARE} révisée")  # the old vector is no fiche's any more
    revised = compute_missing_vectors(db, embedder)
    assert (revised.computed, revised.removed) == (1, 1)
    assert _stored(db, embedder.name) == revised.texts


def test_a_limited_run_leaves_the_rest_for_the_next_call(db: Session) -> None:
    embedder = CountingEmbedder()
    part = compute_missing_vectors(db, embedder, limit=10, batch=4)
    assert part.computed == 10 and part.remaining == part.texts - 10 and part.removed == 0
    rest = compute_missing_vectors(db, embedder)
    assert rest.computed == part.remaining and rest.remaining == 0


def test_vectors_of_a_file_layer_are_copied_not_computed(db: Session, tmp_path: Path) -> None:
    embedder = CountingEmbedder()
    # an older Allo's file cache holding one fiche's vector
    texts = list(plan_vectors(db, embedder).texts.values())[:1]
    old = EmbeddingCache(tmp_path, embedder.name, embedder.dim, bundled=tmp_path / "none")
    old.ensure(texts, embedder.embed_documents)
    embedder.embedded.clear()
    report = compute_missing_vectors(db, embedder, layers=[old.path])
    assert report.copied == 1 and texts[0] not in embedder.embedded


def test_float16_round_trip_and_wrong_sizes() -> None:
    vector = np.linspace(-1, 1, 8, dtype=np.float32)
    assert np.allclose(decode(encode(vector), 8), vector, atol=1e-3)
    assert decode(encode(vector), 16) is None


def test_workers_read_the_stored_vectors_and_pick_up_new_ones(
    db: Session,
    runtime: Runtime,
    make_service: Callable[..., SearchService],
    add_fiche: Callable[..., Any],
) -> None:
    embedder = CountingEmbedder()
    compute_missing_vectors(db, embedder)
    store = VectorStore(runtime.sessions, embedder.name, embedder.dim)
    # a web worker: embeds nothing itself beyond a few fiches
    service = make_service(embedder=embedder, cache=store, max_embed=0)
    embedder.embedded.clear()
    status = service.status()
    assert status.semantic and status.model == embedder.name
    assert status.with_vector == status.fiches > 1000 and status.coverage == 1.0
    add_fiche("L9202", f"Allocation {RARE}")
    assert service.search(RARE)[0].id == "L9202"  # at once, ranked as the lexical side ranks it
    assert service.missing_vectors() == 1 and embedder.embedded == []
    compute_missing_vectors(db, embedder)  # the import (another process) stores it
    service.refresh(force=True)
    assert service.missing_vectors() == 0
    assert service.status().as_dict()["coverage"] == 1.0


def test_a_worker_embeds_a_few_missing_fiches_into_the_base(
    db: Session,
    runtime: Runtime,
    make_service: Callable[..., SearchService],
    add_fiche: Callable[..., Any],
) -> None:
    embedder = CountingEmbedder()
    compute_missing_vectors(db, embedder)
    embedder.embedded.clear()
    add_fiche("L9203", f"Bourse {RARE}")
    store = VectorStore(runtime.sessions, embedder.name, embedder.dim)
    service = make_service(embedder=embedder, cache=store, max_embed=5, background_embedding=False)
    assert service.missing_vectors() == 0 and embedder.embedded == [f"Bourse {RARE}"]
    assert compute_missing_vectors(db, embedder).missing == 0  # stored for every process


def test_a_command_commits_batch_by_batch(
    db: Session, runtime: Runtime, add_fiche: Callable[..., Any]
) -> None:
    embedder = CountingEmbedder()
    compute_missing_vectors(db, embedder)
    for n, word in enumerate(("Chèque", "Bourse", "Aide", "Prime")):
        add_fiche(f"L920{n + 4}", f"{word} {RARE}")
    calls: list[tuple[int, int]] = []
    report = compute_missing_vectors_in_batches(
        runtime.sessions, embedder, lambda d, n: calls.append((d, n)), batch=2
    )
    assert report.computed == 4 and report.remaining == 0
    assert calls == [(2, 4), (4, 4)]
    assert compute_missing_vectors(db, embedder).missing == 0


def test_the_vector_reads_the_questions_a_fiche_lists_as_the_import_plans_it(
    db: Session,
    runtime: Runtime,
    make_service: Callable[..., SearchService],
    add_fiche: Callable[..., Any],
) -> None:
    """Keyword queries meet a fiche through the questions it lists (docs/SEARCH.md): the worker's
    document and the import's plan must read the same text, or every fiche would look unembedded."""
    add_fiche("L9301", "Le treizième mois", related=[])
    long_titles = [f"Question {n} sur la prime de fin d'année {RARE}" for n in range(30)]
    links = [{"rel": "question-reponse", "id": "L9301", "title": "Un treizième mois est-il dû ?"}]
    links += [
        {"rel": "question-reponse", "id": f"Q{n}", "title": t} for n, t in enumerate(long_titles)
    ]
    links += [{"rel": "voir-aussi", "id": "L9302", "title": "Bulletin de paie"}]
    add_fiche("L9300", "Salaire et primes", description="Ce que l'employeur verse.", related=links)
    embedder = CountingEmbedder()
    plan = plan_vectors(db, embedder)
    planned = next(t for t in plan.texts.values() if t.startswith("Salaire et primes"))
    assert planned.startswith("Salaire et primes Ce que l'employeur verse. Un treizième mois")
    assert "Bulletin de paie" not in planned  # other links are for the lexical side
    assert "Question 0 sur" in planned and "Question 29 sur" not in planned  # bounded
    assert len(planned) <= len("Salaire et primes Ce que l'employeur verse. ") + 400
    compute_missing_vectors(db, embedder)
    service = make_service(
        embedder=embedder,
        cache=VectorStore(runtime.sessions, embedder.name, embedder.dim),
        max_embed=0,
    )
    doc = service.engine.docs[service.engine.ords["L9300"]]
    assert doc is not None and doc.embedding_text == planned
    assert service.missing_vectors() == 0


def test_the_vector_line_writes_its_counts_the_french_way() -> None:
    report = VectorReport(
        texts=4222, missing=4222, copied=1820, computed=2402, removed=0, remaining=0, seconds=269
    )
    assert report.summary() == (
        "Vecteurs sémantiques : 2\u202f402 calculés, 1\u202f820 repris, "
        "4\u202f222 / 4\u202f222 fiches couvertes, 0 périmé supprimé, en 269 s."
    )
    assert "1 / 1 fiche couverte" in VectorReport(1, 1, 0, 1, 0, 0, 0.5).summary()
