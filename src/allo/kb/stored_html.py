"""Fiche bodies rendered to HTML once, by the import, and stored with the fiche.

Why: a page showing a fiche for the first time would otherwise parse its DILA XML, look up the
titles of the fiches it links to and render it, which was most of its server time. The knowledge
base changes only through the import, so the import renders the fiches it writes, and re-renders
the fiches whose links change meaning: a fiche they link to appears, goes or changes title (links
to fiches we hold point to our pages and may show their titles). `RENDERER` fingerprints the
rendering code: HTML made by another version is stale and re-rendered by the next import, and
readers render on the fly meanwhile (`html_for`), so a stored body is never out of date.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from sqlalchemy.orm import Session

from allo.kb import repository
from allo.kb.render import KnownFiches, render_html
from allo.kb.render.dsfr import layout
from allo.kb.render.links import link_targets
from allo.parallel import fork_map


def _fingerprint() -> str:
    """Hash of the rendering code's sources (this module's included): changes whenever the
    stored HTML may change."""
    package = Path(__file__).parent
    files = sorted((package / "render").glob("*.py"))
    files += [package / "elements.py", package / "safexml.py", Path(__file__)]
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


RENDERER = _fingerprint()


def render_body(fiche_id: str, body: str, body_format: str, held: Mapping[str, str] | None) -> str:
    """`held`: titles of the linked fiches the knowledge base holds (the others link out)."""
    fiche = SimpleNamespace(id=fiche_id, body=body, body_format=body_format)
    return layout(render_html(fiche, KnownFiches(dict(held or {}))))


def _render_job(job: tuple[str, str, str, dict[str, str]]) -> str:
    return render_body(*job)


def render_all(jobs: Sequence[tuple[str, str, str, dict[str, str]]], workers: int) -> list[str]:
    """Render (id, body, format, held titles) jobs, in `workers` forked processes when many."""
    return fork_map(_render_job, jobs, workers)


def refresh(
    session: Session,
    written: list[dict[str, Any]],
    deleted: Iterable[str],
    *,
    workers: int = 1,
) -> int:
    """Render the rows an import is about to write (`html` and `html_renderer` are set in the
    dicts) and store new HTML for every other fiche whose stored HTML is stale or missing.
    Returns how many fiches were rendered."""
    graph = repository.link_graph(session)
    gone = set(deleted)
    titles = {fiche_id: row.title for fiche_id, row in graph.items() if fiche_id not in gone}
    changed = set(gone)
    for row in written:
        before = graph.get(row["id"])
        if before is None or before.title != row["title"]:
            changed.add(row["id"])
        titles[row["id"]] = row["title"]
    fresh = {row["id"] for row in written}

    def held(targets: set[str]) -> dict[str, str]:
        return {t: titles[t] for t in targets if t in titles}

    stale = [
        fiche_id
        for fiche_id, row in graph.items()
        if fiche_id not in fresh
        and fiche_id not in gone
        and (row.html_renderer != RENDERER or not changed.isdisjoint(row.targets))
    ]
    sources = repository.render_sources(session, stale)
    jobs = [
        (r["id"], r["body"], r["body_format"], held(link_targets(r["related"], r["breadcrumb"])))
        for r in written
    ]
    jobs += [
        (s.id, s.body, s.body_format, held(link_targets(s.related, s.breadcrumb))) for s in sources
    ]
    html = render_all(jobs, workers)
    for row, rendered in zip(written, html, strict=False):
        row["html"] = rendered
        row["html_renderer"] = RENDERER
    repository.set_html(
        session,
        [
            {"id": job[0], "html": rendered, "html_renderer": RENDERER}
            for job, rendered in zip(jobs[len(written) :], html[len(written) :], strict=True)
        ],
    )
    return len(jobs)


def html_for(session: Session, fiche: Any) -> str:
    """The fiche's body as the pages show it: the stored rendering when current, else rendered
    now (a fiche imported before its HTML was stored, or by an older renderer)."""
    if getattr(fiche, "html_renderer", None) == RENDERER:
        stored = getattr(fiche, "html", None)
        if stored is not None:
            return str(stored)
    if not hasattr(fiche, "body"):
        fiche = repository.get(session, fiche.id)
    targets = link_targets(fiche.related, fiche.breadcrumb)
    return render_body(fiche.id, fiche.body, fiche.body_format, repository.titles(session, targets))
