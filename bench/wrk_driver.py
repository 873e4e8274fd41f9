"""The HTTP load benchmarks' driver: `allo serve --workers 2` on a free loopback port over the
full corpus, and wrk runs against it that cycle through a list of paths.

Every run reads its latency percentiles from wrk's own histogram (a Lua `done` hook), so the
HTTP benchmarks (bench/search_http.py, bench/web_load.py) report them the same way.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx

from bench.common import ROOT
from bench.search_common import FULL_HOME

DURATION = "15s"
LUA = """
local paths = {}
for line in io.lines("%(file)s") do paths[#paths + 1] = line end
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[((i - 1) %% #paths) + 1])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT {\\"p50\\": %%d, \\"p90\\": %%d, \\"p95\\": %%d, \\"p99\\": %%d, \\"requests\\": %%d, "
    .. "\\"seconds\\": %%f, \\"errors\\": %%d}\\n",
    latency:percentile(50), latency:percentile(90), latency:percentile(95),
    latency:percentile(99), summary.requests, summary.duration / 1e6,
    e.status + e.connect + e.read + e.write + e.timeout))
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`allo serve --workers 2` over the full corpus, in its own process group."""

    def __init__(self, embedder: str, environment: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ, ALLO_HOME=str(FULL_HOME), ALLO_EMBEDDER=embedder)
        env.update(environment or {})
        env.setdefault("OMP_NUM_THREADS", "1")  # two workers on two cores
        self.process = subprocess.Popen(  # noqa: S603 (fixed argv, our own binary)
            [str(ROOT / ".venv/bin/allo"), "serve", "--port", str(self.port), "--workers", "2"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )

    def warm(self, paths: list[str], *, timeout: float = 600, fast: float = 0.3) -> None:
        """Health first, then the paths in turn until 40 answers in a row take under `fast`
        seconds (each worker builds its search and directory state once)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.base + "/api/health", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        in_a_row = 0
        i = 0
        while in_a_row < 40 and time.monotonic() < deadline:
            with httpx.Client(timeout=300) as fresh:  # new connections reach both workers
                start = time.perf_counter()
                response = fresh.get(self.base + paths[i % len(paths)])
                elapsed = time.perf_counter() - start
            if response.status_code != 200:
                raise RuntimeError(
                    f"warm-up failed: {response.status_code} {paths[i % len(paths)]}"
                )
            in_a_row = in_a_row + 1 if elapsed < fast else 0
            i += 1
        if in_a_row < 40:
            raise RuntimeError("the server did not become ready")

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


def wrk(base: str, paths: list[str], workdir: Path, *, connections: int) -> dict[str, float]:
    """One wrk run (1 thread, DURATION) cycling through `paths`: requests per second, latency
    percentiles in milliseconds, requests and errors."""
    listing = workdir / f"paths-{time.monotonic_ns()}.txt"
    listing.write_text("\n".join(paths) + "\n")
    script = listing.with_suffix(".lua")
    script.write_text(LUA % {"file": listing})
    output = subprocess.run(  # noqa: S603 (fixed argv)
        ["wrk", "-t1", f"-c{connections}", f"-d{DURATION}", "-s", str(script), base],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    line = next(x for x in output.splitlines() if x.startswith("RESULT "))
    raw = json.loads(line.removeprefix("RESULT "))
    return {
        "rps": raw["requests"] / raw["seconds"],
        "p50": raw["p50"] / 1000,
        "p90": raw["p90"] / 1000,
        "p95": raw["p95"] / 1000,
        "p99": raw["p99"] / 1000,
        "requests": raw["requests"],
        "errors": raw["errors"],
    }
