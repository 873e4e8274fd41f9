"""The bundled sample: real content on first start, loaded once, holding what the demos need."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from allo.kb import bundled, services
from allo.kb.models import Fiche
from allo.runtime import Runtime

QUESTIONS = Path(__file__).resolve().parents[3] / "shared" / "eval" / "dev-questions.jsonl"


def test_sample_files_are_small_and_present() -> None:
    paths = bundled.sample_paths()
    assert [p.name for p in paths] == ["fiches-travail.json.xz", "vosdroits-echantillon.tar.xz"]
    assert sum(p.stat().st_size for p in paths) < 3.5e6


def test_loaded_once_with_whole_themes(runtime: Runtime, db: Session) -> None:
    messages: list[str] = []
    assert bundled.load_if_empty(runtime, messages.append) is None  # already loaded: untouched
    assert messages == []
    subjects = set(db.scalars(select(Fiche.subject).where(Fiche.kind == "fiche")))
    assert {
        "Papiers - Citoyenneté",
        "Travail",
        "Logement",
        "Famille",
        "Justice",
        "Argent",
    } <= subjects
    # carte grise and permis de conduire dossiers, with their fiches, and their breadcrumbs
    for dossier in ("N367", "N530", "N358", "N360"):
        fiche = services.get_fiche(db, dossier)
        children = [r["id"] for r in fiche.related if r["rel"] == "contenu"]
        held = {f.id for f in services.list_fiches(db, ids=children, limit=None)}
        assert held == set(children), dossier
    crumbs = {c["id"] for f in services.list_fiches(db, limit=None) for c in f.breadcrumb}
    assert {f.id for f in services.list_fiches(db, ids=sorted(crumbs), limit=None)} == crumbs


@pytest.mark.skipif(not QUESTIONS.exists(), reason="../shared/eval absent")
def test_every_fiche_the_dev_questions_expect_is_bundled(db: Session) -> None:
    expected = set()
    for line in QUESTIONS.read_text(encoding="utf-8").splitlines():
        if line.strip():
            expected.update(json.loads(line)["expected"])
    held = {f.id for f in services.list_fiches(db, ids=sorted(expected), limit=None)}
    assert held == expected
