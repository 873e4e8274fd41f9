"""Exact forms: a fiche whose text writes the very word typed scores a little above one sharing
only its stem (« licenciement » against « licencié », both « licenci »)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from allo.search import analysis_cache
from allo.search.analysis import default_analyzer
from allo.search.index import TEXT_FIELDS, Analyzed, build_index, exact_form, exact_text
from allo.search.lexicon import default_lexicon
from allo.search.query import QueryParser
from tests.search.document_helpers import bare_document as _doc
from tests.search.test_query import VOCABULARY

DOCS = [
    _doc("stem", "Salarié licencié", "Le salarié licencié reçoit ses documents de fin de contrat."),
    _doc(
        "exact", "Fin du contrat", "Le licenciement ouvre droit à des documents de fin de contrat."
    ),
    *(_doc(f"autre{i}", f"Démarche {i}", f"Une démarche numéro {i}.") for i in range(10)),
]


def test_an_exact_form_is_folded_not_stemmed() -> None:
    assert exact_form("Licenciement") == "licenciement"
    assert exact_form("préavis") == "preavis" and exact_form("œuvre") == "oeuvre"
    # numbers and codes: their index term is exact already (« 13ème » is « 13e » both ways)
    assert exact_form("13ème") == "" and exact_form("l1237") == ""


def test_a_text_s_exact_forms_keep_its_order_and_counts_without_stop_words() -> None:
    text = exact_text(
        default_analyzer().analyze("Le licenciement d'un salarié, et le licenciement : 2 mois")
    )
    assert text.split() == ["licenciement", "salarie", "licenciement", "mois"]


def test_the_fiche_writing_the_typed_word_comes_first() -> None:
    analyzer = default_analyzer()
    index, _counts, _analyses = build_index(analyzer, enumerate(DOCS))
    assert analyzer.term("licenciement") == analyzer.term("licencié")  # one stem for both
    terms = [(analyzer.term("licenciement"), 1.0)]

    def ranked(weight: float) -> list[str]:
        hits = index.search(terms, limit=2, exact=["licenciement"], exact_weight=weight)
        return [DOCS[h.ord].id for h in hits]

    assert ranked(0.0)[0] == "stem"  # the stem in the title wins without exact forms
    assert ranked(5.0) == ["exact", "stem"]
    # only what was typed counts: a form no fiche writes changes nothing
    plain = index.search(terms, limit=2)
    other = index.search(terms, limit=2, exact=["licencie"], exact_weight=0.7)
    assert [h.ord for h in other] == [h.ord for h in plain]
    assert other[0].score > plain[0].score  # « licencié » is written by « stem »


def test_exact_forms_survive_the_analysis_cache(tmp_path: Path) -> None:
    analyzed = Analyzed(("t",) * len(TEXT_FIELDS), "mot", "licenciement salarie")
    path = analysis_cache.cache_path(tmp_path)
    analysis_cache.save(path, {"fp": analyzed}, Counter({"mot": 1}))
    assert analysis_cache.load(path).analyses["fp"].exact == "licenciement salarie"


@pytest.mark.parametrize(
    ("text", "exact"),
    [
        ("licensiement employeur", ["licenciement", "employeur"]),  # a typo: its correction
        ("Congé paternité", ["conge", "paternite"]),
        ("13ème mois", ["mois"]),
        ("apl", ["apl"]),  # what was typed, not the lexicon's expansion
    ],
)
def test_a_query_s_exact_forms_are_what_was_typed(text: str, exact: list[str]) -> None:
    analyzer = default_analyzer()
    known = {analyzer.term(w) for w in VOCABULARY.canonical.values()}
    parser = QueryParser(analyzer, default_lexicon(), VOCABULARY, term_exists=known.__contains__)
    assert parser.parse(text).exact == exact
