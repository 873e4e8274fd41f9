"""Rendering real publications: every element family, conditional cases, links, escaping."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from lxml import etree

from allo.kb.elements import KNOWN
from allo.kb.render import KnownFiches, render_html, render_text
from allo.kb.render.dila_html import render_html_element
from allo.kb.render.dila_text import render_text_element
from allo.kb.render.html_body import html_to_text, sanitize_html
from allo.kb.safexml import parse_xml

DATA = Path(__file__).parent / "data"
#: one folder per export, plus the schema 3.4 publications (and two 3.3 ones of the same period)
FILES = sorted(DATA.glob("*/*.xml")) + sorted(DATA.glob("schema-3.4/*/*.xml"))


class Body:
    """The two fields the renderers read, as a Fiche has them."""

    def __init__(self, body: str, body_format: str = "dila-xml", fiche_id: str = "F1") -> None:
        self.id = fiche_id
        self.body = body
        self.body_format = body_format


def _body(name: str) -> Body:
    path = next(p for p in FILES if p.stem == name)
    return Body(path.read_bytes().decode("utf-8").split("?>", 1)[1])


def _tree(html: str) -> etree._Element:
    """Our HTML is also well-formed XML: this fails on any unbalanced or unescaped markup."""
    return etree.fromstring(f"<root>{html.replace('&nbsp;', '&#160;')}</root>")


def _text(el: etree._Element) -> str:
    return " ".join("".join(el.itertext()).split())


def test_test_files_hold_every_element_and_none_falls_back() -> None:
    seen: set[str] = set()
    fallbacks: Counter[str] = Counter()
    for path in FILES:
        root = parse_xml(path.read_bytes())
        seen |= {el.tag for el in root.iter()}
        _tree(render_html_element(root, fallbacks=fallbacks))
        render_text_element(root, fallbacks=fallbacks)
    assert seen == KNOWN
    assert fallbacks == Counter()


def test_situations_and_cases_each_under_their_own_heading() -> None:
    tree = _tree(render_html(_body("F1342")))
    situations = tree.findall(".//section[@class='allo-situation']")
    assert [_text(s.find("h2")) for s in situations] == [
        "Situation 1 sur 2 : Demande en France",
        "Situation 2 sur 2 : À l'étranger",
    ]
    # a table of contents links to each situation's heading
    links = tree.findall(".//ul[@class='allo-situations__sommaire']/li/a")
    assert [a.get("href")[1:] for a in links] == [s.find("h2").get("id") for s in situations]
    cases = tree.findall(".//section[@class='allo-cas']")
    assert len(cases) > 6
    for case in cases:
        heading = case[0]
        assert heading.tag in ("h3", "h4", "h5", "h6") and _text(heading).startswith("Cas : ")
        assert case.get("aria-labelledby") == heading.get("id")
    first = cases[0]
    assert _text(first[0]) == "Cas : Entre 0 et 12 ans"
    assert "le père" in _text(first)
    text = render_text(_body("F1342"))
    assert "## Situation 1 sur 2 : Demande en France" in text
    assert "Cas : Entre 0 et 12 ans\n  Le responsable signe le talon photo" in text


def test_headings_never_skip_a_level() -> None:
    for path in FILES:
        html = render_html_element(parse_xml(path.read_bytes()))
        levels = [int(m) for m in re.findall(r"<h([2-6])", html)]
        previous = 1
        for level in levels:
            assert level <= previous + 1, (path.name, levels)
            previous = level


def test_callouts_lists_and_tables() -> None:
    tree = _tree(render_html(_body("F2633")))
    callouts = tree.findall(".//div[@class]")
    titles = {
        _text(d.find("p"))
        for d in callouts
        if "fr-callout" in d.get("class", "").split() and d.find("p") is not None
    }
    assert {"À savoir", "Attention"} <= titles
    table = tree.find(".//div[@class='fr-table allo-tableau']/table")
    assert table is not None
    assert table.findall(".//thead/tr/th[@scope='col']")
    assert tree.findall(".//ul/li")
    text = render_text(_body("F2633"))
    assert re.search(r"^À savoir : ", text, re.M)
    assert re.search(r"^.+ \| .+$", text, re.M)  # table rows, cells separated


def test_definitions_abbreviations_and_glossary_links() -> None:
    html = render_html(_body("F13214"))
    tree = _tree(html)
    link = tree.find(".//a[@href='#glossaire-R10278']")
    assert link is not None and link.get("title")
    term = tree.find(".//dt[@id='glossaire-R10278']/dfn")
    assert _text(term) == "Revenus nets catégoriels"
    abbr = tree.find(".//dl[@class='allo-glossaire']/dt/abbr")
    assert abbr is not None and abbr.get("title")
    assert '<abbr title="Caisse d&#x27;allocations familiales">Caf</abbr>' in html
    assert "## Définitions" in render_text(_body("F13214"))


def test_internal_links_resolve_to_our_pages_or_to_the_source() -> None:
    links = KnownFiches({"F18605": "Comment prouver l'autorité parentale ?"})
    tree = _tree(render_html(_body("F1342"), links))
    ours = tree.find(".//a[@data-fiche='F18605']")
    assert ours.get("href") == "/fiches/F18605" and ours.get("target") is None
    theirs = tree.find(".//a[@data-fiche='F1359']")
    assert theirs.get("href") == "https://www.service-public.gouv.fr/particuliers/vosdroits/F1359"
    assert theirs.get("target") == "_blank" and "noopener" in theirs.get("rel")
    # without a database every publication is assumed held
    assert (
        _tree(render_html(_body("F1342"))).find(".//a[@data-fiche='F1359']").get("href")
        == "/fiches/F1359"
    )


def test_guided_search_questionnaire_and_resources() -> None:
    guided = _tree(render_html(_body("F35202")))
    assert guided.find(".//section[@class='allo-recherche-guidee']//details/summary") is not None
    assert guided.find(".//p[@class='allo-arbre__reponse']/a[@data-fiche]") is not None
    quiz = _tree(render_html(_body("F14128")))
    assert "Questions pour préciser la situation" in _text(quiz)
    form = render_text(_body("R1343"))
    assert "Cerfa n° 60-3555" in form


def test_everything_is_escaped_and_only_safe_links_are_emitted() -> None:
    xml = (
        '<Publication ID="F1" type="Fiche d\'information"><Texte><Paragraphe>'
        "&lt;script&gt;alert(1)&lt;/script&gt; "
        '<LienExterne URL="javascript:alert(2)">piège</LienExterne> '
        '<LienExterne URL="https://exemple.fr/?a=1&amp;b=2">site</LienExterne> '
        '<LienExterne URL="https://exemple.fr/&quot;onmouseover=&quot;x">guillemets</LienExterne> '
        '<TermeEtranger langue="en&quot; onclick=&quot;x">timeshare</TermeEtranger>'
        "</Paragraphe></Texte></Publication>"
    )
    html = render_html(Body(xml))
    tree = _tree(html)
    assert "<script" not in html and "&lt;script&gt;" in html
    assert "javascript:" not in html and "onclick" not in html
    anchors = tree.findall(".//a")
    assert [a.get("href") for a in anchors] == ["https://exemple.fr/?a=1&b=2"]
    assert "onmouseover" not in html and "piège" in _text(tree) and "guillemets" in _text(tree)


def test_html_bodies_are_sanitised_with_a_whitelist() -> None:
    dirty = (
        '<h1 onclick="x">Titre</h1><p style="color:red">Texte <b>gras</b>'
        '<a href="javascript:alert(1)">js</a> <a href="/page">relatif</a></p>'
        '<section class="fr-accordion"><h3><button aria-controls="c">Question</button></h3>'
        '<div class="fr-collapse" id="c"><p>Réponse</p></div></section>'
        '<img src="https://x/y.png" alt="schéma"><iframe src="https://x"></iframe>'
        '<table><tr><th scope="col" colspan="2">A</th></tr></table>'
        '<div data-src="https://www.youtube.com/embed/abc" data-title="Vidéo utile"></div>'
    )
    clean = sanitize_html(dirty, base_url="https://travail-emploi.gouv.fr/")
    assert "onclick" not in clean and "style=" not in clean and "javascript" not in clean
    assert "<iframe" not in clean and "<button" not in clean and "fr-collapse" not in clean
    assert "<h2>Titre</h2>" in clean and "<strong>gras</strong>" in clean
    assert 'href="https://travail-emploi.gouv.fr/page"' in clean
    assert '<th scope="col" colspan="2">A</th>' in clean
    assert "[Image : schéma]" in clean and "Vidéo : Vidéo utile" in clean
    assert sanitize_html(clean, base_url="https://travail-emploi.gouv.fr/") == clean
    html = render_html(Body(dirty, "html"))
    assert html.startswith('<div class="allo-fiche allo-fiche--html">') and "onclick" not in html
    assert html_to_text(clean).splitlines()[:3] == [
        "## Titre",
        "Texte grasjs relatif",
        "### Question",
    ]


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_test_publication_renders_to_well_formed_html_and_text(path: Path) -> None:
    body = Body(path.read_bytes().decode("utf-8").split("?>", 1)[1])
    html = render_html(body)
    text = render_text(body)
    assert _text(_tree(html))
    assert text.strip()
