"""The factory `allo serve` gives uvicorn: the app, plus what only a real server sets up.

Each uvicorn worker is a fresh process that calls this factory: structured logs are configured
here (not in `create_app`, which tests and the day replay build too), and the app is flagged to
freeze its heap once warmed up (`allo.web.api.warmup.freeze_heap`: only a long-lived worker
should). Metrics' multi-process directory is chosen by `allo serve` before the workers start
(they inherit its environment).
"""

from __future__ import annotations

import os
from typing import Any

from fastapi import FastAPI

from allo.ops import logs
from allo.settings import MAX_EMBED_THREADS, Settings
from allo.web.app import create_app


def create_served_app() -> FastAPI:
    settings = Settings.from_env()
    logs.configure(settings.log_level, settings.log_format)
    app = create_app(settings)
    app.state.freeze_heap = True
    return app


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """What `allo serve` tells uvicorn about the balancers: behind one, the client's address is
    the `X-Forwarded-For` it sets (per-address limits count citizens, not the balancer), and
    `X-Forwarded-Proto` says https. Believed only from ALLO_FORWARDED_ALLOW_IPS: anyone else
    sending these headers is ignored, so they cannot dodge a limit by forging them."""
    trusted = [item for item in settings.forwarded_allow_ips.split(",") if item]
    return {"proxy_headers": True, "forwarded_allow_ips": trusted}


def embed_threads_share(workers: int, cores: int | None = None) -> int:
    """Each worker's share of the cores for its model's OpenMP threads: one worker on two cores
    runs the query's model on both (the hybrid's p99 43.66 ms against 88.64 on one thread, 2-core
    AMD machine, 2026-12-06: docs/SEARCH.md « Threads »), several share them (two workers with
    two threads each: 17 % fewer queries a second than with one each). `cores`: those this
    process may run on."""
    if cores is None:
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return min(MAX_EMBED_THREADS, max(1, (cores or 1) // max(1, workers)))
