"""Local fiches' Markdown: DILA's blocks come out as the DILA renderer writes them, and no known
XSS payload gets through the parser and the allowlist."""

from __future__ import annotations

import lxml.html
import pytest

from allo.kb.render.dsfr import layout
from allo.kb.render.links import KnownFiches
from allo.kb.render.markdown import fiche_links, render_markdown

#: classic payloads (OWASP XSS filter evasion cheat sheet and friends), raw and in links
XSS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<body onload=alert(1)>",
    "<iframe src=javascript:alert(1)></iframe>",
    '<a href="javascript:alert(1)">x</a>',
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    "<details open ontoggle=alert(1)>",
    '<object data="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="></object>',
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](javascript&#58;alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](vbscript:msgbox(1))",
    "[x](  javascript:alert(1))",
    "<javascript:alert(1)>",
    "![x](javascript:alert(1))",
    '![x](x" onerror="alert(1))',
    '[x](https://example.org" onclick="alert(1))',
    "::: situation <img src=x onerror=alert(1)>\ntexte\n:::",
    "::: a-savoir <script>alert(1)</script>\ntexte\n:::",
    "| a |\n|---|\n| <script>alert(1)</script> |",
    "`<script>alert(1)</script>`",
    "<<script>script>alert(1)<</script>/script>",
    "<scr<script>ipt>alert(1)</script>",
]


def _dangerous(html: str) -> list[str]:
    doc = lxml.html.fragment_fromstring(html, create_parent="div")
    found = []
    for element in doc.iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag in {"script", "iframe", "object", "embed", "svg", "math", "img", "style"}:
            found.append(element.tag)
        for name, value in element.attrib.items():
            if name.startswith("on") or (name == "style" and "url" in value):
                found.append(f"{element.tag}@{name}")
            if name in {"href", "src", "xlink:href", "data"}:
                scheme = value.strip().lower().split(":", 1)[0]
                if ":" in value and scheme not in {"http", "https", "mailto", "tel"}:
                    found.append(f"{element.tag}@{name}={value[:30]}")
    return found


@pytest.mark.parametrize("payload", XSS)
def test_no_xss_payload_survives(payload: str) -> None:
    html = layout(render_markdown(f"Avant\n\n{payload}\n\nAprès"))
    assert _dangerous(html) == [], html
    assert "Après" in html  # the rest of the text is kept


def test_dila_blocks_render_like_the_dila_renderer() -> None:
    source = (
        "::: situation Vous êtes majeur\nA\n:::\n::: situation Vous êtes mineur\nB\n:::\n\n"
        "::: cas Perte\nC\n:::\n::: cas Vol\nD\n:::\n\n::: attention\nE\n:::\n\n"
        "| Pièce | Coût |\n|---|--:|\n| Duplicata | 13,76 € |\n"
    )
    html = layout(render_markdown(source))
    doc = lxml.html.fragment_fromstring(html, create_parent="div")
    assert len(doc.xpath("//div[contains(@class,'fr-tabs')]//button[@role='tab']")) == 2
    assert len(doc.xpath("//section[contains(@class,'fr-accordion')]")) == 2
    assert doc.xpath("//div[contains(@class,'allo-callout--attention')]/p")[0].text == "Attention"
    assert doc.xpath("//div[contains(@class,'fr-table')]/table//td")[1].text == "13,76 €"


def test_fiche_links_resolve_like_dila_internal_links() -> None:
    source = "Voir [la fiche](fiche:F1726) et [l'autre](fiche:F2)."
    assert fiche_links(source) == ["F1726", "F2"]
    html = render_markdown(source, KnownFiches({"F1726": "Carte grise"}))
    assert 'href="/fiches/F1726"' in html
    assert 'href="https://www.service-public.gouv.fr/particuliers/vosdroits/F2"' in html


def test_broken_markdown_is_rendered_not_refused() -> None:
    html = render_markdown("::: situation sans fin\n**gras non fermé [lien(\n| a |\n|--")
    assert "gras non fermé" in html and "allo-situation" in html
