"""Helpers for search tests: fiches written in the test's transaction, services built on them."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.orm import Session

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


@pytest.fixture
def make_service(runtime: Runtime) -> Callable[..., SearchService]:
    """A lexical service over the test's database (no analysis cache: each test starts cold)."""

    def _make(**options: Any) -> SearchService:
        options.setdefault("check_interval", 0.0)
        return SearchService(runtime.read_sessions, **options)

    return _make
