"""Anonymous ratings: validation, one per contact, redacted comments, the campaign view."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import inspect
from sqlalchemy.orm import Session

from allo.contacts import surveys
from allo.contacts.models import Contact
from allo.contacts.service_models import SurveyResponse
from allo.errors import Conflict, InvalidInput
from tests.contacts.service_helpers import login

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


# --- over HTTP ---------------------------------------------------------------------------------


def test_rating_outside_one_to_five_is_a_422(client: Any, db: Session) -> None:
    contact = finished(db)
    _advisor, headers = login(db, "advisor")
    for rating in (0, 6, "cinq"):
        response = client.post(
            "/api/surveys", json={"contact_id": contact.id, "rating": rating}, headers=headers
        )
        assert response.status_code == 422
    assert not surveys.already_rated(db, contact.id)


def test_phone_rating_needs_an_agent_and_one_reference(client: Any, db: Session) -> None:
    contact = finished(db)
    anonymous = client.post("/api/surveys", json={"contact_id": contact.id, "rating": 4})
    assert anonymous.status_code == 401
    _platform, headers = login(db, "supervisor")
    both = client.post(
        "/api/surveys",
        json={"contact_id": contact.id, "token": "x", "rating": 4},
        headers=headers,
    )
    assert both.status_code == 422
    ok = client.post(
        "/api/surveys",
        json={"contact_id": contact.id, "rating": 4, "comment": "Bien"},
        headers=headers,
    )
    assert ok.status_code == 201
    unknown = client.post(
        "/api/surveys", json={"contact_id": 2**31 - 1, "rating": 4}, headers=headers
    )
    assert unknown.status_code == 404


def test_campaign_view_for_supervisors(client: Any, db: Session) -> None:
    _advisor, advisor = login(db, "advisor")
    _sup, sup = login(db, "supervisor")
    client.post(
        "/api/surveys",
        json={"contact_id": finished(db, sector="justice").id, "rating": 3, "comment": "Long"},
        headers=sup,
    )
    assert client.get("/api/surveys/campaign", headers=advisor).status_code == 403
    view = client.get("/api/surveys/campaign", headers=sup).json()
    assert view["by_sector"]["justice"]["responses"] == 1
    assert view["comments"][0]["comment"] == "Long"
    assert view["comments"][0]["sector"] == "justice"
    inverted = client.get("/api/surveys/campaign?from=2026-02-01&to=2026-01-01", headers=sup)
    assert inverted.status_code == 422


# --- who may rate a contact (finding 4: forged satisfaction) ---------------------------------


def test_a_specialist_cannot_rate_a_call_they_never_handled(client: Any, db: Session) -> None:
    contact = finished(db, sector="justice")
    _specialist, headers = login(db, "specialist", sectors=("travail",))
    forged = client.post(
        "/api/surveys", json={"contact_id": contact.id, "rating": 1}, headers=headers
    )
    assert forged.status_code == 403
    assert not surveys.already_rated(db, contact.id)


def test_an_agent_who_handled_the_call_may_relay_its_rating(client: Any, db: Session) -> None:
    from allo.contacts.models import ContactEvent

    contact = finished(db)
    advisor, headers = login(db, "advisor")
    db.add(ContactEvent(contact_id=contact.id, kind="taken", agent_id=advisor.id, queue="niveau1"))
    db.flush()
    ok = client.post("/api/surveys", json={"contact_id": contact.id, "rating": 5}, headers=headers)
    assert ok.status_code == 201


def test_a_written_question_is_rated_by_its_citizen_only(client: Any, db: Session) -> None:
    sent = client.post("/api/messages", json={"question": "Comment refaire ma carte grise ?"})
    contact = db.get(Contact, sent.json()["reference"])
    assert contact is not None
    contact.state, contact.outcome = "closed", "answered"
    db.flush()
    for role in ("specialist", "supervisor"):
        _agent, headers = login(db, role, sectors=("travail",) if role == "specialist" else ())
        forged = client.post(
            "/api/surveys", json={"contact_id": contact.id, "rating": 1}, headers=headers
        )
        assert forged.status_code == 403
    own = client.post("/api/surveys", json={"token": sent.json()["token"], "rating": 5})
    assert own.status_code == 201
