"""Knowledge-base test helpers: real DILA files (tests/kb/data, copied from the official exports),
archives built from them, and fresh empty databases for imports that must really commit."""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from allo.db.engine import make_engine
from allo.db.migrate import upgrade
from allo.db.session import make_session_factory

DATA = Path(__file__).parent / "data"
FEEDS = ("particuliers", "professionnels", "associations")


def _real_xml(feed: str, fiche_id: str) -> bytes:
    return (DATA / feed / f"{fiche_id}.xml").read_bytes()


def _feed_files(feed: str) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((DATA / feed).glob("*.xml"))}


@pytest.fixture
def kb_data() -> Path:
    """tests/kb/data: real publications, one folder per DILA export."""
    return DATA


@pytest.fixture
def real_xml() -> Callable[[str, str], bytes]:
    return _real_xml


@pytest.fixture
def feed_files() -> Callable[[str], dict[str, bytes]]:
    return _feed_files


@pytest.fixture
def make_zip(tmp_path: Path) -> Callable[[str, dict[str, bytes]], Path]:
    """Write a zip of named entries into the test's directory."""

    def _make(name: str, entries: dict[str, bytes]) -> Path:
        path = tmp_path / name
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for entry, data in entries.items():
                archive.writestr(entry, data)
        return path

    return _make


@pytest.fixture
def fresh_db(make_database: Callable[[], str]) -> Iterator[sessionmaker[Session]]:
    """A session factory on a new, migrated, empty database (imports commit for real)."""
    engine = make_engine(make_database())
    upgrade(engine)
    yield make_session_factory(engine)
    engine.dispose()
