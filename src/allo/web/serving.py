"""The factory `allo serve` gives uvicorn: the app, plus what only a real server sets up.

Each uvicorn worker is a fresh process that calls this factory: structured logs are configured
here (not in `create_app`, which tests and the day replay build too), and the app is flagged to
freeze its heap once warmed up (`allo.web.api.warmup.freeze_heap`: only a long-lived worker
should). Metrics' multi-process directory is chosen by `allo serve` before the workers start
(they inherit its environment).
"""

from __future__ import annotations

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
