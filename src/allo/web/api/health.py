"""Liveness and readiness, for load balancers and the day replay."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import text

from allo import __version__
from allo.web.deps import DbSession

router = APIRouter(prefix="/api", tags=["santé"])


class Health(BaseModel):
    status: str
    version: str
    database: str


@router.get("/health", response_model=Health, summary="État du service")
def health(session: DbSession) -> Health:
    session.execute(text("SELECT 1"))
    return Health(status="ok", version=__version__, database=session.get_bind().dialect.name)
