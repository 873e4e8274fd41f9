"""The backlog under the service's retention: old portal counts go, handled flags lose their text."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from allo.backlog import flags, repository
from allo.backlog.flags import NewFlag
from allo.backlog.models import FicheFlag, PortalQueryCount
from allo.db.base import utcnow
from allo.privacy import retention
from allo.privacy.models import AuditEntry


def test_purge_deletes_old_query_counts_and_blanks_old_handled_flags(
    db: Session, make_agent: Callable[..., Any]
) -> None:
    now = utcnow()
    today = now.date()
    repository.add_query_counts(
        db,
        [
            {"day": today - timedelta(days=d), "wording": w, "searches": 1, "empty": 1, "opened": 0}
            for d, w in [(0, "recent"), (89, "encore la"), (91, "trop vieux"), (400, "ancien")]
        ],
    )
    advisor, editor = make_agent("advisor"), make_agent("editor")
    old = flags.create(db, advisor, NewFlag(kind="obsolete", fiche_id="F1726", note="vieille note"))
    flags.handle(db, editor, old.id, "vieille réponse")
    old.handled_at = now - timedelta(days=100)
    still_open = flags.create(db, advisor, NewFlag(kind="manque", note="toujours à traiter"))
    old_open_id = still_open.id
    still_open.created_at = now - timedelta(days=200)
    db.flush()

    report = retention.purge(db, retention_days=90, now=now)

    assert report.counts["query_counts"] == 2 and report.counts["flag_texts"] == 1
    wordings = set(db.scalars(select(PortalQueryCount.wording)))
    assert wordings == {"recent", "encore la"}
    kept = db.get(FicheFlag, old.id)
    assert kept is not None and (kept.note, kept.answer, kept.kind) == ("", "", "obsolete")
    assert db.get(FicheFlag, old_open_id).note == "toujours à traiter"
    entry = db.scalars(select(AuditEntry).where(AuditEntry.object_type == "backlog")).one()
    assert entry.detail == {"query_counts": 2, "flag_texts": 1}
    # idempotent
    again = retention.purge(db, retention_days=90, now=now)
    assert again.counts["query_counts"] == 0 and again.counts["flag_texts"] == 0


def test_retention_imports_no_domain_until_it_runs() -> None:
    """The purge steps are found by name when the purge runs: no import loop with contacts."""
    code = (
        "import sys, allo.privacy.retention as r; "
        "assert 'allo.contacts.models' not in sys.modules, 'contacts imported'; "
        "assert 'allo.backlog.models' not in sys.modules, 'backlog imported'; "
        "import importlib; [getattr(importlib.import_module(p.split(':')[0]), p.split(':')[1]) "
        "for p in r.PURGE_STEPS.values()]"
    )
    result = subprocess.run(  # noqa: S603 — fixed argv, our own interpreter
        [sys.executable, "-c", code], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
