"""Agents with a login token for API tests of the service around the flow."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from allo.contacts import agents, calendar
from allo.contacts.models import Agent

#: Open every minute of every day: API tests that create phone contacts must not depend on
#: the hour the suite runs at (the default calendar closes at 20:00 and on Sundays).
ALWAYS_OPEN = calendar.parse_hours(
    {day: [["00:00", "24:00"]] for day in calendar.WEEKDAYS}, closed_on_public_holidays=False
)
CLOSED_ALL_WEEK = calendar.parse_hours({}, closed_on_public_holidays=True)


def set_hours(db: Session, hours: calendar.ServiceHours) -> None:
    calendar.save_hours(db, hours, agent_id=None)
    db.commit()


def login(db: Session, role: str, sectors: tuple[str, ...] = ()) -> tuple[Agent, dict[str, str]]:
    agent = agents.create_agent(
        db, f"t{uuid.uuid4().hex[:10]}", role, "mot-de-passe-de-test", sectors=sectors
    )
    token, _expires = agents.issue_token(db, agent)
    db.flush()
    return agent, {"Authorization": f"Bearer {token}"}
