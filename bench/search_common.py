"""What the search benchmarks share: the full corpus database, the queries, the results file."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

from bench import common
from bench.common import CORPUS, ROOT, SHARED

DEV_QUESTIONS = SHARED / "eval" / "dev-questions.jsonl"
RESULTS = ROOT / "docs" / "benchmarks" / "search.md"
HEADER = (
    "# Search benchmarks\n\n"
    "Written by `bench/search_quality.py`, `bench/search_latency.py`, "
    "`bench/search_http.py`, `bench/search_vectors.py` and `bench/search_refresh.py` (each rewrites its own section). How the engine works and why: "
    "[docs/SEARCH.md](../SEARCH.md).\n"
)
#: The full corpus lives in a scratch data directory, imported once (several minutes).
FULL_HOME = Path(os.environ.get("ALLO_BENCH_SEARCH_HOME", "/tmp/allo-full"))  # noqa: S108


def write_section(name: str, body: str) -> None:
    """Replace this benchmark's section of docs/benchmarks/search.md (others are kept)."""
    common.write_section(RESULTS, HEADER, name, body)


def full_corpus_runtime(embedder: str = "none") -> Any:
    """A runtime on the full corpus (imported into FULL_HOME on first use)."""
    from allo.db.migrate import upgrade
    from allo.db.session import unit_of_work
    from allo.kb import repository
    from allo.kb.importer import import_paths
    from allo.runtime import Runtime
    from allo.settings import Settings

    settings = Settings.from_env({"ALLO_HOME": str(FULL_HOME), "ALLO_EMBEDDER": embedder})
    runtime = Runtime.from_settings(settings)
    upgrade(runtime.engine)
    with unit_of_work(runtime.sessions) as session:
        count = repository.count(session)
    if count < 7000:
        print(f"importing the full corpus into {FULL_HOME} (once)…", flush=True)
        start = time.perf_counter()
        with unit_of_work(runtime.sessions) as session:
            report = import_paths(session, CORPUS)
        print(f"  {report.summary()} in {time.perf_counter() - start:.0f} s", flush=True)
    from allo.kb.services import store_rendered

    with unit_of_work(runtime.sessions) as session:
        rendered = store_rendered(session)  # a corpus imported by an older Allo
    if rendered:
        print(f"  stored the rendering of {rendered} fiche(s)", flush=True)
    from allo.search.services import compute_passages_in_batches

    passages = compute_passages_in_batches(runtime.sessions, workers=os.cpu_count() or 1)
    if passages.extracted:
        print(f"  {passages.summary()}", flush=True)  # as `allo kb import` does
    return runtime


def dev_questions() -> list[Any]:
    from allo.search.evaluation import load_questions

    return load_questions(DEV_QUESTIONS)


def distinct_queries(documents: list[Any], questions: list[Any], n: int) -> list[str]:
    """Distinct citizen-like queries: the dev questions, then question-réponse titles and
    title fragments of the corpus (never repeated, so no cache can answer them)."""
    seen: dict[str, None] = {}
    for q in questions:
        seen.setdefault(q.question, None)
    for d in documents:
        if d.kind == "question":
            seen.setdefault(d.title.lower().rstrip(" ?"), None)
    for d in documents:
        words = d.title.lower().split()
        for size in (2, 3, 4):
            if len(words) > size:
                seen.setdefault(" ".join(words[:size]), None)
                seen.setdefault(" ".join(words[-size:]), None)
    return list(seen)[:n]


def dump(path: Path, data: object) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1))
