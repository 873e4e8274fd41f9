"""Knowledge-base use cases, called by the CLI, the API, the pages and the other domains.

Services never commit: the request or the command owns the transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Row
from sqlalchemy.orm import Session

from allo.errors import InvalidInput, NotFound
from allo.kb import repository, stored_html
from allo.kb.importer import ImportReport, Progress, default_workers
from allo.kb.importer import import_paths as _import_paths
from allo.kb.models import Fiche
from allo.kb.records import AUDIENCES
from allo.kb.render import KnownFiches, Rendered, render_fiche
from allo.kb.render.links import link_targets

MAX_LIST = 1000


def import_paths(
    session: Session,
    paths: Iterable[Path | str],
    progress: Progress | None = None,
    *,
    workers: int | None = None,
) -> ImportReport:
    """Import DILA zips/folders/XML files and travail-emploi JSON (see allo.kb.importer)."""
    from allo.ops.metrics import track_run

    with track_run("kb_import"):
        return _import_paths(session, paths, progress, workers=workers)


def store_rendered(session: Session, *, workers: int | None = None) -> int:
    """Render and store the HTML of every fiche without a current stored rendering (after an
    upgrade of Allo changed the renderer, or of a database imported before it was stored),
    without reading the exports again. Returns how many fiches were rendered."""
    repository.lock_for_import(session)
    count = default_workers() if workers is None else max(1, workers)
    return stored_html.refresh(session, [], [], workers=count)


def get_fiche(session: Session, fiche_id: str) -> Fiche:
    fiche = repository.get(session, fiche_id.strip()) if fiche_id else None
    if fiche is None:
        raise NotFound(f"Fiche introuvable : {fiche_id!r}.")
    return fiche


def get_page_fiche(session: Session, fiche_id: str) -> Row[Any]:
    """A fiche as a page shows it (metadata and stored HTML, not the source), in one query."""
    row = repository.page_row(session, fiche_id.strip()) if fiche_id else None
    if row is None:
        raise NotFound(f"Fiche introuvable : {fiche_id!r}.")
    return row


def fiche_html(session: Session, fiche: Any) -> str:
    """The body as the pages show it (links resolved, tabs and accordions laid out, see
    allo.kb.render.dsfr): stored by the import, or rendered now when missing or stale."""
    return stored_html.html_for(session, fiche)


def list_fiches(
    session: Session,
    *,
    source: str | None = None,
    kinds: Sequence[str] | None = None,
    audience: str | None = None,
    ids: Sequence[str] | None = None,
    limit: int | None = 100,
    offset: int = 0,
) -> list[Fiche]:
    """Fiches ordered by ID; `limit=None` returns them all (the search index builds from this)."""
    if audience is not None and audience not in AUDIENCES:
        raise InvalidInput(f"Audience inconnue : {audience!r} (attendu : {', '.join(AUDIENCES)}).")
    if limit is not None and not 0 < limit <= MAX_LIST:
        raise InvalidInput(f"La limite doit être comprise entre 1 et {MAX_LIST}.")
    if offset < 0:
        raise InvalidInput("Le décalage ne peut pas être négatif.")
    return repository.list_fiches(
        session, source=source, kinds=kinds, audience=audience, ids=ids, limit=limit, offset=offset
    )


def stats(session: Session) -> dict[str, Any]:
    """`total` counts distinct fiches; a fiche published for several audiences counts in each."""
    counts = repository.counts(session)
    return {
        "total": sum(counts["source"].values()),
        "by_source": dict(sorted(counts["source"].items())),
        "by_audience": dict(sorted(counts["audience"].items())),
        "by_type": dict(sorted(counts["type"].items())),
        "by_kind": dict(sorted(counts["kind"].items())),
    }


def answer_count(session: Session) -> int:
    """How many fiches answer a question themselves (what the portal announces)."""
    from allo.kb.kinds import ANSWER_KINDS

    return repository.count_kinds(session, ANSWER_KINDS)


def kb_version(session: Session) -> str:
    """Changes whenever a fiche is added, changed or removed (count + latest update time)."""
    total, latest = repository.version_parts(session)
    stamp = latest.isoformat() if latest is not None else "-"
    return f"{total}:{stamp}"


def link_resolver(session: Session, fiche: Fiche) -> KnownFiches:
    """Which of the publications this fiche links to we hold (one query), with their titles."""
    targets = link_targets(fiche.related, fiche.breadcrumb)
    return KnownFiches(repository.titles(session, targets))


def render(session: Session, fiche: Fiche) -> Rendered:
    """HTML and text of a fiche, its links resolved to our pages when we hold the target."""
    return render_fiche(fiche, link_resolver(session, fiche))


def titles(session: Session, ids: Iterable[str]) -> dict[str, str]:
    return repository.titles(session, ids)
