"""IDF blending: a word common in the fiches' text but rare in titles does not outweigh a fiche
holding every typed word (the real queries' « lettre avertissement », « mise à pied »)."""

from __future__ import annotations

import math

import pytest

from allo.search.analysis import default_analyzer
from allo.search.index import build_index
from tests.search.document_helpers import bare_document as _doc

DOCS = [
    _doc("recommandee", "Lettre recommandée électronique", "Envoyer une lettre recommandée."),
    _doc(
        "sanction",
        "Sanctions disciplinaires",
        "L'employeur adresse une lettre d'avertissement : l'avertissement est une sanction.",
    ),
    *(
        _doc(f"demarche{i}", f"Démarche numéro {i}", f"Un modèle de lettre pour la démarche {i}.")
        for i in range(20)
    ),
]


@pytest.fixture(scope="module")
def built() -> tuple[object, list[tuple[str, float]]]:
    analyzer = default_analyzer()
    index, _counts, _analyses = build_index(analyzer, enumerate(DOCS))
    terms = [(analyzer.term("lettre"), 1.0), (analyzer.term("avertissement"), 1.0)]
    return index, terms


def _ranked(built: tuple[object, list[tuple[str, float]]], blend: float) -> list[str]:
    index, terms = built
    hits = index.search(terms, limit=5, idf_blend=blend)  # type: ignore[attr-defined]
    return [DOCS[h.ord].id for h in hits]


def test_per_field_idf_lets_a_title_holding_one_common_word_win(built: tuple) -> None:
    assert _ranked(built, 0.0)[0] == "recommandee"


@pytest.mark.parametrize("blend", [0.5, 1.0])
def test_blended_idf_puts_the_fiche_holding_every_word_first(built: tuple, blend: float) -> None:
    ranked = _ranked(built, blend)
    assert ranked[0] == "sanction"
    assert "recommandee" in ranked  # demoted, not lost


def test_scales_follow_the_bm25_idf_of_each_field(built: tuple) -> None:
    index, terms = built
    term = terms[0][0]
    total = len(DOCS)

    def idf(df: int) -> float:
        return math.log(1 + (total - df + 0.5) / (df + 0.5))

    scales = index._idf_scales(term, 1.0)  # type: ignore[attr-defined]
    assert set(scales) == {"title", "body"}  # the fields holding the word only
    assert scales["body"] == pytest.approx(1.0)  # its most common field
    assert scales["title"] == pytest.approx(idf(total) / idf(1))
    half = index._idf_scales(term, 0.5)  # type: ignore[attr-defined]
    assert half["title"] == pytest.approx(math.sqrt(scales["title"]))


def test_scales_are_recomputed_after_the_index_changes() -> None:
    analyzer = default_analyzer()
    index, _counts, _analyses = build_index(analyzer, enumerate(DOCS[:3]))
    term = analyzer.term("lettre")
    before = index._idf_scales(term, 1.0)["title"]
    index.add(len(DOCS), _doc("autre", "Lettre de motivation", "Une lettre."))
    index.commit()
    assert index._idf_scales(term, 1.0)["title"] != pytest.approx(before)
