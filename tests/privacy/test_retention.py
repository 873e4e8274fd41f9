"""Retention: free text of finished contacts goes after the configured days; figures and ratings stay."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from allo.contacts import surveys
from allo.contacts.models import Contact, ContactEvent, ContactNote
from allo.contacts.service_models import SurveyResponse, WebMessage
from allo.privacy import retention
from allo.privacy.models import AuditEntry
from allo.stats import figures

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2032, 6, 15, 10, 0, tzinfo=UTC)


def contact(db: Session, *, closed_days_ago: float | None, state: str = "closed") -> Contact:
    arrived = NOW - timedelta(days=(closed_days_ago or 0) + 0.01)
    c = Contact(
        channel="web",
        question="Mon propriétaire refuse de rendre le dépôt de garantie [nom]",
        question_redactions=[{"kind": "name", "start": 60, "end": 65}],
        queue="logement",
        sector="logement",
        escalations=1,
        level=2,
        state=state,
        outcome="answered" if state == "closed" else None,
        created_at=arrived,
        queued_at=arrived,
        first_taken_at=arrived + timedelta(seconds=30),
        closed_at=None if closed_days_ago is None else NOW - timedelta(days=closed_days_ago),
    )
    db.add(c)
    db.flush()
    db.add(ContactNote(contact_id=c.id, level=1, kind="note", text="Bail signé en 2019"))
    db.add(ContactEvent(contact_id=c.id, at=arrived, kind="created", queue="niveau1", level=1))
    db.flush()
    return c


def test_purge_blanks_old_finished_contacts_only(db: Session) -> None:
    old = contact(db, closed_days_ago=91)
    recent = contact(db, closed_days_ago=10)
    still_open = contact(db, closed_days_ago=None, state="waiting")
    db.add(
        WebMessage(
            contact_id=old.id,
            token_hash="a" * 64,
            expires_at=NOW + timedelta(days=1),
            notify_email="citoyen@example.org",
        )
    )
    surveys.submit(db, old, rating=5, comment="Merci", tz=PARIS)
    period = figures.parse_period("2032-03-01", "2032-06-15", PARIS, NOW.date())
    before = figures.compute(db, period, PARIS)

    report = retention.purge(db, retention_days=90, now=NOW)

    assert (report.contacts, report.notes, report.emails) == (1, 1, 1)
    db.refresh(old)
    assert old.question == "" and old.question_redactions == [] and old.purged_at == NOW
    assert db.scalar(select(ContactNote.text).where(ContactNote.contact_id == old.id)) == ""
    assert db.scalar(select(WebMessage.notify_email).where(WebMessage.contact_id == old.id)) is None
    for kept in (recent, still_open):
        db.refresh(kept)
        assert kept.question.startswith("Mon propriétaire") and kept.purged_at is None
        assert (
            db.scalar(select(ContactNote.text).where(ContactNote.contact_id == kept.id))
            == "Bail signé en 2019"
        )
    # the figures and the rating are untouched
    after = figures.compute(db, period, PARIS)
    assert after == before
    assert db.scalar(select(SurveyResponse.comment).where(SurveyResponse.rating == 5)) == "Merci"
    # the audit trail says a purge happened, with counts only
    entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "purge")).one()
    assert entry.agent_id is None and entry.detail == {"contacts": 1, "notes": 1, "emails": 1}


def test_purge_is_idempotent(db: Session) -> None:
    contact(db, closed_days_ago=200)
    first = retention.purge(db, retention_days=30, now=NOW)
    second = retention.purge(db, retention_days=30, now=NOW)
    assert first.contacts >= 1
    assert (second.contacts, second.notes, second.emails) == (0, 0, 0)


def test_abandoned_contacts_are_purged_too(db: Session) -> None:
    gone = contact(db, closed_days_ago=100, state="abandoned")
    retention.purge(db, retention_days=90, now=NOW)
    db.refresh(gone)
    assert gone.question == "" and gone.purged_at is not None
