"""Anonymous ratings: validation, one per contact, redacted comments, the campaign view."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import inspect
from sqlalchemy.orm import Session

from allo.contacts import surveys
from allo.contacts.models import Contact
from allo.contacts.service_models import SurveyResponse
from allo.errors import Conflict, InvalidInput

PARIS = ZoneInfo("Europe/Paris")


def finished(
    db: Session, *, channel: str = "phone", sector: str | None = None, outcome: str = "answered"
) -> Contact:
    now = datetime.now(UTC)
    contact = Contact(
        channel=channel,
        question="Question",
        queue=sector or "niveau1",
        state="closed",
        level=2 if sector else 1,
        sector=sector,
        escalations=1 if sector else 0,
        outcome=outcome,
        created_at=now,
        queued_at=now,
        closed_at=now,
    )
    db.add(contact)
    db.flush()
    return contact


def test_rating_is_recorded_without_the_contact(db: Session) -> None:
    contact = finished(db, channel="web", sector="travail")
    response = surveys.submit(db, contact, rating=4, comment="Très clair.", tz=PARIS)
    assert (response.channel, response.sector, response.escalated, response.outcome) == (
        "web",
        "travail",
        True,
        "answered",
    )
    columns = {c.key for c in inspect(SurveyResponse).columns}
    assert not columns & {"contact_id", "agent_id", "created_at"}
    assert surveys.already_rated(db, contact.id)


@pytest.mark.parametrize("rating", [0, 6, -1, True])
def test_rating_outside_one_to_five_is_refused(db: Session, rating: int) -> None:
    with pytest.raises(InvalidInput):
        surveys.submit(db, finished(db), rating=rating, comment="", tz=PARIS)


def test_one_rating_per_contact(db: Session) -> None:
    contact = finished(db)
    surveys.submit(db, contact, rating=5, comment="", tz=PARIS)
    with pytest.raises(Conflict):
        surveys.submit(db, contact, rating=1, comment="", tz=PARIS)


def test_open_contact_cannot_be_rated(db: Session) -> None:
    contact = finished(db)
    contact.state, contact.outcome = "taken", None
    with pytest.raises(Conflict):
        surveys.submit(db, contact, rating=3, comment="", tz=PARIS)


def test_comment_is_redacted(db: Session) -> None:
    response = surveys.submit(
        db,
        finished(db),
        rating=2,
        comment="Rappelez-moi au 06 12 34 56 78 ou jean.dupont@example.org",
        tz=PARIS,
    )
    assert "06 12" not in response.comment
    assert "example.org" not in response.comment
    assert {r["kind"] for r in response.comment_redactions} == {"phone", "email"}


def test_campaign_aggregates_by_sector_channel_and_outcome(db: Session) -> None:
    day = datetime.now(UTC).astimezone(PARIS).date()
    assert surveys.campaign(db, day, day)["overall"]["responses"] == 0  # each test rolls back
    rows = [
        ("phone", None, "answered", 5, "Parfait"),
        ("phone", None, "oriented", 4, ""),
        ("phone", "travail", "answered", 2, "Trop d'attente"),
        ("web", "travail", "answered", 4, ""),
        ("web", None, "answered", 5, ""),
    ]
    for channel, sector, outcome, rating, comment in rows:
        contact = finished(db, channel=channel, sector=sector, outcome=outcome)
        surveys.submit(db, contact, rating=rating, comment=comment, tz=PARIS)
    view = surveys.campaign(db, day, day, comments_limit=500)
    assert view["overall"]["responses"] == 5
    assert view["overall"]["mean"] == 4.0
    assert view["by_sector"]["travail"] == {
        "responses": 2,
        "mean": 3.0,
        "distribution": {"1": 0, "2": 1, "3": 0, "4": 1, "5": 0},
        "satisfied_rate": 0.5,
    }
    assert view["by_sector"]["aucun"]["responses"] == 3
    assert view["by_channel"]["web"]["mean"] == 4.5
    assert view["by_outcome"]["oriented"]["responses"] == 1
    assert view["by_level"]["escalated"]["responses"] == 2
    assert [c["comment"] for c in view["comments"]] == ["Trop d'attente", "Parfait"]


def test_campaign_with_inverted_dates_is_refused(db: Session) -> None:
    with pytest.raises(InvalidInput):
        surveys.campaign(db, date(2026, 2, 1), date(2026, 1, 1))
