"""Required vs present per queue for the current half-hour, for the supervision's live view.

The live view is polled every few seconds, the plan needs weeks of history: each worker keeps
the day's plan and recomputes it only when its inputs change (another day, new history before
today, a changed calendar), so a poll costs one small query.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from allo.contacts.calendar import load_hours
from allo.contacts.models import LEVEL1_QUEUE, QUEUES, Agent, Contact
from allo.stats.staffing.erlang import Target
from allo.stats.staffing.plan import DayPlan, current_slot, plan_days

#: Agents who count as present on their queues.
PRESENT_STATES = ("available", "busy")

_cache: dict[object, DayPlan] = {}
_lock = threading.Lock()


@dataclass(frozen=True)
class QueueStaffing:
    queue: str
    required: int
    present: int

    @property
    def short(self) -> int:
        return max(self.required - self.present, 0)


def _fingerprint(session: Session, day_start: datetime) -> tuple[Any, ...]:
    """Changes whenever contacts are added before today (the history the plan reads)."""
    return tuple(
        session.execute(
            select(func.count(), func.max(Contact.id)).where(Contact.created_at < day_start)
        ).one()
    )


def today_plan(
    session: Session, now: datetime, tz: ZoneInfo, targets: dict[str, Target] | None = None
) -> DayPlan:
    day = now.astimezone(tz).date()
    day_start = datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)
    key: tuple[Any, ...] = (
        str(session.get_bind().engine.url),
        day,
        tuple(_fingerprint(session, day_start)),
        load_hours(session),
        tuple(sorted((targets or {}).items())),
    )
    with _lock:
        cached = _cache.get(key)
    if cached is not None:
        return cached
    (plan,) = plan_days(session, [day], tz, targets)
    with _lock:
        _cache.clear()  # one day per worker is enough
        _cache[key] = plan
    return plan


def present_by_queue(agents: list[Agent]) -> dict[str, int]:
    """Advisors count on level 1; a specialist counts on each of their sectors."""
    present = dict.fromkeys(QUEUES, 0)
    for agent in agents:
        if not agent.active or agent.state not in PRESENT_STATES:
            continue
        if agent.role == "advisor":
            present[LEVEL1_QUEUE] += 1
        elif agent.role == "specialist":
            for sector in agent.sectors or []:
                if sector in present:
                    present[sector] += 1
    return present


def current_staffing(
    session: Session,
    agents: list[Agent],
    now: datetime,
    tz: ZoneInfo,
    targets: dict[str, Target] | None = None,
) -> list[QueueStaffing]:
    plan = today_plan(session, now, tz, targets)
    slot = current_slot(now, tz)
    present = present_by_queue(agents)
    return [QueueStaffing(q, plan.required(q, slot), present[q]) for q in QUEUES]


def shortage_message(lines: list[QueueStaffing], labels: dict[str, str]) -> str:
    """« Effectif insuffisant : Premier niveau (2 présents pour 9 requis), Travail (…). »"""
    short = [line for line in lines if line.short > 0]
    if not short:
        return ""
    parts = [
        f"{labels.get(s.queue, s.queue)} ({s.present} présent{'s' if s.present > 1 else ''} "
        f"pour {s.required} requis)"
        for s in short
    ]
    return "Effectif insuffisant pour la demi-heure en cours : " + ", ".join(parts) + "."
