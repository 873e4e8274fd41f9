"""What the portal's searches found, counted in memory and added to the database now and then.

The portal search costs about a millisecond of CPU: a database write per query would cost more
than the search. Each process counts (day, query) → searches / found nothing / fiche opened in a
dict under a lock (about a microsecond), and `flush()` — every FLUSH_EVERY seconds and when the
server stops — redacts and normalises each query into its wording and adds the counts with one
upsert. Raw queries live only in this process's memory until the next flush; what is stored is
the redacted wording and its counts per day, purged with the service's retention.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections import defaultdict
from collections.abc import Callable
from datetime import date

from sqlalchemy.orm import Session

from allo.backlog import repository as repo
from allo.backlog.wording import stored_wording
from allo.db.session import unit_of_work
from allo.runtime import Runtime

log = logging.getLogger("allo.backlog.portal")
#: Seconds between two flushes of a server process.
FLUSH_EVERY = 60.0
#: Distinct (day, query) pairs kept between two flushes; beyond, new pairs are not counted.
MAX_KEYS = 20_000
SERVICE_NAME = "portal_query_log"


class PortalQueryLog:
    """Per-process counts of portal searches, waiting to be added to the database."""

    def __init__(self, today: Callable[[], date], max_keys: int = MAX_KEYS) -> None:
        """`today` gives the service's day (`Settings.today`): a search at 00:30 in Paris counts
        for that day, not for UTC's."""
        self.max_keys = max_keys
        self.today = today
        self.dropped = 0
        self._lock = threading.Lock()
        self._counts: dict[tuple[date, str], list[int]] = {}

    def _slot(self, query: str) -> list[int] | None:
        key = (self.today(), query)
        counts = self._counts.get(key)
        if counts is None:
            if len(self._counts) >= self.max_keys:
                self.dropped += 1
                return None
            counts = self._counts[key] = [0, 0, 0]
        return counts

    def searched(self, query: str, *, found: bool) -> None:
        """A search for `query` (already cleaned), which found fiches or not."""
        with self._lock:
            counts = self._slot(query)
            if counts is not None:
                counts[0] += 1
                if not found:
                    counts[1] += 1

    def opened(self, query: str) -> None:
        """A fiche was opened from the results of `query`."""
        with self._lock:
            counts = self._slot(query)
            if counts is not None:
                counts[2] += 1

    def pending(self) -> int:
        return len(self._counts)

    def take(self) -> dict[tuple[date, str], list[int]]:
        with self._lock:
            taken, self._counts = self._counts, {}
        return taken

    def flush(self, session: Session) -> int:
        """Add what was counted since the last flush (in the caller's transaction): rows written."""
        taken = self.take()
        rows: dict[tuple[date, str], list[int]] = defaultdict(lambda: [0, 0, 0])
        for (day, query), (searches, empty, opened) in taken.items():
            wording = stored_wording(query)
            if not wording:
                continue
            row = rows[(day, wording)]
            row[0] += searches
            row[1] += empty
            row[2] += opened
        repo.add_query_counts(
            session,
            [
                {"day": day, "wording": w, "searches": s, "empty": e, "opened": o}
                for (day, w), (s, e, o) in sorted(rows.items())
            ],
        )
        return len(rows)


def get_log(runtime: Runtime) -> PortalQueryLog:
    log_: PortalQueryLog = runtime.service(
        SERVICE_NAME, lambda rt: PortalQueryLog(today=rt.settings.today)
    )
    return log_


def flush_once(runtime: Runtime) -> int:
    query_log = get_log(runtime)
    if not query_log.pending():
        return 0
    with unit_of_work(runtime.sessions) as session:
        return query_log.flush(session)


async def run_flusher(runtime: Runtime, *, every: float = FLUSH_EVERY) -> None:
    """The server's periodic flush. A failed flush is logged (never a query) and its counts are
    dropped: the backlog loses a minute of counts, the portal loses nothing."""
    try:
        while True:
            await asyncio.sleep(every)
            try:
                await asyncio.to_thread(flush_once, runtime)
            except Exception:
                log.exception("portal query counts: flush failed")
    finally:
        # On shutdown (cancellation) the last minute of counts is written too.
        try:
            await asyncio.to_thread(flush_once, runtime)
        except Exception:
            log.exception("portal query counts: last flush failed")
