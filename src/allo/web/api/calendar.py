"""The service's hours: anyone reads them (the portal shows them); the administrator sets them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from allo.contacts import calendar
from allo.contacts.models import Agent
from allo.db.base import utcnow
from allo.privacy import audit
from allo.web.auth import require_role
from allo.web.deps import DbSession, RuntimeDep

router = APIRouter(prefix="/api", tags=["calendrier du service"])


class RangeModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    opens: str = Field(
        description="Ouverture, HH:MM (heure locale du service).", examples=["08:00"]
    )
    closes: str = Field(description="Fermeture, HH:MM ; 24:00 pour minuit.", examples=["20:00"])


class CalendarIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    weekly: dict[str, list[RangeModel]] = Field(
        description="Plages d'ouverture par jour (monday … sunday) ; un jour absent ou vide est fermé."
    )
    closed_on_public_holidays: bool = Field(
        default=True, description="Fermé les jours fériés nationaux (calendrier métropolitain)."
    )
    closed_days: list[str] = Field(
        default_factory=list,
        max_length=400,
        description="Jours de fermeture exceptionnelle (AAAA-MM-JJ).",
    )


class CalendarOut(CalendarIn):
    text: str = Field(description="Les horaires en français, tels qu'annoncés aux usagers.")
    timezone: str = Field(description="Fuseau horaire des horaires.")
    open_now: bool = Field(description="Le service téléphonique est-il ouvert en ce moment ?")
    next_opening: datetime | None = Field(description="Prochaine ouverture (si fermé), en UTC.")


def _out(hours: calendar.ServiceHours, tz: ZoneInfo) -> CalendarOut:
    now = utcnow()
    is_open = calendar.is_open(hours, now, tz)
    return CalendarOut(
        **calendar.hours_to_json(hours),
        text=calendar.describe_hours(hours),
        timezone=tz.key,
        open_now=is_open,
        next_opening=None if is_open else calendar.next_opening(hours, now, tz),
    )


@router.get("/calendar", response_model=CalendarOut, summary="Horaires du service")
def get_calendar(session: DbSession, runtime: RuntimeDep) -> CalendarOut:
    return _out(calendar.load_hours(session), runtime.settings.zone)


@router.put(
    "/calendar",
    response_model=CalendarOut,
    summary="Modifier les horaires du service (administrateur)",
    responses={422: {"description": "Plages inversées, qui se chevauchent ou illisibles"}},
)
def put_calendar(
    body: CalendarIn,
    session: DbSession,
    runtime: RuntimeDep,
    agent: Annotated[Agent, require_role("administrator")],
) -> CalendarOut:
    hours = calendar.parse_hours(
        {day: [r.model_dump() for r in ranges] for day, ranges in body.weekly.items()},
        closed_on_public_holidays=body.closed_on_public_holidays,
        closed_days=body.closed_days,
    )
    calendar.save_hours(session, hours, agent_id=agent.id)
    audit.record(
        session,
        agent_id=agent.id,
        action="update",
        object_type="calendar",
        object_id=calendar.CALENDAR_ROW_ID,
        detail={"open_days": sum(1 for ranges in hours.weekly if ranges)},
    )
    return _out(hours, runtime.settings.zone)
