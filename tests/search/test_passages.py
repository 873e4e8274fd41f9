"""The passage that answers: extraction from the rendered body, scoring, snippets, API and pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from allo.kb.render.dsfr import layout
from allo.kb.stored_html import RENDERER
from allo.search.analysis import default_analyzer
from allo.search.passage_match import match, rank, snippet_html
from allo.search.passages import extract
from allo.search.service import SearchHit, SearchService

RARE = "zorglubien"

#: the renderer's output for a fiche with a chapter, two situations and cases (allo.kb.render)
BODY = """
<section class="allo-chapitre" id="section-1"><h2>Qui est concerné ?</h2>
<p>Tout titulaire d'un contrat de travail.</p></section>
<section class="allo-chapitre" id="section-2"><h2>Préavis</h2>
<div class="allo-situations"><p class="allo-situations__consigne">La réponse dépend (2 cas) :</p>
<ul class="allo-situations__sommaire"><li><a href="#situation-1">Vous êtes salarié</a></li>
<li><a href="#situation-2">Vous êtes employeur</a></li></ul>
<section class="allo-situation" aria-labelledby="situation-1">
<h3 id="situation-1" class="allo-situation__titre"><span class="allo-situation__numero">Situation 1 sur 2 : </span>Vous êtes salarié</h3>
<div class="allo-cas-bloc" data-cas="2">
<section class="allo-cas" aria-labelledby="cas-1"><h4 id="cas-1" class="allo-cas__titre"><span class="allo-cas__prefixe">Cas : </span>En CDD</h4>
<p>Le contrat prend fin à son terme.</p></section>
<section class="allo-cas" aria-labelledby="cas-2"><h4 id="cas-2" class="allo-cas__titre"><span class="allo-cas__prefixe">Cas : </span>En CDI</h4>
<p>Le préavis de démission dure 1 mois &lt;script&gt; selon la convention.</p></section>
</div></section>
<section class="allo-situation" aria-labelledby="situation-2">
<h3 id="situation-2" class="allo-situation__titre"><span class="allo-situation__numero">Situation 2 sur 2 : </span>Vous êtes employeur</h3>
<p>L'employeur respecte le préavis de licenciement.</p></section>
</div></section>
<section class="allo-annexe allo-section-ousadresser"><section class="allo-chapitre" id="section-3">
<h3>Par téléphone</h3><p>3939 préavis</p></section></section>
"""


@pytest.fixture(scope="module")
def rendered() -> str:
    return layout(BODY)


def test_extract_gives_sections_situations_and_cases_with_their_path(rendered: str) -> None:
    passages = extract(rendered, default_analyzer())
    assert [(p.anchor, p.path_label) for p in passages] == [
        ("section-1", "Qui est concerné ?"),
        ("section-2", "Préavis"),
        ("situation-1", "Préavis › Vous êtes salarié"),
        ("cas-1", "Préavis › Vous êtes salarié › En CDD"),
        ("cas-2", "Préavis › Vous êtes salarié › En CDI"),
        ("situation-2", "Préavis › Vous êtes employeur"),
    ]  # the office card (annex) is not a passage
    cdi = passages[4]
    assert "1 mois" in cdi.text and "CDD" not in cdi.text
    assert "1 mois" in passages[2].text  # a situation holds the text of its cases
    assert extract("", default_analyzer()) == []
    assert extract("<p>sans section</p>", default_analyzer()) == []


def test_rank_prefers_the_case_that_matches(rendered: str) -> None:
    analyzer = default_analyzer()
    passages = extract(rendered, analyzer)
    query = [(t, 1.0) for t in analyzer.terms("préavis de démission d'un salarié en CDI")]
    assert rank(passages, query)[0].anchor == "cas-2"
    query = [(t, 1.0) for t in analyzer.terms("préavis de licenciement de l'employeur")]
    assert rank(passages, query)[0].anchor == "situation-2"
    assert rank(passages, [(t, 1.0) for t in analyzer.terms("tartiflette")]) == []


def test_snippet_is_escaped_and_marks_the_query_words() -> None:
    analyzer = default_analyzer()
    terms = set(analyzer.terms("préavis démission"))
    html = snippet_html("Le préavis de <b>démission</b> & co.", terms, analyzer)
    assert html == "Le <mark>préavis</mark> de &lt;b&gt;<mark>démission</mark>&lt;/b&gt; &amp; co."
    long = " ".join(["mot"] * 80 + ["préavis"] + ["fin"] * 80)
    cut = snippet_html(long, terms, analyzer)
    assert cut.startswith("… ") and cut.endswith(" …") and "<mark>préavis</mark>" in cut
    assert len(cut.split()) < 40


def test_match_returns_anchor_path_and_escaped_snippet(rendered: str) -> None:
    analyzer = default_analyzer()
    found = match(
        extract(rendered, analyzer), [(t, 1.0) for t in analyzer.terms("démission CDI")], analyzer
    )
    assert found is not None
    assert found.anchor == "cas-2"
    assert found.path == "Préavis › Vous êtes salarié › En CDI"
    assert "<mark>démission</mark>" in found.snippet_html
    assert "&lt;script&gt;" in found.snippet_html and "<script>" not in found.snippet_html


def _hit(hits: list[SearchHit]) -> SearchHit:
    return next(h for h in hits if h.id == "L9301")


@pytest.fixture
def fiche(add_fiche: Callable[..., Any], rendered: str) -> None:
    add_fiche(
        "L9301",
        f"Contrat {RARE} : le préavis",
        description="Durée du préavis.",
        text=f"{RARE} préavis démission CDI CDD licenciement employeur",
        html=rendered,
        html_renderer=RENDERER,
    )


def test_service_hits_carry_their_passage(
    search_service: SearchService, fiche: None, add_fiche: Callable[..., Any], rendered: str
) -> None:
    hit = _hit(search_service.search(f"{RARE} démission CDI", 20))
    assert hit.passage is not None and hit.passage.anchor == "cas-2"
    assert _hit(search_service.search(f"{RARE} démission", 20, passages=False)).passage is None
    # a new version of the fiche gives new passages (not the ones kept for the old one)
    add_fiche(
        "L9301",
        f"Contrat {RARE} : le préavis",
        description="Durée du préavis.",
        text=f"{RARE} préavis démission permanent",
        html=rendered.replace("En CDI", "En contrat permanent"),
        html_renderer=RENDERER,
    )
    search_service.refresh(force=True)
    hit = _hit(search_service.search(f"{RARE} démission permanent", 20))
    assert hit.passage is not None and hit.passage.path.endswith("En contrat permanent")


def test_api_returns_the_passage(client: Any, search_service: SearchService, fiche: None) -> None:
    body = client.get("/api/search", params={"q": f"{RARE} démission CDI", "limit": 20}).json()
    first = next(r for r in body["results"] if r["id"] == "L9301")
    assert first["passage"]["anchor"] == "cas-2"
    assert first["passage"]["path"] == "Préavis › Vous êtes salarié › En CDI"
    assert "<mark>démission</mark>" in first["passage"]["snippet_html"]
    assert "<script>" not in first["passage"]["snippet_html"]


def test_portal_results_show_the_passage_and_link_to_it(
    client: Any, search_service: SearchService, fiche: None
) -> None:
    page = client.get("/recherche", params={"q": f"{RARE} {RARE} préavis démission CDI"}).text
    assert 'href="/fiches/L9301#cas-2"' in page
    assert "Préavis › Vous êtes salarié › En CDI" in page
    assert "<mark>démission</mark>" in page
    assert "&lt;script&gt;" in page
    assert '<script src="/static/passage.js" defer></script>' in page


def test_a_heading_never_runs_into_the_text_that_follows() -> None:
    html = (
        '<section class="allo-chapitre" id="s1"><h2 id="s1-t">Perte</h2>'
        "<div><p>Vous êtes<strong>salarié</strong></p><ul><li>un</li><li>deux</li></ul></div>"
        "</section>"
    )
    (passage,) = extract(html, default_analyzer())
    assert passage.text == "Perte Vous êtessalarié un deux"  # inline elements stay glued
