"""HTML bodies (travail-emploi fiches, local fiches): whitelist sanitising and plain text.

`lxml.html.clean` is deprecated, so this is a small whitelist walker: the markup is parsed with
lxml's HTML parser and written back element by element, so only listed tags and attributes, with
checked values, can come out; everything else is dropped (dangerous containers with their content,
unknown tags keeping their text). Links are absolutised against the source site.
"""

from __future__ import annotations

import re
import threading
from html import escape
from urllib.parse import urljoin

from lxml import etree

_SAFE_SCHEME = re.compile(r"^(https?:|mailto:)", re.IGNORECASE)
_DIGITS = re.compile(r"^\d{1,3}$")
_LANG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})?$")

#: tag → attributes kept (values are checked below)
ALLOWED: dict[str, tuple[str, ...]] = {
    "p": ("class",),
    "br": (),
    "hr": (),
    "strong": (),
    "em": (),
    "sup": (),
    "sub": (),
    "abbr": ("title",),
    "q": (),
    "blockquote": (),
    "ul": (),
    "ol": ("start",),
    "li": (),
    "dl": (),
    "dt": (),
    "dd": (),
    "h2": (),
    "h3": (),
    "h4": (),
    "h5": (),
    "h6": (),
    "table": (),
    "caption": (),
    "thead": (),
    "tbody": (),
    "tfoot": (),
    "tr": (),
    "th": ("scope", "colspan", "rowspan"),
    "td": ("colspan", "rowspan"),
    "a": ("href", "title"),
    "span": ("lang", "class"),
    "div": ("class",),
    "section": (),
    "figure": (),
    "figcaption": (),
}
#: equivalent tags written as their semantic form
RENAMED = {"b": "strong", "i": "em", "h1": "h2", "cite": "em", "mark": "strong"}
#: dropped with everything inside
DROPPED = frozenset(
    {
        "script",
        "style",
        "iframe",
        "frame",
        "frameset",
        "object",
        "embed",
        "applet",
        "form",
        "input",
        "select",
        "textarea",
        "svg",
        "math",
        "noscript",
        "template",
        "video",
        "audio",
        "canvas",
        "link",
        "meta",
        "base",
        "head",
        "title",
    }
)
VOID = frozenset({"br", "hr"})
#: classes kept (DSFR boxes, our own markers); everything else, e.g. collapsed accordions, is dropped
ALLOWED_CLASSES = frozenset(
    {"fr-highlight", "fr-callout", "fr-table", "fr-quote", "allo-image", "allo-video"}
)
_BLOCK_TAGS = frozenset(
    {
        "p",
        "div",
        "section",
        "li",
        "dt",
        "dd",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "tr",
        "table",
        "caption",
        "blockquote",
        "figure",
        "figcaption",
        "ul",
        "ol",
        "dl",
        "br",
        "hr",
    }
)


#: control characters (invalid in HTML and XML) are dropped; tab and newlines are kept
_CONTROL = dict.fromkeys([*range(0, 9), 11, 12, *range(14, 32), 127])


def _esc(text: str) -> str:
    return escape(text.translate(_CONTROL), quote=False)


_local = threading.local()


def _parser() -> etree.HTMLParser:
    # lxml parsers are not thread-safe (pages render in a thread pool): one per thread
    parser = getattr(_local, "parser", None)
    if parser is None:
        parser = etree.HTMLParser(no_network=True, remove_comments=True, remove_pis=True)
        _local.parser = parser
    return parser


def _squash(text: str) -> str:
    return " ".join(text.split())


def parse_fragment(markup: str) -> etree._Element:
    """Parse an HTML fragment into a <div> wrapper, without network or entity tricks.

    Plain lxml elements (not lxml.html's classes): the walkers below only read tags and attributes.
    """
    document = etree.fromstring(f"<html><body><div>{markup}</div></body></html>", _parser())
    wrapper = document.find("body/div") if document is not None else None
    return wrapper if wrapper is not None else etree.Element("div")


class _Writer:
    def __init__(self, base_url: str, external_links: bool) -> None:
        self.base_url = base_url
        self.external_links = external_links
        self.out: list[str] = []

    def text(self, value: str | None) -> None:
        if value:
            self.out.append(_esc(value))

    def node(self, el: etree._Element) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        tag = tag.lower()
        if not tag or tag in DROPPED:
            return
        if tag == "img":
            alt = _squash(el.get("alt") or "")
            if alt:
                self.out.append(f'<span class="allo-image">[Image : {_esc(alt)}]</span>')
            return
        if tag == "div" and el.get("data-src"):
            self.video(el)
            return
        tag = RENAMED.get(tag, tag)
        allowed = ALLOWED.get(tag)
        if allowed is None:  # unknown or unwanted wrapper (button, time, font…): keep the text
            self.children(el)
            return
        attrs = self.attributes(el, tag, allowed)
        if tag in VOID:
            self.out.append(f"<{tag}{attrs}/>")  # also well-formed XML, like the DILA rendering
            return
        self.out.append(f"<{tag}{attrs}>")
        self.children(el)
        self.out.append(f"</{tag}>")

    def children(self, el: etree._Element) -> None:
        self.text(el.text)
        for child in el:
            self.node(child)
            self.text(child.tail)

    def video(self, el: etree._Element) -> None:
        url = self.url(el.get("data-src") or "")
        title = _squash(el.get("data-title") or "Vidéo")
        if url:
            self.out.append(
                f'<p class="allo-video"><a href="{escape(url)}" target="_blank" '
                f'rel="noopener noreferrer">Vidéo : {_esc(title)}</a></p>'
            )

    def url(self, href: str) -> str | None:
        href = href.strip()
        if not href or href.startswith("#"):
            return None
        absolute = urljoin(self.base_url, href) if self.base_url else href
        return absolute if _SAFE_SCHEME.match(absolute) and " " not in absolute else None

    def attributes(self, el: etree._Element, tag: str, allowed: tuple[str, ...]) -> str:
        if not allowed or not el.attrib:
            return ""
        parts = []
        for name in allowed:
            value = el.get(name)
            if value is None:
                continue
            if name == "href":
                url = self.url(value)
                if url is None:
                    continue
                parts.append(f'href="{escape(url.translate(_CONTROL))}"')
                if self.external_links:
                    parts.append('target="_blank" rel="noopener noreferrer"')
            elif name in ("colspan", "rowspan", "start"):
                if _DIGITS.match(value.strip()):
                    parts.append(f'{name}="{int(value)}"')
            elif name == "scope":
                if value in ("col", "row", "colgroup", "rowgroup"):
                    parts.append(f'scope="{value}"')
            elif name == "lang":
                if _LANG.match(value):
                    parts.append(f'lang="{value}"')
            elif name == "class":
                kept = [c for c in value.split() if c in ALLOWED_CLASSES]
                if kept:
                    parts.append(f'class="{" ".join(kept)}"')
            elif name == "title":
                parts.append(f'title="{escape(_squash(value.translate(_CONTROL)))}"')
        return (" " + " ".join(parts)) if parts else ""


def sanitize_html(markup: str, *, base_url: str = "", external_links: bool = True) -> str:
    """Safe HTML for our pages: whitelisted tags/attributes, http(s)/mailto links only."""
    root = parse_fragment(markup)
    writer = _Writer(base_url, external_links)
    writer.children(root)
    return "".join(writer.out).strip()


def html_to_text(markup: str) -> str:
    """Plain text of an HTML body: one line per block, `-` for list items, `#` for headings."""
    root = parse_fragment(markup)
    lines: list[str] = []
    current: list[str] = []

    def flush(prefix: str = "") -> None:
        text = _squash("".join(current).translate(_CONTROL)).removesuffix(" |")
        current.clear()
        if text:
            lines.append(prefix + text)

    def walk(el: etree._Element) -> None:
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if tag in DROPPED:
            return
        if tag == "img":
            alt = (el.get("alt") or "").strip()
            if alt:
                current.append(f" [Image : {alt}] ")
            return
        block = tag in _BLOCK_TAGS
        if block:
            flush()
        if el.text:
            current.append(el.text)
        for child in el:
            walk(child)
            if child.tail:
                current.append(child.tail)
        if block:
            if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
                flush("#" * max(2, int(tag[1])) + " ")
                return
            if tag == "li":
                flush("- ")
                return
            flush()
        elif tag in ("td", "th"):
            current.append(" | ")

    walk(root)
    flush()
    return "\n".join(lines)
