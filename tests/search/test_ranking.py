"""Ranking sanity on the bundled sample (real fiches): how people ask → the fiche that answers.

None of these questions is in the development set; each names what a good first page must hold.
"""

from __future__ import annotations

import re

import pytest

from allo.search.analysis import fold
from allo.search.service import SearchService

CASES = [
    # (question as typed, pattern the title of one of the first 3 results must match)
    ("renouveler mon passeport", r"renouvellement du passeport"),
    ("demande de logement social", r"demande de logement social"),
    ("rupture conventionnelle", r"^rupture conventionnelle"),
    ("apl", r"aide personnalisee au logement"),
    ("extrait de casier judiciaire", r"extrait de casier judiciaire"),
    ("carte grise perdue", r"perte.*carte grise"),
    ("changement d'adresse carte grise", r"adresse.*carte grise"),
    ("permis de conduire perdu", r"perte du permis"),
    ("smic", r"smic"),
    # missing accents, typos, citizens' words
    ("conge parental", r"conge parental"),
    ("licensiement economique", r"licenciement economique"),
    ("je me suis fait virer", r"licenciement"),
    ("PACS", r"pacs"),
]


@pytest.mark.parametrize(("question", "pattern"), CASES)
def test_the_answer_is_on_the_first_lines(
    search_service: SearchService, question: str, pattern: str
) -> None:
    titles = [fold(h.title) for h in search_service.search(question, limit=3)]
    assert any(re.search(pattern, t) for t in titles), titles


def test_a_fiche_is_found_by_its_exact_title(search_service: SearchService) -> None:
    docs = [d for d in search_service.documents() if d.kind in ("fiche", "question")]
    sample = docs[:: max(1, len(docs) // 40)]
    misses = [
        d.title for d in sample if d.id not in [h.id for h in search_service.search(d.title, 3)]
    ]
    assert len(misses) <= len(sample) // 10, misses


def test_audience_filter_on_real_fiches(search_service: SearchService) -> None:
    for audience in ("particuliers", "professionnels"):
        hits = search_service.search("licenciement", limit=20, audience=audience)
        assert hits and all(audience in h.audiences for h in hits)
        assert len({h.id for h in hits}) == len(hits)


def test_suggestions_on_real_titles(search_service: SearchService) -> None:
    titles = [fold(s.title) for s in search_service.suggest("carte gr")]
    assert titles and all("carte gr" in t for t in titles)
    assert titles[0].startswith("carte grise")
    questions = search_service.suggest("peut-on ")
    assert questions and all(fold(s.title).startswith("peut-on") for s in questions)
    assert {s.kind for s in questions} == {"question"}
    assert search_service.suggest("xqzw") == []
    assert len(search_service.suggest("c", limit=5)) == 5
    # as typed: without accents, and with a word not finished yet
    assert any("conge parental" in fold(s.title) for s in search_service.suggest("conge paren"))
