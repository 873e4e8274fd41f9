"""Required vs present for the current half-hour, and the French warning when a queue is short."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from allo.contacts.models import QUEUE_LABELS, Agent
from allo.stats.staffing import live

PARIS = ZoneInfo("Europe/Paris")


def _agent(role: str, state: str, sectors: list[str] | None = None) -> Agent:
    return Agent(
        username=f"{role}-{state}", role=role, state=state, sectors=sectors or [], active=True
    )


def test_warning_names_the_short_queues(db: Session) -> None:
    agents = [
        _agent("advisor", "available"),
        _agent("advisor", "busy"),
        _agent("advisor", "offline"),
        _agent("specialist", "available", ["travail", "justice"]),
    ]
    tuesday_ten = datetime(2031, 6, 3, 10, 10, tzinfo=PARIS)
    lines = {line.queue: line for line in live.current_staffing(db, agents, tuesday_ten, PARIS)}
    assert lines["niveau1"].present == 2 and lines["travail"].present == 1
    assert lines["niveau1"].required > 20  # the declared profile at the morning peak
    message = live.shortage_message(list(lines.values()), QUEUE_LABELS)
    assert message.startswith("Effectif insuffisant pour la demi-heure en cours : Premier niveau")
    assert f"(2 présents pour {lines['niveau1'].required} requis)" in message
    # At night the service is closed: nobody is required, no warning.
    night = live.current_staffing(db, agents, datetime(2031, 6, 3, 23, 0, tzinfo=PARIS), PARIS)
    assert all(line.required == 0 for line in night)
    assert live.shortage_message(night, QUEUE_LABELS) == ""
