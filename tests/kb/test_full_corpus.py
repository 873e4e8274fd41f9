"""The full official corpus (../shared/data): counts after import, idempotent re-import, and every
publication rendered without any element reaching a generic fallback."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from allo.db.engine import make_engine
from allo.db.migrate import upgrade
from allo.db.session import make_session_factory, unit_of_work
from allo.kb import services
from allo.kb.importer import ImportReport
from allo.kb.models import Fiche
from allo.kb.render import KnownFiches
from allo.kb.render.api import render_html, render_text

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def full(
    make_database: Callable[[], str], shared_data: Path
) -> Iterator[tuple[sessionmaker[Session], ImportReport]]:
    engine = make_engine(make_database())
    upgrade(engine)
    factory = make_session_factory(engine)
    paths = [
        shared_data / "vosdroits-particuliers.zip",
        shared_data / "vosdroits-professionnels.zip",
        shared_data / "vosdroits-associations.zip",
        shared_data / "fiches-travail.json.gz",
    ]
    with unit_of_work(factory) as session:
        report = services.import_paths(session, paths)
    yield factory, report
    engine.dispose()


def test_full_import_counts(full: tuple[sessionmaker[Session], ImportReport]) -> None:
    factory, report = full
    assert report.ok and not report.warnings
    assert report.records == 4873 + 2477 + 241 + 269
    assert report.complete_feeds == ["particuliers", "professionnels", "associations", "travail"]
    with unit_of_work(factory) as session:
        by_prefix = Counter(fiche_id[0] for fiche_id in session.scalars(select(Fiche.id)))
        stats = services.stats(session)
    assert by_prefix["F"] + by_prefix["N"] == 3984  # distinct F/N fiches over the three exports
    assert by_prefix["R"] == 3196
    assert stats["total"] == report.new == 3984 + 3196 + 269
    assert stats["by_source"] == {"dila": 7180, "travail": 269}
    # every fiche's page body is rendered and stored by the import
    assert report.rendered == report.new


def test_reimport_of_the_full_corpus_changes_nothing(
    full: tuple[sessionmaker[Session], ImportReport], shared_data: Path
) -> None:
    factory, first = full
    with unit_of_work(factory) as session:
        version = services.kb_version(session)
        report = services.import_paths(
            session,
            [
                shared_data / "vosdroits-associations.zip",
                shared_data / "vosdroits-professionnels.zip",
                shared_data / "vosdroits-particuliers.zip",
                shared_data / "fiches-travail.json.gz",
            ],
        )
    assert (report.new, report.changed, report.removed) == (0, 0, 0)
    assert report.rendered == 0  # nothing changed, so no stored body is stale
    assert report.unchanged == first.new
    with unit_of_work(factory) as session:
        assert services.kb_version(session) == version


def test_every_publication_renders_without_fallback(
    full: tuple[sessionmaker[Session], ImportReport],
) -> None:
    factory, _ = full
    fallbacks: Counter[str] = Counter()
    with unit_of_work(factory) as session:
        links = KnownFiches(dict(session.execute(select(Fiche.id, Fiche.title)).all()))
        rendered = 0
        for fiche in session.scalars(select(Fiche).execution_options(yield_per=200)):
            html = render_html(fiche, links, fallbacks=fallbacks)
            render_text(fiche, links, fallbacks=fallbacks)
            # balanced, escaped markup (XML-parsable once the one named entity is spelled out)
            etree.fromstring(f"<root>{html.replace('&nbsp;', '&#160;')}</root>")
            rendered += 1
    assert rendered == 7449
    assert fallbacks == Counter(), f"elements rendered by the generic fallback: {fallbacks}"
