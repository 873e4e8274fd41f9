"""Fixtures of the backlog tests: agents of each role, contacts as the flow records them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from allo.contacts.models import Agent, Contact, ContactNote
from allo.db.base import utcnow


@pytest.fixture
def make_contact(db: Session) -> Callable[..., Contact]:
    """A finished contact as the flow leaves it (outcome, fiches consulted, escalation note)."""

    def _make(
        question: str,
        *,
        outcome: str | None = "oriented",
        fiches: list[str] | None = None,
        escalation_note: str | None = None,
        theme: str = "",
        sector: str | None = None,
        days_ago: float = 1,
        agent: Agent | None = None,
        **fields: Any,
    ) -> Contact:
        at: datetime = utcnow() - timedelta(days=days_ago)
        contact = Contact(
            channel="phone",
            created_at=at,
            queued_at=at,
            question=question,
            theme=theme,
            queue=sector or "niveau1",
            state="closed" if outcome else "waiting",
            level=2 if sector else 1,
            sector=sector,
            outcome=outcome,
            closed_at=at if outcome else None,
            fiches_consulted=fiches or [],
            escalations=1 if escalation_note is not None else 0,
            agent_id=agent.id if agent else None,
            **fields,
        )
        db.add(contact)
        db.flush()
        if escalation_note is not None:
            db.add(
                ContactNote(
                    contact_id=contact.id,
                    kind="escalation",
                    text=escalation_note,
                    created_at=at,
                    level=1,
                )
            )
            db.flush()
        return contact

    return _make
