"""Staffing for supervisors: the forecast, the plan per queue and half-hour, the roster import."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from allo.privacy import audit
from allo.stats.staffing import plan, roster
from allo.web.auth import Supervisor, audit_read
from allo.web.deps import DbSession, RuntimeDep

router = APIRouter(prefix="/api/staffing", tags=["effectifs"])


@router.get(
    "/plan",
    summary="Agents nécessaires par file et demi-heure pour un jour",
    responses={422: {"description": "Date illisible ou objectif impossible"}},
)
def get_plan(
    session: DbSession,
    runtime: RuntimeDep,
    agent: Supervisor,
    date: Annotated[str, Query(max_length=10, description="Jour, AAAA-MM-JJ.")],
    service_level: Annotated[
        float | None, Query(gt=0, le=1, description="Taux de service visé, toutes files.")
    ] = None,
    within: Annotated[
        float | None, Query(ge=0, le=3600, description="Délai de réponse visé (s), toutes files.")
    ] = None,
) -> dict[str, Any]:
    """Une ligne par file et demi-heure d'ouverture : `agents_required` (au téléphone),
    `positions` (avec les absences), `service_level`, `asa_s`, `abandonment`, `occupancy`, et la
    couverture par le planning importé. Un jour de fermeture n'a aucune ligne. `deferred` :
    les écrits (web, courriel) par file et demi-heure, en heures-agent à traiter en différé
    (arrivées × durée moyenne de traitement)."""
    tz = runtime.settings.zone
    day = plan.parse_day(date)
    targets = plan.settings_targets(runtime.settings, service_level, within)
    (day_plan,) = plan.plan_days(session, [day], tz, targets)
    deferred = plan.written_workload(session, day, tz)
    on_duty = roster.rostered(session, day, tz)
    cover = {(c.queue, c.start): c for c in roster.coverage(day_plan.rows, on_duty, day, tz)}
    audit_read(runtime, agent, "staffing")
    forecast = day_plan.forecast
    return {
        "date": day.isoformat(),
        "closed": forecast.closed,
        "source": forecast.source,
        "rows": [
            {**r.as_dict(), "rostered": round(cover[(r.queue, r.start)].rostered, 2)}
            for r in day_plan.rows
        ],
        "deferred": [w.as_dict() for w in deferred],
    }


@router.get(
    "/forecast",
    summary="Appels attendus par file et demi-heure",
    responses={422: {"description": "Période illisible, inversée ou trop longue"}},
)
def get_forecast(
    session: DbSession,
    runtime: RuntimeDep,
    agent: Supervisor,
    from_: Annotated[str, Query(alias="from", max_length=10, description="Premier jour.")],
    to: Annotated[str | None, Query(max_length=10, description="Dernier jour (inclus).")] = None,
) -> list[dict[str, Any]]:
    """Pour chaque jour : la source (historique ou profil déclaré), le taux d'escalade par
    secteur, et par file les appels attendus, la durée de traitement et la patience
    (`channel` : phone) ; sous `written`, la même prévision pour chaque canal écrit (web, et
    email s'il y en a eu), travail à traiter en différé."""
    tz = runtime.settings.zone
    first = plan.parse_day(from_, "from")
    days = plan.days_between(first, plan.parse_day(to, "to") if to else first)
    return plan.forecast_period(session, days, tz)


class RosterIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    csv: str = Field(
        min_length=1,
        max_length=roster.MAX_BYTES,
        description="Le planning en CSV (agent ou count ; queue ; date ; start ; end ; breaks).",
    )
    source: str = Field(default="", max_length=255, description="Nom du fichier, pour mémoire.")


@router.post(
    "/roster",
    summary="Importer un planning (superviseur)",
    status_code=201,
    responses={422: {"description": "Aucune ligne valable : le détail liste chaque ligne"}},
)
def post_roster(
    body: RosterIn, session: DbSession, runtime: RuntimeDep, agent: Supervisor
) -> dict[str, Any]:
    """Les lignes valables sont enregistrées, les autres renvoyées avec leur motif ; rien de ce
    qui est déjà enregistré n'est modifié."""
    report = roster.import_roster(
        session,
        body.csv.encode("utf-8"),
        runtime.settings.zone,
        source=body.source,
        agent_id=agent.id,
    )
    audit.record(
        session,
        agent_id=agent.id,
        action="create",
        object_type="roster",
        object_id=report.import_id,
        detail={"shifts": report.shifts, "rejected": len(report.rejected)},
    )
    return report.as_dict()
