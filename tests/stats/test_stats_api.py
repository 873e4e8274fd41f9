"""GET /api/stats: roles, period validation, and the figures over HTTP."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from allo.privacy.models import AuditEntry
from tests.contacts.service_helpers import login
from tests.stats.stats_factories import make_contact

PARIS = ZoneInfo("Europe/Paris")


def test_stats_need_a_supervisor(client: Any, db: Session) -> None:
    assert client.get("/api/stats").status_code == 401
    _advisor, advisor = login(db, "advisor")
    assert client.get("/api/stats", headers=advisor).status_code == 403


def test_from_after_to_is_a_422(client: Any, db: Session) -> None:
    _sup, sup = login(db, "supervisor")
    response = client.get("/api/stats?from=2031-03-05&to=2031-03-04", headers=sup)
    assert response.status_code == 422
    assert "doit précéder" in response.json()["detail"]
    assert client.get("/api/stats?from=demain", headers=sup).status_code == 422


def test_figures_over_http(client: Any, db: Session) -> None:
    day = datetime(2031, 5, 6, tzinfo=PARIS)
    for i in range(4):
        make_contact(db, arrived=day.replace(hour=10, minute=i), wait=20)
    make_contact(db, arrived=day.replace(hour=11), escalate_to="logement")
    supervisor, sup = login(db, "supervisor")
    response = client.get("/api/stats?from=2031-05-06&to=2031-05-06", headers=sup)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["contacts"] == 5
    assert body["level1"]["resolution_rate"] == 0.8
    assert body["level1"]["escalation_rate"] == 0.2
    assert body["by_sector"]["logement"] == 1
    assert body["by_hour"]["10"] == 4
    entry = db.scalars(
        select(AuditEntry).where(
            AuditEntry.agent_id == supervisor.id, AuditEntry.object_type == "stats"
        )
    ).one()
    assert entry.action == "read"
