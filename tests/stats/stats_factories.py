"""Contacts with known timestamps, written straight to the tables the flow fills (no shortcuts in
the figures: they read exactly what the contact flow stores)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from allo.contacts.models import Contact, ContactEvent


def make_contact(
    db: Session,
    *,
    arrived: datetime,
    channel: str = "phone",
    wait: float | None = 30,
    handling: float = 200,
    escalate_to: str | None = None,
    wait2: float = 60,
    handling2: float = 400,
    outcome: str | None = "answered",
    abandoned_after: float | None = None,
    question: str = "Question [nom]",
) -> Contact:
    """One contact's life: arrival, level-1 handling, optional escalation and level-2 handling."""
    events: list[tuple[datetime, str, int, str, dict[str, Any]]] = [
        (arrived, "created", 1, "niveau1", {"channel": channel})
    ]
    contact = Contact(
        channel=channel,
        created_at=arrived,
        queued_at=arrived,
        question=question,
        question_redactions=[],
        queue="niveau1",
        state="waiting",
        level=1,
    )
    if abandoned_after is not None:
        t = arrived + timedelta(seconds=abandoned_after)
        contact.state, contact.outcome, contact.closed_at = "abandoned", "abandoned", t
        events.append((t, "abandoned", 1, "niveau1", {}))
    elif wait is not None:
        taken = arrived + timedelta(seconds=wait)
        contact.first_taken_at = contact.taken_at = taken
        events.append((taken, "taken", 1, "niveau1", {"wait_seconds": wait}))
        end1 = taken + timedelta(seconds=handling)
        if escalate_to:
            contact.queue, contact.sector, contact.level, contact.escalations = (
                escalate_to,
                escalate_to,
                2,
                1,
            )
            contact.queued_at = end1
            events.append((end1, "escalated", 2, escalate_to, {"sector": escalate_to}))
            taken2 = end1 + timedelta(seconds=wait2)
            contact.taken_at = taken2
            events.append((taken2, "taken", 2, escalate_to, {"wait_seconds": wait2}))
            end = taken2 + timedelta(seconds=handling2)
            level, queue = 2, escalate_to
        else:
            end, level, queue = end1, 1, "niveau1"
        if outcome:
            contact.state, contact.outcome, contact.closed_at = "closed", outcome, end
            events.append((end, outcome, level, queue, {}))
            events.append((end, "closed", level, queue, {"outcome": outcome}))
        else:
            contact.state = "taken"
    db.add(contact)
    db.flush()
    for at, kind, level, queue, data in events:
        db.add(
            ContactEvent(
                contact_id=contact.id, at=at, kind=kind, level=level, queue=queue, data=data
            )
        )
    db.flush()
    return contact
