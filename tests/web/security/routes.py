"""The app's routes, walked through included routers (what the enumerating tests go over)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from fastapi.routing import APIRoute

from allo.web.app import create_app


def _walk(routes: Iterable[Any], prefix: str = "") -> Iterator[tuple[str, APIRoute]]:
    for route in routes:
        if isinstance(route, APIRoute):
            yield prefix + route.path, route
        elif hasattr(route, "original_router"):
            yield from _walk(route.original_router.routes, prefix + route.include_context.prefix)


def api_routes(runtime: Any) -> list[tuple[str, APIRoute]]:
    """(full path, route) for every FastAPI route of the app built on `runtime`."""
    return list(_walk(create_app(runtime=runtime).routes))
