"""Retention: personal free text and the portal's query counts go after `settings.retention_days`.

Each domain owns its purge step (contacts: the question and notes of finished contacts; the
editorial backlog: portal query counts and the text of handled flags); this module only knows
them by name in PURGE_STEPS and imports them when the purge runs, so no domain imports another
through it. Every step is idempotent and cheap to re-run (the daily job runs in every app
worker; a second run finds nothing to do). Structured fields, events, figures and the anonymous
ratings stay.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy.orm import Session

from allo.db.base import utcnow
from allo.db.engine import checkpoint
from allo.db.session import unit_of_work
from allo.privacy import audit
from allo.runtime import Runtime

log = logging.getLogger("allo.privacy.retention")
#: The daily job waits this long after start (a restart loop must not purge in a burst), then
#: runs every DAILY seconds.
FIRST_RUN_DELAY = 300.0
DAILY = 86_400.0


class PurgeStep(Protocol):
    """One domain's purge: removes what is older than `cutoff`, returns counts by kind."""

    def __call__(self, session: Session, *, cutoff: datetime, now: datetime) -> dict[str, int]: ...


#: audit object type → "module:function" of the step, in the order they run.
PURGE_STEPS: dict[str, str] = {
    "contact": "allo.contacts.retention:purge_free_text",
    "backlog": "allo.backlog.retention:purge",
}


@dataclass(frozen=True)
class PurgeReport:
    cutoff: datetime
    #: what each step removed, by kind (contacts, notes, emails, query_counts…)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def contacts(self) -> int:
        return self.counts.get("contacts", 0)

    @property
    def notes(self) -> int:
        return self.counts.get("notes", 0)

    @property
    def emails(self) -> int:
        return self.counts.get("emails", 0)

    def as_dict(self) -> dict[str, object]:
        return {"cutoff": self.cutoff.isoformat(), **self.counts}


def purge(session: Session, *, retention_days: int, now: datetime | None = None) -> PurgeReport:
    """Run every domain's purge step for data older than now - retention_days (no commit here).

    Each step that removed something leaves one audit entry, with counts only."""
    if retention_days < 1:
        raise ValueError("retention_days must be at least 1")
    moment = now or utcnow()
    cutoff = moment - timedelta(days=retention_days)
    counts: dict[str, int] = {}
    for object_type, path in PURGE_STEPS.items():
        removed = _step(path)(session, cutoff=cutoff, now=moment)
        counts.update(removed)
        if any(removed.values()):
            audit.record(
                session,
                agent_id=None,
                action="purge",
                object_type=object_type,
                detail=removed,
                at=moment,
            )
    session.expire_all()
    return PurgeReport(cutoff=cutoff, counts=counts)


def _step(path: str) -> PurgeStep:
    module, _, name = path.partition(":")
    step: PurgeStep = getattr(importlib.import_module(module), name)
    return step


def purge_once(runtime: Runtime) -> PurgeReport:
    with unit_of_work(runtime.sessions) as session:
        report = purge(session, retention_days=runtime.settings.retention_days)
    # Committed: now push the erased text out of SQLite's WAL file too.
    checkpoint(runtime.engine)
    return report


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
                "retention purge: %s",
                ", ".join(f"{n} {kind}" for kind, n in report.counts.items()),
            )
        except Exception:
            log.exception("retention purge failed; retrying tomorrow")
        await asyncio.sleep(DAILY)
