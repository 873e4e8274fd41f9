"""Liveness and readiness, for load balancers and the day replay."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text

from allo import __version__
from allo.ops import readiness
from allo.web.deps import DbSession, RuntimeDep

router = APIRouter(prefix="/api", tags=["santé"])


class Health(BaseModel):
    status: str
    version: str
    database: str


@router.get("/health", response_model=Health, summary="État du service")
def health(session: DbSession) -> Health:
    session.execute(text("SELECT 1"))
    return Health(status="ok", version=__version__, database=session.get_bind().dialect.name)


class Ready(BaseModel):
    ready: bool
    checks: dict[str, str]


@router.get(
    "/ready",
    response_model=Ready,
    summary="Prêt à servir (pour le répartiteur de charge)",
    responses={503: {"model": Ready, "description": "Pas encore prêt (raisons en français)."}},
)
def ready(runtime: RuntimeDep) -> JSONResponse:
    """Database reachable, schema at the latest migration, search index loaded; else 503."""
    state = readiness.check(runtime)
    body = Ready(ready=state.ready, checks=state.checks).model_dump()
    return JSONResponse(body, status_code=200 if state.ready else 503)
