"""Agents with a login token for API tests of the service around the flow."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from allo.contacts import agents
from allo.contacts.models import Agent


def login(db: Session, role: str, sectors: tuple[str, ...] = ()) -> tuple[Agent, dict[str, str]]:
    agent = agents.create_agent(
        db, f"t{uuid.uuid4().hex[:10]}", role, "mot-de-passe-de-test", sectors=sectors
    )
    token, _expires = agents.issue_token(db, agent)
    db.flush()
    return agent, {"Authorization": f"Bearer {token}"}
