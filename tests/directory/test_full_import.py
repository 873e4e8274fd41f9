"""The whole DILA directory (../shared/data), imported into a fresh database."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from allo.db.engine import make_engine
from allo.db.migrate import upgrade
from allo.db.session import make_session_factory, unit_of_work
from allo.directory import repository as repo
from allo.directory.importer import import_communes, import_offices
from allo.directory.services import DirectoryService
from allo.runtime import Runtime
from allo.settings import Settings


@pytest.mark.slow
def test_full_import_of_the_61112_offices(
    make_database: Callable[[], str], shared_data: Path, test_settings: Settings
) -> None:
    engine = make_engine(make_database())
    upgrade(engine)
    factory = make_session_factory(engine)
    with unit_of_work(factory) as session:
        communes = import_communes(session, shared_data / "communes.json.gz")
        report = import_offices(session, shared_data / "annuaire-bdl-2017.tar.xz")
    assert communes.new == 37_590
    assert report.read == report.new == 61_112
    assert report.skipped == 0 and report.bad_files == []
    # The quirks the data is known for were met, repaired or reported, and the import went on.
    assert report.problems["coordonnées absentes"] >= 1_400
    assert report.fixes["apostrophe devant l'heure"] > 700
    assert report.fixes["heure au format AM/PM"] >= 3
    assert report.fixes["type vide déduit du nom"] == 2
    with unit_of_work(factory) as session:
        assert repo.count_offices(session) == 61_112
        counts = repo.office_count_by_type(session)
        assert counts["mairie"] == 36_036 + 1  # + the record whose empty type names a mairie
        assert "" not in counts

    directory = DirectoryService(Runtime.from_settings(test_settings, engine=engine))
    # With the full directory, a village has its own town hall.
    result = directory.find(None, "insee:02244", "mairie", "2026-12-22T10:00", 1)
    assert result["offices"][0]["insee"] == "02244"
    assert result["offices"][0]["match"] == "commune"
    engine.dispose()
