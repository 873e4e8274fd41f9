"""First start: once the knowledge base sample is loaded, build the search index and make sure
every fiche has its vector, so the first search needs no embedding work.

The sample's vectors ship in data/search/ (float16); this only embeds what that file lacks.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from allo.runtime import Runtime
from allo.search.service import SearchService, build_search_service

#: Beyond this many fiches without a vector, first start leaves the work to
#: `allo search reindex` instead of making the operator wait.
MAX_EMBED_AT_START = 300


def load_if_empty(runtime: Runtime, report: Callable[[str], None]) -> SearchService | None:
    """Warm the search for the workers to come: the analysis cache is written to the data
    directory and missing vectors are embedded. The service is returned, not kept: workers
    build their own (in a second or two, from the caches)."""
    start = time.perf_counter()
    service = build_search_service(runtime, embed_missing=False)
    size = service.engine.size
    if size == 0:
        return None
    elapsed = time.perf_counter() - start
    missing = service.missing_vectors()
    if missing and missing <= MAX_EMBED_AT_START:
        done = service.embed_pending()
        report(f"Recherche : {done} vecteur(s) sémantique(s) calculé(s).")
    elif missing:
        report(
            f"Recherche : {missing} fiche(s) sans vecteur sémantique ; "
            "lancez « allo search reindex » pour les calculer."
        )
    report(f"Recherche : index de {size} fiches construit en {elapsed:.1f} s.")
    return service
