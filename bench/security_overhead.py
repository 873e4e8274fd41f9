"""What the security layer costs per request: CSRF check, body limit, security headers and the
rate limiter, A/B in the same run (issue 15: ≤ 1 ms p99 per request).

Two apps on the same empty SQLite database, driven in-process at the ASGI level (no network, no
HTTP client: only the app's own time is measured): A with the security middlewares and rate
limits on (memory storage, and Redis when it answers on 127.0.0.1:6379: through limits.aio's
async client, and through the synchronous client in the thread pool as before), B without the
middlewares and with the limits off. Requests alternate between A and B, one by one, so
that the load of the shared machine falls on both alike. Two requests: an anonymous
`GET /api/suggest` (rate-limited, headers) and a cross-origin-checked
`POST /api/auth/logout` (CSRF + body limit + headers; a 401 with no database work).

    .venv/bin/python bench/security_overhead.py [--requests 4000]
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import socket
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from fastapi.concurrency import run_in_threadpool

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from allo.db.migrate import upgrade
from allo.runtime import Runtime
from allo.settings import Settings
from allo.web.app import create_app
from allo.web.security.body_limit import BodyLimit
from allo.web.security.csrf import CrossSiteGuard
from allo.web.security.headers import SecurityHeaders
from allo.web.security.limits import RateLimits
from bench.common import ROOT, machine_facts, percentile, write_section

RESULTS = ROOT / "docs" / "benchmarks" / "security.md"
HEADER = "# Security layer overhead\n\nWritten by `bench/security_overhead.py`.\n"
SECURITY = (BodyLimit, CrossSiteGuard, SecurityHeaders)
LIMITS_OFF = {
    f"rate_limit_{r}": "" for r in ("questions", "surveys", "search_hybrid", "suggestions")
}
LIMITS_ON = {"rate_limit_suggestions": "100000000/minute"}


def scope(method: str, path: str, query: bytes = b"") -> dict[str, Any]:
    headers = [(b"host", b"testserver"), (b"origin", b"http://testserver")]
    if method == "POST":
        headers += [(b"content-type", b"application/json"), (b"content-length", b"2")]
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query,
        "root_path": "",
        "headers": headers,
        "client": ("192.0.2.10", 50000),
        "server": ("testserver", 80),
        "state": {},
    }


REQUESTS = {
    "GET /api/suggest": (scope("GET", "/api/suggest", b"q=carte"), 200),
    "POST /api/auth/logout": (scope("POST", "/api/auth/logout"), 401),
}


class ThreadPoolLimits(RateLimits):
    """The limiter as it was before limits.aio: the synchronous Redis client in the thread
    pool (the baseline of the async client, in the same run)."""

    async def hit_async(self, rule: str, key: str) -> int | None:
        return await run_in_threadpool(self.hit, rule, key)


def build(settings: Settings, engine: Any, *, secure: bool, thread_pool: bool = False) -> Any:
    runtime = Runtime.from_settings(settings, engine=engine)
    if thread_pool:
        runtime.services["rate_limits"] = ThreadPoolLimits(settings)
    app = create_app(runtime=runtime)
    if not secure:
        app.user_middleware = [m for m in app.user_middleware if m.cls not in SECURITY]
    return app


async def call(app: Any, request: dict[str, Any], expect: int) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the event-loop thread) of one request."""
    status = 0

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"{}", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    start, cpu = time.perf_counter(), time.thread_time()
    await app(dict(request, headers=list(request["headers"])), receive, send)
    elapsed, cpu = time.perf_counter() - start, time.thread_time() - cpu
    if status != expect:
        raise SystemExit(f"unexpected status {status} (expected {expect})")
    return elapsed, cpu


async def measure(
    apps: dict[str, Any], n: int, block: int = 50
) -> dict[tuple[str, str], list[float]]:
    out: dict[tuple[str, str], list[float]] = {}
    for name, (request, expect) in REQUESTS.items():
        for app in apps.values():  # warm-up: index build, first imports
            for _ in range(20):
                await call(app, request, expect)
        for _ in range(n // block):
            for variant, app in apps.items():
                times = out.setdefault((name, variant), [])
                for _ in range(block):
                    times.append(await call(app, request, expect))
    return out


def redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=4000)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="allo-bench-sec-"))
    base = Settings.from_env({"ALLO_HOME": str(home), "ALLO_EMBEDDER": "none"})
    engine = Runtime.from_settings(base).engine
    upgrade(engine)
    apps = {
        "B (no security layer)": build(
            dataclasses.replace(base, **LIMITS_OFF), engine, secure=False
        ),
        "A (security, memory)": build(dataclasses.replace(base, **LIMITS_ON), engine, secure=True),
    }
    if redis_up():
        redis = dataclasses.replace(base, rate_limit_storage="redis://127.0.0.1:6379", **LIMITS_ON)
        apps["A (security, Redis async)"] = build(redis, engine, secure=True)
        apps["A (security, Redis in thread pool)"] = build(
            redis, engine, secure=True, thread_pool=True
        )
    results = asyncio.run(measure(apps, args.requests))

    rows = []
    for name in REQUESTS:
        base = results[(name, "B (no security layer)")]
        cells = {}
        for variant in apps:
            times = results[(name, variant)]
            cells[variant] = [
                percentile([t[i] for t in times], q) * 1000 for i in (0, 1) for q in (0.5, 0.99)
            ]
        b = cells["B (no security layer)"]
        for variant in apps:
            w50, w99, c50, c99 = cells[variant]
            rows.append(
                f"| `{name}` | {variant} | {len(base)} | {w50:.3f} | {w99:.3f} | "
                f"{w99 - b[1]:+.3f} | {c50:.3f} | {c99:.3f} | {c99 - b[3]:+.3f} |"
            )
    body = "\n".join(
        [
            "## Run",
            "",
            f"Machine: {machine_facts()}.",
            "",
            "In-process ASGI calls (no network), the variants alternating request by request. "
            "Wall time includes whatever the shared machine's other processes take; the CPU time "
            "of the event-loop thread (where the middlewares and the limiter run) does not; "
            "the thread-pool variant's Redis calls run off that thread, so compare its wall "
            "time.",
            "",
            "| request | variant | n | wall p50 ms | wall p99 ms | Δ wall p99 vs B | "
            "CPU p50 ms | CPU p99 ms | Δ CPU p99 vs B |",
            "|---|---|---|---|---|---|---|---|---|",
            *rows,
        ]
    )
    write_section(RESULTS, HEADER, "security-overhead", body)
    print(body)


if __name__ == "__main__":
    main()
