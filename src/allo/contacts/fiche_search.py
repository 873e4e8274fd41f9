"""The search engine as the contact flow needs it: a few fiche ids for a question, or nothing.

`allo.search` is built separately; it is imported lazily and the flow degrades gracefully (the
sector suggestion then uses the question's words and the fiches the advisor consulted).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

log = logging.getLogger("allo.contacts")

SearchFn = Callable[[str, int], Sequence[str]]


def search_function(runtime: Any) -> SearchFn | None:
    """A `(question, limit) -> fiche ids` function backed by allo.search, or None if absent."""
    try:
        from allo.search import service as search_service
    except ImportError:
        return None
    get = getattr(search_service, "get_search_service", None) or getattr(
        search_service, "search_service", None
    )
    if get is None:
        return None

    def _search(question: str, limit: int) -> Sequence[str]:
        try:
            engine = get(runtime)
            hits = engine.search(question, limit=limit)
        except Exception:
            log.exception("search unavailable for the sector suggestion")
            return []
        return [_hit_id(h) for h in hits][:limit]

    return _search


def _hit_id(hit: Any) -> str:
    if isinstance(hit, str):
        return hit
    if isinstance(hit, dict):
        return str(hit.get("id"))
    return str(getattr(hit, "id", getattr(hit, "fiche_id", "")))
