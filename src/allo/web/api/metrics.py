"""`GET /metrics`: Prometheus exposition, for a scraper (bearer token) or a supervisor.

Protected: the figures (queue lengths, agents by state, traffic per route) are internal. A
scraper sends `Authorization: Bearer $ALLO_METRICS_TOKEN`; a logged-in supervisor or
administrator may read it too. Kept out of the OpenAPI document (not part of the API).
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from allo.contacts.agents import agent_for_token
from allo.contacts.metrics import QueueGauges
from allo.errors import Forbidden, Unauthorized
from allo.ops import metrics
from allo.web.auth import request_token
from allo.web.deps import DbSession, RuntimeDep

router = APIRouter()

READERS = frozenset({"supervisor", "administrator"})


@router.get("/metrics", include_in_schema=False)
def read_metrics(
    request: Request,
    runtime: RuntimeDep,
    session: DbSession,
    token: Annotated[str | None, Depends(request_token)],
) -> Response:
    expected = runtime.settings.metrics_token
    if not token:
        raise Unauthorized("Métriques : jeton ou session de superviseur requis.")
    if not (expected and hmac.compare_digest(token.encode(), expected.encode())):
        agent = agent_for_token(session, token)
        if agent is None:
            raise Unauthorized("Métriques : jeton ou session de superviseur requis.")
        if agent.role not in READERS:
            raise Forbidden("Métriques réservées aux superviseurs et administrateurs.")
    body = metrics.exposition([QueueGauges(runtime.read_sessions)])
    return Response(body, media_type=metrics.CONTENT_TYPE)
