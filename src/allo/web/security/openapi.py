"""The error answers every operation really gives, declared in the OpenAPI document.

FastAPI documents what a handler returns, not what the layers around it answer: 401 and 403
from the role dependencies, 403 from the CSRF check and 413 from the body limit on every write,
and our French error body (`{"detail": "…", "errors": […]}`) instead of FastAPI's default 422
schema. This adds them from the routes themselves (a dependency on the current agent → 401, a
role requirement → 403…), so a new endpoint is documented truthfully without listing them.
Schemathesis checks the result (tests/web/test_openapi_fuzz.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

from allo.web.auth import get_current_agent

ERROR_SCHEMA = {
    "title": "Erreur",
    "type": "object",
    "required": ["detail"],
    "properties": {
        "detail": {"type": "string", "description": "Message en français."},
        "errors": {
            "description": "Détail par champ (données invalides).",
            "anyOf": [{"type": "array", "items": {"type": "object"}}, {"type": "object"}],
        },
    },
}
DESCRIPTIONS = {
    "400": "Requête incorrecte",
    "401": "Non connecté ou session expirée",
    "403": "Rôle insuffisant, ou requête venant d'un autre site",
    "404": "Introuvable",
    "409": "Impossible dans l'état actuel",
    "413": "Corps de requête trop volumineux",
    "422": "Données invalides",
    "429": "Trop de demandes (voir l'en-tête Retry-After)",
}
UNSAFE = {"post", "put", "patch", "delete"}


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for dep in dependant.dependencies:
        if dep.call is not None:
            yield dep.call
        yield from _calls(dep)


def _routes(routes: Any, prefix: str = "") -> Iterator[tuple[str, APIRoute]]:
    for route in routes:
        if isinstance(route, APIRoute):
            yield prefix + route.path, route
        elif hasattr(route, "original_router"):
            yield from _routes(route.original_router.routes, prefix + route.include_context.prefix)


def _statuses(route: APIRoute, method: str, operation: dict[str, Any]) -> set[str]:
    calls = list(_calls(route.dependant))
    out = {"422"} if operation.get("parameters") or operation.get("requestBody") else set()
    if get_current_agent in calls:
        out.add("401")
    if any(getattr(c, "__qualname__", "").startswith("require_role") for c in calls):
        out.add("403")
    if any(p.get("in") == "path" for p in operation.get("parameters", [])):
        out.add("404")  # the resource a path names may not exist
    if method in UNSAFE:
        out |= {"403", "413"}
    return out


def install(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
        )
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components["Erreur"] = ERROR_SCHEMA
        error_ref = {"application/json": {"schema": {"$ref": "#/components/schemas/Erreur"}}}
        for path, route in _routes(app.routes):
            for method in route.methods or ():
                operation = schema["paths"].get(path, {}).get(method.lower())
                if operation is None:
                    continue
                responses = operation.setdefault("responses", {})
                for status in _statuses(route, method.lower(), operation) | {
                    s for s in responses if s.startswith("4")
                }:
                    entry = responses.setdefault(status, {"description": DESCRIPTIONS[status]})
                    entry["content"] = error_ref
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
