"""The service's figures for a period (supervisors and administrators)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from allo.stats import figures
from allo.web.auth import Supervisor, audit_read
from allo.web.deps import DbSession, RuntimeDep

router = APIRouter(prefix="/api", tags=["chiffres du service"])


@router.get(
    "/stats",
    summary="Chiffres du service sur une période",
    responses={422: {"description": "Période illisible, vide ou inversée"}},
)
def get_stats(
    session: DbSession,
    runtime: RuntimeDep,
    agent: Supervisor,
    from_: Annotated[
        str | None,
        Query(
            alias="from",
            max_length=40,
            description="Début : AAAA-MM-JJ (inclus) ou date-heure ISO.",
        ),
    ] = None,
    to: Annotated[
        str | None,
        Query(max_length=40, description="Fin : AAAA-MM-JJ (inclus) ou date-heure ISO (exclue)."),
    ] = None,
    target_wait: Annotated[
        int, Query(ge=0, le=3600, description="Attente cible du taux de service, en secondes.")
    ] = figures.DEFAULT_TARGET_WAIT,
) -> dict[str, Any]:
    """Contacts par canal, secteur, issue et heure ; résolution au niveau 1 et escalade ;
    attentes et durées de traitement (moyenne, 90e centile) ; taux de service ; abandons ;
    satisfaction. Les définitions sont dans `allo.stats.figures`."""
    tz = runtime.settings.zone
    period = figures.parse_period(from_, to, tz, runtime.settings.today())
    result = figures.compute(session, period, tz, target_wait_seconds=target_wait)
    audit_read(runtime, agent, "stats")
    return result
