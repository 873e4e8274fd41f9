"""Background jobs of a running server, started by a router-level lifespan (no routes here).

- the retention purge, daily (allo.privacy.retention.run_daily);
- the "your answer is ready" notices of written questions, every minute, on one node at a time
  (`allo.db.locks.job_lock`, like the purge: the other nodes skip the round);
- the portal's search counts for the content-gap backlog, added every minute and at shutdown
  (allo.backlog.portal_log.run_flusher).

The purge and the notices are idempotent and locked; the search counts are each worker's own. The day replay's server sets
`app.state.background_jobs = False`: its simulated clock is not the wall clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from fastapi import APIRouter, FastAPI

from allo.backlog import portal_log
from allo.contacts import messages
from allo.contacts.notifier import Notifier
from allo.db.locks import job_lock
from allo.db.session import unit_of_work
from allo.ops.metrics import skipped_run, track_run
from allo.privacy import retention
from allo.runtime import Runtime
from allo.web.api.messages import notifier

log = logging.getLogger("allo.jobs")
NOTIFY_EVERY = 60.0
#: the lock name of the notice round (and its metrics job name)
NOTICES, NOTICES_JOB = "answer-notices", "answer_notices"


def notify_on_one_node(runtime: Runtime, sender: Notifier | None = None) -> int | None:
    """One round of answer notices, unless another node (or worker) is sending them now: None
    then. The row locks of `notify_answered` already keep a notice from going twice; the job
    lock keeps every node from scanning and mailing at the same minute."""
    with job_lock(runtime.engine, NOTICES) as held:
        if not held:
            skipped_run(NOTICES_JOB)
            return None
        with track_run(NOTICES_JOB), unit_of_work(runtime.sessions) as session:
            return messages.notify_answered(session, sender or notifier(runtime))


async def _notify_loop(runtime: Runtime) -> None:
    while True:
        await asyncio.sleep(NOTIFY_EVERY)
        try:
            sent = await asyncio.to_thread(notify_on_one_node, runtime)
            if sent:
                log.info("written channel: %d answer notices sent", sent)
        except Exception:
            log.exception("written channel notices failed; retrying")


@contextlib.asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    if not getattr(app.state, "background_jobs", True):
        yield
        return
    runtime: Runtime = app.state.runtime
    tasks = [
        asyncio.create_task(retention.run_daily(runtime)),
        asyncio.create_task(_notify_loop(runtime)),
        asyncio.create_task(portal_log.run_flusher(runtime)),
    ]
    try:
        yield
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task


router = APIRouter(lifespan=_lifespan)
