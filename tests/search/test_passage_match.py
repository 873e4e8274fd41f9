"""Choosing the passage and cutting its snippet: the same answers from stored (packed) terms as
from freshly extracted ones, and snippets of long sections cut around their densest matches."""

from __future__ import annotations

import re

from allo.kb.render.dsfr import layout
from allo.search.analysis import default_analyzer
from allo.search.passage_match import SNIPPET_WORDS, rank, snippet_html
from allo.search.passages import PackedTerms, decode, encode, extract

BODY = """
<section class="allo-chapitre" id="s1"><h2 id="s1-t">Démission</h2>
<p>Le salarié qui démissionne respecte un préavis.</p>
<section class="allo-situation" aria-labelledby="c1"><h3 id="c1">En CDI</h3>
<p>Le préavis de démission dure un mois.</p></section>
<section class="allo-situation" aria-labelledby="c2"><h3 id="c2">En CDD</h3>
<p>Pas de démission possible, sauf rupture anticipée.</p></section></section>
<section class="allo-chapitre" id="s2"><h2 id="s2-t">Licenciement</h2>
<p>L'employeur convoque le salarié à un entretien préalable.</p></section>
"""


def _terms(text: str) -> list[tuple[str, float]]:
    return [(t, 1.0) for t in default_analyzer().terms(text)]


def test_stored_passages_rank_as_extracted_ones() -> None:
    analyzer = default_analyzer()
    extracted = extract(layout(BODY), analyzer)
    stored = decode(encode(extracted))
    assert all(isinstance(p.terms, PackedTerms) for p in stored)
    for query in ("préavis de démission en CDI", "entretien préalable", "rupture", "tartiflette"):
        assert [p.anchor for p in rank(stored, _terms(query))] == [
            p.anchor for p in rank(extracted, _terms(query))
        ]
    assert rank(stored, _terms("entretien préalable"))[0].anchor == "s2-t"


def test_a_long_sections_snippet_is_cut_around_its_densest_matches() -> None:
    analyzer = default_analyzer()
    filler = " ".join(f"mot{i}" for i in range(600))
    text = (
        f"Démocratie et préavis. {filler} Démission : le préavis de démission d'un salarié "
        f"démissionnaire. {filler}"
    )
    terms = {t for t, _ in _terms("préavis de démission")}
    snippet = snippet_html(text, terms, analyzer)
    assert snippet.startswith("… ") and snippet.endswith(" …")
    # the capitalised and the lower-case forms are marked, a word sharing only the first
    # letters is not, and the lone early match does not win over the dense run
    assert "<mark>Démission</mark>" in snippet and "<mark>démission</mark>" in snippet
    assert snippet.count("<mark>préavis</mark>") == 1 and "Démocratie" not in snippet
    assert len(re.sub(r"<[^>]+>", "", snippet).split()) <= SNIPPET_WORDS + 2


def test_without_a_match_the_snippet_is_the_beginning() -> None:
    analyzer = default_analyzer()
    text = "Premier mot. " + " ".join(f"mot{i}" for i in range(600))
    snippet = snippet_html(text, {"tartiflet"}, analyzer)
    assert snippet.startswith("Premier mot.") and snippet.endswith(" …") and "<mark>" not in snippet
