"""The backlog's share of the retention purge (run by allo.privacy.retention from its registry):
portal query counts older than the retention period are deleted, and the notes and answers of
flags handled before it are blanked (the flag itself, its kind and fiche stay for the figures)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from allo.backlog import repository as repo


def purge(session: Session, *, cutoff: datetime, now: datetime) -> dict[str, int]:
    return {
        "query_counts": repo.delete_query_counts_before(session, cutoff.date()),
        "flag_texts": repo.blank_handled_flags(session, cutoff),
    }
