"""`allo data sync`: fetch DILA's current exports, import them, record the change report — safe
to schedule daily (docs/DATA.md shows a systemd timer and a cron line).

Guarantees:

- **No overlap.** A run holds a file lock in the download folder (`sync.lock`, `flock`) and, on
  PostgreSQL, a session advisory lock, so two runs on two machines sharing the database never
  overlap either. A second run stops at once with a French message (`SyncBusy`).
- **All or nothing.** The fiches and the directory are imported in one transaction with the
  change report. A download failure, a truncated or unreadable file, an export the importer
  cannot read, or an export that would withdraw more than `ALLO_SYNC_MAX_WITHDRAWAL` % of a feed
  (or of the offices) rolls everything back (`SyncRefused`, which says why); the refusal is
  recorded as a report of its own, so the editors' watch shows it.
- **The previous state stays served** until the commit: readers see the old base during the
  import (one transaction), and the search index of every app worker follows the committed base
  (it polls `kb_version`); the after-import hooks (allo.kb.hooks) run after the commit.
- **Cheap when nothing changed.** An export whose content a previous sync imported (the server
  answered "not modified", or the same sha256) is not imported again; `force` imports it anyway.
  A refused file is never marked as imported: the next run tries it again.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import text

from allo.db.session import unit_of_work
from allo.errors import AlloError, Conflict
from allo.french import agreed, number_fr, plural
from allo.kb import changes, hooks
from allo.kb.fetch import (
    Downloader,
    Fetched,
    FetchError,
    ProgressCallback,
    exports,
    mark_imported,
)
from allo.kb.importer import ImportReport, Progress
from allo.kb.importer import import_paths as import_fiches
from allo.ops.metrics import track_run

#: arbitrary constant naming the sync lock on PostgreSQL (the import lock is 39390001)
SYNC_LOCK_KEY = 39390002
LOCK_FILE = "sync.lock"


class SyncBusy(Conflict):
    """Another sync holds the lock."""


class SyncRefused(AlloError):
    """The sync changed nothing; the message says why, in French."""

    status_code = 409


@dataclass
class SyncResult:
    fetched: list[Fetched]
    report_id: int
    message: str
    kb: ImportReport | None = None
    offices: Any = None
    #: exports left out because their content had not changed
    unchanged: list[str] = field(default_factory=list)


@contextmanager
def sync_lock(runtime: Any, folder: Path) -> Iterator[None]:
    """Hold the sync locks (file, and PostgreSQL advisory) for the whole run."""
    folder.mkdir(parents=True, exist_ok=True)
    busy = SyncBusy(
        "Une synchronisation est déjà en cours : celle-ci s'arrête sans rien changer. "
        "Réessayez quand elle sera terminée."
    )
    fd = os.open(folder / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise busy from None
        engine = runtime.engine
        if engine.dialect.name != "postgresql":
            yield
            return
        with engine.connect() as conn:
            got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": SYNC_LOCK_KEY})
            if not got.scalar():
                conn.rollback()
                raise busy
            conn.commit()
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": SYNC_LOCK_KEY})
                conn.commit()
    finally:
        os.close(fd)  # closing releases the flock


def _share(part: int, whole: int) -> float:
    return 100.0 * part / whole if whole else 0.0


def check_fiche_import(report: ImportReport, files: Sequence[Path], max_share: float) -> None:
    """Refuse an import of unreadable files or that withdraws too much of a feed."""
    whole_files = {str(p) for p in files} | {p.name for p in files}
    broken = [p for p in report.skipped if p.origin in whole_files]
    if broken:
        raise SyncRefused(f"Fichier illisible : {broken[0].origin} — {broken[0].message}.")
    if report.records and _share(len(report.skipped), report.records) > max_share:
        raise SyncRefused(
            f"{plural(len(report.skipped), 'fiche illisible', 'fiches illisibles')} sur "
            f"{number_fr(report.records)} : "
            "export probablement abîmé."
        )
    for feed, withdrawn in sorted(report.withdrawn_by_feed.items()):
        held = report.held_by_feed.get(feed, 0)
        if _share(withdrawn, held) > max_share:
            raise SyncRefused(
                f"L'export « {feed} » retirerait {plural(withdrawn, 'fiche')} sur {number_fr(held)} "
                f"({_share(withdrawn, held):.0f} %, au-delà de {max_share:g} %) : export "
                "probablement incomplet. Rien n'a été modifié."
            )


def check_office_import(
    report: Any, items: list[changes.ItemDraft], held: int, max_share: float
) -> None:
    bad_files = list(getattr(report, "bad_files", []) or [])
    if bad_files:
        raise SyncRefused(f"Annuaire : fichier illisible ({bad_files[0]}). Rien n'a été modifié.")
    withdrawn = sum(1 for i in items if i.action == "withdrawn")
    if _share(withdrawn, held) > max_share:
        raise SyncRefused(
            f"L'annuaire retirerait {plural(withdrawn, 'organisme')} sur {number_fr(held)} "
            f"({_share(withdrawn, held):.0f} %, au-delà de {max_share:g} %) : export "
            "probablement incomplet. Rien n'a été modifié."
        )


def run_sync(
    runtime: Any,
    folder: Path,
    *,
    audiences: Sequence[str] | None = None,
    directory: bool = True,
    force: bool = False,
    timeout: float = 60.0,
    download_progress: ProgressCallback | None = None,
    import_progress: Progress | None = None,
    workers: int | None = None,
) -> SyncResult:
    """Fetch, import and report (see the module docstring). Raises SyncBusy or SyncRefused."""
    settings = runtime.settings
    with sync_lock(runtime, folder), track_run("data_sync"):
        wanted = exports(settings, audiences, directory=directory)
        sources = [e.filename for e in wanted]
        try:
            fetched = Downloader(folder, timeout=timeout, progress=download_progress).fetch_all(
                wanted
            )
            result = _import(runtime, fetched, force, import_progress, workers)
            mark_imported(folder, fetched)  # committed: these contents are in the base
            return result
        except (FetchError, SyncRefused) as exc:
            with unit_of_work(runtime.sessions) as session:
                changes.record_refusal(session, "data-sync", exc.message, sources=sources)
            if isinstance(exc, FetchError):
                raise SyncRefused(exc.message) from None
            raise


def _import(
    runtime: Any,
    fetched: list[Fetched],
    force: bool,
    import_progress: Progress | None,
    workers: int | None,
) -> SyncResult:
    from allo.directory.importer import import_offices

    max_share = runtime.settings.sync_max_withdrawal
    todo = [f for f in fetched if force or not f.imported]
    unchanged = [f.export.filename for f in fetched if f not in todo]
    fiche_files = [f.path for f in todo if not f.export.is_directory]
    directory_files = [f.path for f in todo if f.export.is_directory]
    items: list[changes.ItemDraft] = []
    kb_report: ImportReport | None = None
    office_report: Any = None
    domains = []
    with unit_of_work(runtime.sessions) as session:
        if fiche_files:
            domains.append("fiche")
            kb_report = import_fiches(session, fiche_files, import_progress, workers=workers)
            check_fiche_import(kb_report, fiche_files, max_share)
            items += changes.fiche_items(kb_report.fiche_changes)
        for path in directory_files:
            domains.append("office")
            watch = changes.OfficeWatch.start(session)
            office_report = import_offices(session, path, workers=workers)
            office_items = watch.changes(session)
            check_office_import(office_report, office_items, len(watch.before), max_share)
            items += office_items
        message = changes.summary(changes.counts_of(items)) if items else ""
        if unchanged:
            message = (message + " " if message else "Aucun changement. ") + (
                f"{agreed(len(unchanged), 'Déjà importé, inchangé', 'Déjà importés, inchangés')} : "
                f"{', '.join(unchanged)}."
            )
        recorded = changes.record(
            session,
            "data-sync",
            items,
            sources=[f.export.filename for f in fetched],
            domains=domains,
            message=message,
        )
        report_id, message = recorded.id, recorded.message
    written = [c.fiche_id for c in (kb_report.fiche_changes if kb_report else []) if c.after]
    if written:
        hooks.run_after_import(runtime, written)
    return SyncResult(fetched, report_id, message, kb_report, office_report, unchanged)
