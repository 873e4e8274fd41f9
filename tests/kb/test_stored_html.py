"""Rendered bodies stored by the import: equal to a fresh rendering, and kept current when a
linked fiche changes title or the renderer changes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from allo.db.session import unit_of_work
from allo.kb import repository, services, stored_html
from allo.kb.models import Fiche
from allo.kb.render import render_html
from allo.kb.render.dsfr import layout

STALE = "<p>périmé</p>"


def _import(factory: sessionmaker[Session], *paths: Path) -> int:
    with unit_of_work(factory) as session:
        report = services.import_paths(session, list(paths), workers=1)
    assert report.ok, report.skipped
    return report.rendered


def _stored(factory: sessionmaker[Session]) -> dict[str, tuple[str | None, str | None]]:
    with unit_of_work(factory) as session:
        rows = session.execute(select(Fiche.id, Fiche.html, Fiche.html_renderer))
        return {fiche_id: (html, renderer) for fiche_id, html, renderer in rows}


def _mark_stale(factory: sessionmaker[Session], **values: str | None) -> None:
    with unit_of_work(factory) as session:
        session.execute(update(Fiche).values(**values))


def test_import_stores_the_rendering_the_pages_would_make(
    fresh_db: sessionmaker[Session], kb_data: Path
) -> None:
    rendered = _import(fresh_db, kb_data / "particuliers")
    stored = _stored(fresh_db)
    assert rendered == len(stored) > 5
    with unit_of_work(fresh_db) as session:
        for fiche_id, (html, renderer) in stored.items():
            fiche = services.get_fiche(session, fiche_id)
            assert renderer == stored_html.RENDERER
            expected = layout(render_html(fiche, services.link_resolver(session, fiche)))
            assert html == expected, fiche_id
    # links to a fiche we hold go to our page, the others to service-public.fr
    assert 'href="/fiches/F1342"' in (stored["N358"][0] or "")
    assert "/vosdroits/F1341" in (stored["N358"][0] or "")


def test_title_change_rerenders_the_fiches_linking_to_it(
    fresh_db: sessionmaker[Session],
    kb_data: Path,
    real_xml: Callable[[str, str], bytes],
    tmp_path: Path,
) -> None:
    _import(fresh_db, kb_data / "particuliers")
    _mark_stale(fresh_db, html=STALE)
    renamed = real_xml("particuliers", "N358").replace(
        b"<dc:title>Carte d'identit\xc3\xa9</dc:title>", b"<dc:title>Carte nationale</dc:title>"
    )
    assert b"Carte nationale" in renamed
    (tmp_path / "N358.xml").write_bytes(renamed)
    _import(fresh_db, tmp_path / "N358.xml")
    stored = _stored(fresh_db)
    # N358 itself and F1342 (its breadcrumb names N358) are rendered again…
    assert stored["N358"][0] != STALE
    assert stored["F1342"][0] != STALE
    with unit_of_work(fresh_db) as session:
        fiche = services.get_fiche(session, "F1342")
        expected = layout(render_html(fiche, services.link_resolver(session, fiche)))
        assert stored["F1342"][0] == expected
    # …a fiche that does not link to N358 is left as it is
    assert stored["R1343"][0] == STALE


def test_a_fiche_that_appears_turns_links_to_it_into_links_to_our_page(
    fresh_db: sessionmaker[Session], kb_data: Path, tmp_path: Path
) -> None:
    first, later = tmp_path / "sans-F1342", tmp_path / "F1342"
    first.mkdir()
    later.mkdir()
    for path in (kb_data / "particuliers").glob("*.xml"):
        target = later if path.name == "F1342.xml" else first
        (target / path.name).write_bytes(path.read_bytes())
    _import(fresh_db, first)
    before = _stored(fresh_db)["N358"][0] or ""
    assert "/vosdroits/F1342" in before and 'href="/fiches/F1342"' not in before
    _import(fresh_db, later)
    after = _stored(fresh_db)["N358"][0] or ""
    assert 'href="/fiches/F1342"' in after and "/vosdroits/F1342" not in after


def test_a_renderer_change_rerenders_everything_on_the_next_import(
    fresh_db: sessionmaker[Session], kb_data: Path
) -> None:
    _import(fresh_db, kb_data / "particuliers")
    _mark_stale(fresh_db, html=STALE, html_renderer="ancien")
    assert _import(fresh_db, kb_data / "particuliers") == len(_stored(fresh_db))
    assert all(
        html != STALE and renderer == stored_html.RENDERER
        for html, renderer in _stored(fresh_db).values()
    )


@pytest.mark.parametrize("renderer", [None, "ancien"])
def test_pages_render_on_the_fly_without_a_current_stored_body(
    fresh_db: sessionmaker[Session], kb_data: Path, renderer: str | None
) -> None:
    _import(fresh_db, kb_data / "particuliers")
    _mark_stale(fresh_db, html=STALE if renderer else None, html_renderer=renderer)
    with unit_of_work(fresh_db) as session:
        row = repository.page_row(session, "F1342")
        assert row is not None
        fiche = services.get_fiche(session, "F1342")
        expected = layout(render_html(fiche, services.link_resolver(session, fiche)))
        assert services.fiche_html(session, row) == expected
        assert services.fiche_html(session, fiche) == expected
