"""The app factory: builds the FastAPI application around a Runtime; routers are discovered.

Every module of `allo.web.api` and `allo.web.pages` that defines `router` is mounted, so a
domain adds its endpoints without touching this file.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from allo import __version__
from allo.runtime import Runtime
from allo.settings import Settings
from allo.web.errors import install_error_handlers

WEB_DIR = Path(__file__).parent
log = logging.getLogger("allo.web")


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> FastAPI:
    if runtime is None:
        runtime = Runtime.from_settings(settings or Settings.from_env())
    app = FastAPI(
        title="Allo — API",
        version=__version__,
        description="API du service de renseignement administratif Allo.",
        docs_url="/api/docs",
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

    @app.middleware("http")
    async def _log_requests(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        # Path and status only: query strings may carry what a citizen typed, so they are never logged.
        start = time.perf_counter()
        response = await call_next(request)
        log.debug(
            "%s %s %s %.1fms",
            request.method,
            request.url.path,
            response.status_code,
            (time.perf_counter() - start) * 1000,
        )
        return response

    return app


def _modules(package_name: str) -> list[object]:
    package = importlib.import_module(package_name)
    return [
        importlib.import_module(f"{package_name}.{info.name}")
        for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name)
        if not info.name.startswith("_")
    ]
