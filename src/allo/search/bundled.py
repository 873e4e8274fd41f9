"""First start: once the knowledge base sample is loaded, store the fiches' answer passages and
vectors in the base and build the search index, so the first search needs no embedding work and
no worker reads a fiche body.

The sample's vectors ship in data/search/ (float16) and are copied into the base; this only
embeds what that file lacks.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

from allo.db.session import unit_of_work
from allo.french import decimal_fr, plural
from allo.runtime import Runtime
from allo.search.embedder import make_embedder
from allo.search.service import SearchService, build_search_service
from allo.search.services import compute_missing_vectors, compute_passages
from allo.search.vectorstore import file_layers

#: Beyond this many fiches without a vector, first start leaves the work to
#: `allo search reindex` instead of making the operator wait.
MAX_EMBED_AT_START = 300


def load_if_empty(runtime: Runtime, report: Callable[[str], None]) -> SearchService | None:
    """Warm the search for the workers to come: the analysis cache is written to the data
    directory and missing vectors are embedded. The service is returned, not kept: workers
    build their own (in a second or two, from the caches)."""
    start = time.perf_counter()
    with unit_of_work(runtime.sessions) as session:
        passages = compute_passages(session, workers=os.cpu_count() or 1)
    if passages.extracted:
        report(
            f"Recherche : passages de réponse de {plural(passages.extracted, 'fiche')} "
            f"en {decimal_fr(passages.seconds)} s."
        )
    embedder = make_embedder(runtime.settings)
    if embedder is not None:
        layers = file_layers(runtime.settings.home / "search" / "embeddings", embedder.name)
        with unit_of_work(runtime.sessions) as session:
            vectors = compute_missing_vectors(
                session, embedder, limit=MAX_EMBED_AT_START, layers=layers
            )
        if vectors.computed:
            computed = plural(
                vectors.computed, "vecteur sémantique calculé", "vecteurs sémantiques calculés"
            )
            report(f"Recherche : {computed}.")
    service = build_search_service(runtime, embed_missing=False)
    size = service.engine.size
    if size == 0:
        return None
    elapsed = time.perf_counter() - start
    missing = service.missing_vectors()
    if missing:
        report(
            f"Recherche : {plural(missing, 'fiche')} sans vecteur sémantique ; "
            "lancez « allo search reindex » pour les calculer."
        )
    report(f"Recherche : index de {plural(size, 'fiche')} construit en {decimal_fr(elapsed)} s.")
    return service
