"""The rendering entry points: a fiche (or anything with its body) → HTML or plain text."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Protocol

from allo.kb.render.dila_html import render_html_element
from allo.kb.render.dila_text import render_text_element
from allo.kb.render.html_body import html_to_text, sanitize_html
from allo.kb.render.links import KnownFiches, LinkResolver
from allo.kb.render.markdown import render_markdown
from allo.kb.safexml import parse_xml


class FicheLike(Protocol):
    id: str
    body: str
    body_format: str


@dataclass
class Rendered:
    html: str
    text: str
    #: element names that reached a generic fallback (empty for the whole DILA corpus)
    fallbacks: Counter[str] = field(default_factory=Counter)


def render_html(
    fiche: FicheLike, links: LinkResolver | None = None, *, fallbacks: Counter[str] | None = None
) -> str:
    if fiche.body_format == "dila-xml":
        root = parse_xml(fiche.body.encode("utf-8"))
        return render_html_element(root, links, fallbacks=fallbacks)
    if fiche.body_format == "markdown":
        return render_markdown(fiche.body, links)
    # HTML bodies were sanitised on import; sanitising again is cheap and guards local edits.
    return f'<div class="allo-fiche allo-fiche--html">{sanitize_html(fiche.body)}</div>'


def render_text(
    fiche: FicheLike,
    links: LinkResolver | None = None,
    *,
    extras: bool = True,
    fallbacks: Counter[str] | None = None,
) -> str:
    if fiche.body_format == "dila-xml":
        root = parse_xml(fiche.body.encode("utf-8"))
        resolver = links or KnownFiches()
        return render_text_element(root, extras=extras, titles=resolver.title, fallbacks=fallbacks)
    if fiche.body_format == "markdown":
        return html_to_text(render_markdown(fiche.body, links))
    return html_to_text(fiche.body)


def render_fiche(fiche: FicheLike, links: LinkResolver | None = None) -> Rendered:
    """HTML and full text at once (the XML is parsed once)."""
    fallbacks: Counter[str] = Counter()
    if fiche.body_format == "dila-xml":
        root = parse_xml(fiche.body.encode("utf-8"))
        resolver = links or KnownFiches()
        html = render_html_element(root, resolver, fallbacks=fallbacks)
        text = render_text_element(root, titles=resolver.title, fallbacks=fallbacks)
        return Rendered(html=html, text=text, fallbacks=fallbacks)
    html = render_html(fiche, links)
    text = html_to_text(html if fiche.body_format == "markdown" else fiche.body)
    return Rendered(html=html, text=text)
