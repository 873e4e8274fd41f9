"""The contacts' share of the retention purge: the free text of finished contacts.

What goes: the question summary and every note of contacts closed (or abandoned) before the
cutoff, and the notification email of their web message. What stays: every structured field
(channel, times, queue, sector, outcome, fiche ids), the events, hence every figure, and the
anonymous ratings. A purged contact keeps `purged_at`, so the purge is idempotent and cheap to
re-run. Run by allo.privacy.retention, which finds this step in its registry.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from allo.contacts.models import Contact, ContactNote
from allo.contacts.service_models import WebMessage
from allo.db.session import rows_touched

FINAL_STATES = ("closed", "abandoned")
_CHUNK = 500


def purge_free_text(session: Session, *, cutoff: datetime, now: datetime) -> dict[str, int]:
    """Blank the free text of contacts finished before `cutoff` (no commit here)."""
    moment = now
    finished_at = func.coalesce(Contact.closed_at, Contact.queued_at)
    ids = list(
        session.scalars(
            select(Contact.id).where(
                Contact.state.in_(FINAL_STATES),
                Contact.purged_at.is_(None),
                finished_at < cutoff,
            )
        )
    )
    notes = 0
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        session.execute(
            update(Contact)
            .where(Contact.id.in_(chunk))
            .values(question="", question_redactions=[], purged_at=moment),
            execution_options={"synchronize_session": False},
        )
        notes += rows_touched(
            session,
            update(ContactNote)
            .where(ContactNote.contact_id.in_(chunk), ContactNote.text != "")
            .values(text="", redactions=[]),
            execution_options={"synchronize_session": False},
        )
    # Emails go with their contact's text, and in any case when the private link expires.
    emails = rows_touched(
        session,
        update(WebMessage)
        .where(
            WebMessage.notify_email.is_not(None),
            or_(
                WebMessage.expires_at < moment,
                WebMessage.contact_id.in_(select(Contact.id).where(Contact.purged_at.is_not(None))),
            ),
        )
        .values(notify_email=None),
        execution_options={"synchronize_session": False},
    )
    return {"contacts": len(ids), "notes": notes, "emails": emails}
