"""The app factory: builds the FastAPI application around a Runtime; routers are discovered.

Every module of `allo.web.api` and `allo.web.pages` that defines `router` is mounted, so a
domain adds its endpoints without touching this file.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
import time
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from allo import __version__
from allo.runtime import Runtime
from allo.settings import Settings
from allo.web import security
from allo.web.errors import install_error_handlers
from allo.web.security.logs import loggable_path

WEB_DIR = Path(__file__).parent
log = logging.getLogger("allo.web")


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> FastAPI:
    if runtime is None:
        runtime = Runtime.from_settings(settings or Settings.from_env())
    app = FastAPI(
        title="Allo — API",
        version=__version__,
        description="API du service de renseignement administratif Allo.",
        docs_url=None,  # served from vendored assets by allo.web.api.docs (no CDN)
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.runtime = runtime
    app.state.templates = Jinja2Templates(directory=str(WEB_DIR / "templates"))
    app.mount("/static", StaticFiles(directory=str(WEB_DIR / "static")), name="static")
    install_error_handlers(app)
    for package in ("allo.web.api", "allo.web.pages"):
        for module in _modules(package):
            router = getattr(module, "router", None)
            if router is not None:
                app.include_router(router)

    security.install(app, runtime.settings)
    app.add_middleware(RequestLog)
    from allo.web import observability

    observability.install(app)  # outermost: request id, latency per route (docs/DEPLOYMENT.md)
    return app


class RequestLog:
    """Method, path, status and duration of each request, at DEBUG level.

    Route template and status only: query strings and path parameters (a citizen's private
    token) may carry secrets or what a citizen typed, so they are never logged. A pure ASGI middleware: `@app.middleware("http")` (BaseHTTPMiddleware) costs about
    a millisecond of CPU per request (a task group and memory streams), even with DEBUG off."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not log.isEnabledFor(logging.DEBUG):
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 0

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        await self.app(scope, receive, send_and_note)
        log.debug(
            "%s %s %s %.1fms",
            scope["method"],
            loggable_path(scope),
            status,
            (time.perf_counter() - start) * 1000,
        )


def _modules(package_name: str) -> list[object]:
    package = importlib.import_module(package_name)
    return [
        importlib.import_module(f"{package_name}.{info.name}")
        for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name)
        if not info.name.startswith("_")
    ]
