"""The first search after the knowledge base changed (an editor publishes, an import lands):
each worker reloads its documents (0.5–0.8 s on the full corpus). Measured with the reload in
the request that notices the change (baseline, as one-shot commands do) and in a background
thread (a server), alternated, on a copy of the full corpus base (one fiche's title is changed
a few times).

    .venv/bin/python -m bench.search_refresh
"""

from __future__ import annotations

import shutil
import statistics
import tempfile
import time
from pathlib import Path

from allo.db.session import unit_of_work
from allo.kb.models import Fiche
from allo.runtime import Runtime
from allo.search.service import build_search_service
from allo.settings import Settings
from bench.common import machine_facts
from bench.search_common import FULL_HOME, full_corpus_runtime, write_section

CHANGES = 8
FICHE = "F1342"  # any fiche would do
QUERY = "carte grise perdue"


def main() -> None:
    full_corpus_runtime("none")  # imports the full corpus once if needed
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy(FULL_HOME / "allo.db", Path(tmp) / "allo.db")
        settings = Settings.from_env({"ALLO_HOME": tmp, "ALLO_EMBEDDER": "none"})
        runtime = Runtime.from_settings(settings)
        services = {
            background: build_search_service(
                runtime, embed_missing=False, background_refresh=background, check_interval=0.0
            )
            for background in (False, True)
        }
        first: dict[bool, list[float]] = {False: [], True: []}
        settled: dict[bool, list[float]] = {False: [], True: []}
        for n in range(CHANGES):
            for background, service in services.items():
                service.search(QUERY)
                service.wait_for_refresh()
                with unit_of_work(runtime.sessions) as session:
                    fiche = session.get(Fiche, FICHE)
                    assert fiche is not None, f"{FICHE} is not in the full corpus base"
                    fiche.title = fiche.title.rstrip() + (" " if n % 2 == 0 else "")
                    fiche.content_hash = f"bench-{n}-{background}"
                start = time.perf_counter()
                service.search(QUERY)
                first[background].append((time.perf_counter() - start) * 1000)
                service.wait_for_refresh()
                start = time.perf_counter()
                service.search(QUERY)
                settled[background].append((time.perf_counter() - start) * 1000)
        runtime.engine.dispose()

    def cell(values: list[float]) -> str:
        return f"{statistics.median(values):.0f} / {max(values):.0f}"

    ratio = statistics.median(first[False]) / max(statistics.median(first[True]), 0.001)
    body = f"""## The first search after a change (bench/search_refresh.py)

{machine_facts()}. Full corpus (a copy of the base), lexical engine, {CHANGES} changes of one
fiche; the two workers alternate. Median / max ms of the search that notices the change, and of
the next one.

| worker | first search after a change | next search |
|---|---|---|
| reload in the request (baseline: one-shot commands) | {cell(first[False])} | {cell(settled[False])} |
| reload in a background thread (servers) | {cell(first[True])} | {cell(settled[True])} |

The first search after a change is ×{ratio:.0f} faster when the worker reloads beside it; that
search still answers from the index before the change.
"""
    print(body)
    write_section("search-refresh", body)


if __name__ == "__main__":
    main()
