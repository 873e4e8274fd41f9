"""The factory `allo serve` gives uvicorn: the app, plus what only a real server sets up.

Each uvicorn worker is a fresh process that calls this factory: structured logs are configured
here (not in `create_app`, which tests and the day replay build too), and the app is flagged to
freeze its heap once warmed up (`allo.web.api.warmup.freeze_heap`: only a long-lived worker
should). Metrics' multi-process directory is chosen by `allo serve` before the workers start
(they inherit its environment).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from allo.ops import logs
from allo.settings import Settings
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
