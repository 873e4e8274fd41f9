"""First start: after the knowledge-base sample, the search index is built and nothing is left
to embed."""

from __future__ import annotations

from allo.runtime import Runtime
from allo.search import bundled
from allo.search.service import SearchService


def test_load_if_empty_builds_the_index_and_reports(runtime: Runtime) -> None:
    messages: list[str] = []
    service = bundled.load_if_empty(runtime, messages.append)
    assert isinstance(service, SearchService)
    assert "search" not in runtime.services  # each worker builds its own
    assert service.engine.size > 1000  # the bundled sample's searchable fiches
    assert any("index de" in m and "fiches" in m for m in messages)
    assert service.search("carte grise")  # ready to answer
