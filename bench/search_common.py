"""What the search benchmarks share: the full corpus database, machine facts, the results file."""

from __future__ import annotations

import json
import os
import platform
import re
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DEV_QUESTIONS = SHARED / "eval" / "dev-questions.jsonl"
RESULTS = ROOT / "docs" / "benchmarks" / "search.md"
#: The full corpus lives in a scratch data directory, imported once (several minutes).
FULL_HOME = Path(os.environ.get("ALLO_BENCH_SEARCH_HOME", "/tmp/allo-full"))  # noqa: S108
CORPUS = [
    SHARED / "data" / "vosdroits-particuliers.zip",
    SHARED / "data" / "vosdroits-professionnels.zip",
    SHARED / "data" / "vosdroits-associations.zip",
    SHARED / "data" / "fiches-travail.json.gz",
]


def machine_facts() -> str:
    cpu = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"{now}; nproc {os.cpu_count()} ({cpu}); Python {platform.python_version()}; "
        f"load average at the end: {load} (2 cores shared by several engineers)"
    )


def write_section(name: str, body: str) -> None:
    """Replace this benchmark's section of docs/benchmarks/search.md (others are kept)."""
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    header = (
        "# Search benchmarks\n\n"
        "Written by `bench/search_quality.py`, `bench/search_latency.py` and "
        "`bench/search_http.py` (each rewrites its own section). How the engine works and why: "
        "[docs/SEARCH.md](../SEARCH.md).\n"
    )
    current = RESULTS.read_text() if RESULTS.exists() else header
    start, end = f"<!-- {name} -->", f"<!-- /{name} -->"
    block = f"{start}\n{body.strip()}\n{end}"
    if start in current:
        current = re.sub(
            re.escape(start) + r".*?" + re.escape(end), lambda _m: block, current, flags=re.S
        )
    else:
        current = current.rstrip() + "\n\n" + block + "\n"
    RESULTS.write_text(current)


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
