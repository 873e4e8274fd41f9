"""Helpers for search tests: fiches written in the test's transaction, services built on them."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from allo.kb.models import Fiche
from allo.runtime import Runtime
from allo.search.service import SearchService


@pytest.fixture
def add_fiche(db: Session) -> Callable[..., Fiche]:
    """Write (or rewrite) a fiche and commit it (a savepoint of the test's transaction)."""

    def _add(fiche_id: str, title: str, **fields: Any) -> Fiche:
        fiche = db.get(Fiche, fiche_id) or Fiche(id=fiche_id)
        values: dict[str, Any] = {
            "source": "local",
            "kind": "fiche",
            "type_label": "Fiche pratique",
            "title": title,
            "description": "",
            "subject": "",
            "breadcrumb": [],
            "audiences": ["particuliers"],
            "url": f"https://example.test/{fiche_id}",
            "body": "",
            "body_format": "html",
            "text": "",
            "related": [],
            "services": [],
            "pivots": [],
            "contacts": [],
            "references": [],
        }
        values.update(fields)
        for key, value in values.items():
            setattr(fiche, key, value)
        fiche.content_hash = hashlib.sha256(repr(sorted(values.items())).encode()).hexdigest()
        db.add(fiche)
        db.commit()
        return fiche

    return _add


@pytest.fixture
def remove_fiche(db: Session) -> Callable[[str], None]:
    def _remove(fiche_id: str) -> None:
        fiche = db.get(Fiche, fiche_id)
        if fiche is not None:
            db.delete(fiche)
            db.commit()

    return _remove


@pytest.fixture(scope="session")
def analysis_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("search") / "analysis.json"


@pytest.fixture
def make_service(runtime: Runtime, analysis_path: Path) -> Callable[..., SearchService]:
    """A new service over the test's database (built from scratch; analyses cached on disk)."""

    def _make(**options: Any) -> SearchService:
        options.setdefault("check_interval", 0.0)
        options.setdefault("analysis_path", analysis_path)
        # missing passages (a fiche a test adds) are taken at once, not in a thread
        options.setdefault("background_embedding", False)
        return SearchService(runtime.read_sessions, **options)

    return _make


@pytest.fixture(scope="session")
def _shared_service(engine: Engine, analysis_path: Path) -> SearchService:
    return SearchService(
        sessionmaker(bind=engine),
        check_interval=0.0,
        analysis_path=analysis_path,
        background_embedding=False,
    )


@pytest.fixture
def search_service(_shared_service: SearchService, runtime: Runtime) -> SearchService:
    """The lexical service of the run, brought in step with this test's database state, and the
    one the app under test uses (built once: the bundled sample has ~2,000 fiches)."""
    _shared_service.sessions = runtime.read_sessions
    _shared_service.refresh(force=True)
    runtime.services["search"] = _shared_service
    return _shared_service
