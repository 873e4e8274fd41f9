"""Retention: the free text of finished contacts is blanked after `settings.retention_days`.

What goes: the question summary and every note of contacts closed (or abandoned) before the
cutoff, and the notification email of their web message. What stays: every structured field
(channel, times, queue, sector, outcome, fiche ids), the events, hence every figure, and the
anonymous ratings. A purged contact keeps `purged_at`, so the purge is idempotent and cheap to
re-run (the daily job runs in every app worker; a second run finds nothing to do).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from allo.contacts.models import Contact, ContactNote
from allo.contacts.service_models import WebMessage
from allo.db.base import utcnow
from allo.db.session import unit_of_work
from allo.privacy import audit
from allo.runtime import Runtime

log = logging.getLogger("allo.privacy.retention")
FINAL_STATES = ("closed", "abandoned")
_CHUNK = 500
#: The daily job waits this long after start (a restart loop must not purge in a burst), then
#: runs every DAILY seconds.
FIRST_RUN_DELAY = 300.0
DAILY = 86_400.0


@dataclass(frozen=True)
class PurgeReport:
    cutoff: datetime
    contacts: int
    notes: int
    emails: int

    def as_dict(self) -> dict[str, object]:
        return {
            "cutoff": self.cutoff.isoformat(),
            "contacts": self.contacts,
            "notes": self.notes,
            "emails": self.emails,
        }


def purge(session: Session, *, retention_days: int, now: datetime | None = None) -> PurgeReport:
    """Blank the free text of contacts finished before now - retention_days (no commit here)."""
    if retention_days < 1:
        raise ValueError("retention_days must be at least 1")
    moment = now or utcnow()
    cutoff = moment - timedelta(days=retention_days)
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
        notes += session.execute(
            update(ContactNote)
            .where(ContactNote.contact_id.in_(chunk), ContactNote.text != "")
            .values(text="", redactions=[]),
            execution_options={"synchronize_session": False},
        ).rowcount
    # Emails go with their contact's text, and in any case when the private link expires.
    emails = session.execute(
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
    ).rowcount
    report = PurgeReport(cutoff=cutoff, contacts=len(ids), notes=notes, emails=emails)
    if ids or emails:
        audit.record(
            session,
            agent_id=None,
            action="purge",
            object_type="contact",
            detail={"contacts": len(ids), "notes": notes, "emails": emails},
            at=moment,
        )
    session.expire_all()
    return report


def purge_once(runtime: Runtime) -> PurgeReport:
    with unit_of_work(runtime.sessions) as session:
        return purge(session, retention_days=runtime.settings.retention_days)


def purge_on_one_node(runtime: Runtime) -> PurgeReport | None:
    """The purge, unless another node (or worker) is running it now: None then."""
    from allo.db.locks import job_lock
    from allo.ops.metrics import skipped_run, track_run

    with job_lock(runtime.engine, "retention-purge") as held:
        if not held:
            skipped_run("retention_purge")
            return None
        with track_run("retention_purge"):
            return purge_once(runtime)


async def run_daily(runtime: Runtime, *, first_delay: float = FIRST_RUN_DELAY) -> None:
    """The server's daily purge; errors are logged (counts only) and the loop goes on."""
    await asyncio.sleep(first_delay)
    while True:
        try:
            report = await asyncio.to_thread(purge_on_one_node, runtime)
            if report is None:
                log.info("retention purge: running on another node")
                await asyncio.sleep(DAILY)
                continue
            log.info(
                "retention purge: %d contacts, %d notes, %d emails",
                report.contacts,
                report.notes,
                report.emails,
            )
        except Exception:
            log.exception("retention purge failed; retrying tomorrow")
        await asyncio.sleep(DAILY)
