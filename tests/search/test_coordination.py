"""Coordination: a fiche holding every typed word comes before one repeating a single word."""

from __future__ import annotations

import pytest

from allo.search.analysis import default_analyzer
from allo.search.index import build_index
from tests.search.document_helpers import bare_document as _doc

DOCS = [
    _doc("sejour", "Séjour de plus de 3 mois", "Le séjour de plus de 3 mois, puis 6 mois."),
    _doc("salaire", "Salaire, primes et avantages", "Primes de fin d'année, de 13e mois, etc."),
    _doc("visa", "Visa de long séjour", "Un visa pour un séjour de plus de 3 mois."),
    _doc("mois", "Mois sans tabac", "Un mois pour arrêter de fumer."),
]


def _search(coordination: float, limit: int = 10) -> list[str]:
    analyzer = default_analyzer()
    index, _counts, _analyses = build_index(analyzer, enumerate(DOCS))
    terms = [(analyzer.term("13eme"), 1.0), (analyzer.term("mois"), 1.0)]
    groups = [(t,) for t, _w in terms]
    hits = index.search(terms, limit=limit, groups=groups, coordination=coordination)
    return [DOCS[h.ord].id for h in hits]


def test_without_coordination_a_title_repeating_one_word_wins() -> None:
    # the situation the real queries showed (« 13eme mois »): plain sums favour the title
    assert _search(0.0)[0] != "salaire"


def test_with_coordination_the_fiche_holding_every_word_comes_first() -> None:
    ranked = _search(2.0)
    assert ranked[0] == "salaire"
    assert sorted(ranked) == sorted(d.id for d in DOCS)  # nothing lost, nothing duplicated


def test_coordination_is_exact_with_a_short_limit() -> None:
    # the conjunctive query finds the complete match even when the plain top 1 misses it
    assert _search(2.0, limit=1) == ["salaire"]


def test_a_term_standing_for_two_typed_words_counts_once() -> None:
    # « 1er mai » expands both typed words to « jour férié »: a complete match scores its plain
    # sum × (1 + coordination), never the shared term twice
    analyzer = default_analyzer()
    index, _counts, _analyses = build_index(analyzer, enumerate(DOCS))
    treize, mois, sejour = analyzer.term("13eme"), analyzer.term("mois"), analyzer.term("séjour")
    terms = [(treize, 1.0), (mois, 1.0), (sejour, 1.0)]
    plain = {h.ord: h.score for h in index.search(terms, limit=10)}
    coordinated = index.search(
        terms, limit=10, groups=[(treize, mois), (sejour, mois)], coordination=0.5
    )
    assert len(coordinated) == len(plain) == len(DOCS)  # every fiche says « mois »: complete
    for hit in coordinated:
        assert hit.lexical_score == pytest.approx(plain[hit.ord], rel=1e-5)
        assert hit.score == pytest.approx(plain[hit.ord] * 1.5, rel=1e-5)


def test_a_single_word_query_is_not_changed() -> None:
    analyzer = default_analyzer()
    index, _counts, _analyses = build_index(analyzer, enumerate(DOCS))
    terms = [(analyzer.term("mois"), 1.0)]
    plain = index.search(terms, limit=10)
    assert index.search(terms, limit=10, groups=[(terms[0][0],)], coordination=2.0) == plain


PHRASE_DOCS = [
    _doc("course", "Course à pied", "Organiser une course à pied sur la voie publique."),
    _doc("examen", "Mise en examen", "La mise en examen par le juge."),
    _doc("sanction", "Sanction disciplinaire", "Un avertissement, une mise à pied, un blâme."),
]


def _phrase_scores(phrase_weight: float) -> dict[str, float]:
    analyzer = default_analyzer()
    index, _counts, _analyses = build_index(analyzer, enumerate(PHRASE_DOCS))
    mise, pied = analyzer.term("mise"), analyzer.term("pied")
    hits = index.search(
        [(mise, 1.0), (pied, 1.0)],
        limit=10,
        phrases=[(mise, pied)],
        phrase_weight=phrase_weight,
    )
    return {PHRASE_DOCS[h.ord].id: h.score for h in hits}


def test_adjacent_words_side_by_side_in_the_body_add_to_the_score() -> None:
    # « mise a pied »: the stop word between them is not indexed, so the words are adjacent
    plain, phrased = _phrase_scores(0.0), _phrase_scores(1.0)
    assert phrased["sanction"] > plain["sanction"]
    # the words apart, or one of them only, gain nothing
    assert phrased["course"] == plain["course"]
    assert phrased["examen"] == plain["examen"]
    assert max(plain, key=plain.__getitem__) != "sanction"
    strong = _phrase_scores(3.0)
    assert max(strong, key=strong.__getitem__) == "sanction"
