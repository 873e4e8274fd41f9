"""The knowledge base's HTML of a fiche, as the pages show it: situations become DSFR tabs and
cases DSFR accordions.

The knowledge base renders every situation of a `ListeSituations` and every case of a `BlocCas`
as a titled section (`div.allo-situations > section.allo-situation`, `div.allo-cas-bloc >
section.allo-cas`), which reads well as text and for screen readers; on the pages a reader picks
their situation in tabs and opens only their own case. Every situation and case stays in the page
(all shown, stacked, without JavaScript: see base.html). The result is cached per
process by fiche and content hash, so reading a fiche costs no rendering once warm.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Any

import lxml.html
from lxml import etree
from markupsafe import Markup
from sqlalchemy.orm import Session

from allo.kb import services as kb
from allo.runtime import Runtime

CACHE_SIZE = 512
#: titles of linked fiches may change without this fiche changing: keep entries a few minutes only
CACHE_SECONDS = 300.0
_HEADINGS = ("h2", "h3", "h4", "h5", "h6")


class _Cache:
    def __init__(self) -> None:
        self._items: OrderedDict[tuple[str, str], tuple[float, Markup]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str]) -> Markup | None:
        with self._lock:
            item = self._items.get(key)
            if item is None or time.monotonic() - item[0] > CACHE_SECONDS:
                return None
            self._items.move_to_end(key)
            return item[1]

    def put(self, key: tuple[str, str], value: Markup) -> None:
        with self._lock:
            self._items[key] = (time.monotonic(), value)
            self._items.move_to_end(key)
            while len(self._items) > CACHE_SIZE:
                self._items.popitem(last=False)


class PageCache:
    """Whole fiche pages as sent to anonymous readers (no commune asked), per fiche.

    The knowledge base's version (count and latest change of the fiches) is checked at most
    every VERSION_CHECK seconds; when it moves, every page is dropped. So an edited fiche shows
    within seconds, like the search index, and a popular fiche costs no query and no rendering.
    """

    VERSION_CHECK = 5.0

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size = size
        self._pages: OrderedDict[str, bytes] = OrderedDict()
        self._version: str | None = None
        self._checked_at = 0.0
        self._lock = threading.Lock()

    def _current(self, session: Session) -> None:
        now = time.monotonic()
        if now - self._checked_at < self.VERSION_CHECK:
            return
        version = kb.kb_version(session)
        with self._lock:
            self._checked_at = now
            if version != self._version:
                self._version = version
                self._pages.clear()

    def get(self, session: Session, fiche_id: str) -> bytes | None:
        self._current(session)
        with self._lock:
            page = self._pages.get(fiche_id)
            if page is not None:
                self._pages.move_to_end(fiche_id)
            return page

    def put(self, fiche_id: str, page: bytes) -> None:
        with self._lock:
            self._pages[fiche_id] = page
            self._pages.move_to_end(fiche_id)
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)


def page_cache(runtime: Runtime) -> PageCache:
    return runtime.service("web.fiche_pages", lambda _rt: PageCache())


def body_html(runtime: Runtime, session: Session, fiche: Any, *, local_box: bool) -> Markup:
    """`local_box`: the page has an "Où s'adresser ?" box the fiche's office cards can point to."""
    cache: _Cache = runtime.service("web.fiche_html", lambda _rt: _Cache())
    key = (fiche.id, f"{fiche.content_hash or ''}:{local_box}")
    cached = cache.get(key)
    if cached is not None:
        return cached
    # stored by the import (kb.services.render would also make the plain text, not shown here)
    raw = kb.fiche_html(session, fiche)
    html = Markup(present(raw, local_box=local_box))  # noqa: S704 — kb output is escaped HTML
    cache.put(key, html)
    return html


def _has_class(name: str) -> str:
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


def present(html: str, *, local_box: bool = False) -> str:
    """Situations become tabs, cases become accordions; anything else is left untouched."""
    if "allo-cas-bloc" not in html and "allo-situations" not in html and not local_box:
        return html
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    if local_box:
        for card in root.xpath(f"//div[{_has_class('allo-ou-s-adresser')} and @data-pivot]"):
            _link_to_box(card)
    for block in root.xpath(f"//div[{_has_class('allo-situations')}]"):
        _tabs(block)
    for block in root.xpath(f"//div[{_has_class('allo-cas-bloc')}]"):
        block.set("class", block.get("class", "") + " fr-accordions-group")
        for section in block.xpath(f"./section[{_has_class('allo-cas')}]"):
            _accordion(section)
    return (root.text or "") + "".join(
        lxml.html.tostring(child, encoding="unicode", method="html") for child in root
    )


def _link_to_box(card: etree._Element) -> None:
    content = card.xpath(f".//div[{_has_class('fr-card__content')}]")
    paragraph = etree.SubElement(content[0] if content else card, "p")
    paragraph.set("class", "fr-card__end")
    link = etree.SubElement(paragraph, "a", href="#ou-s-adresser")
    link.set("class", "fr-link fr-icon-map-pin-2-line fr-link--icon-left")
    link.text = "Adresse et horaires près de chez vous"


def _tabs(block: etree._Element) -> None:
    """`div.allo-situations` (a summary list, then one section per situation) → DSFR tabs."""
    sections = block.xpath(f"./section[{_has_class('allo-situation')}]")
    headings = [next((c for c in s if c.tag in _HEADINGS), None) for s in sections]
    if len(sections) < 2 or any(h is None or not h.get("id") for h in headings):
        return
    for summary in block.xpath(f"./ul[{_has_class('allo-situations__sommaire')}]"):
        block.remove(summary)
    tabs = etree.SubElement(block, "div")
    tabs.set("class", "fr-tabs")
    tablist = etree.SubElement(tabs, "ul")
    tablist.set("class", "fr-tabs__list")
    tablist.set("role", "tablist")
    tablist.set("aria-label", "Votre situation")
    for index, (section, heading) in enumerate(zip(sections, headings, strict=True)):
        assert heading is not None
        base = heading.get("id")
        tab_id, panel_id = f"{base}-onglet", f"{base}-panneau"
        number = heading.xpath(f".//span[{_has_class('allo-situation__numero')}]")
        label = heading.text_content()
        if number:
            label = label.replace(number[0].text_content(), "", 1)
        item = etree.SubElement(tablist, "li")
        item.set("role", "presentation")
        tab = etree.SubElement(item, "button", type="button", id=tab_id)
        tab.set("class", "fr-tabs__tab")
        tab.set("tabindex", "0" if index == 0 else "-1")
        tab.set("role", "tab")
        tab.set("aria-selected", "true" if index == 0 else "false")
        tab.set("aria-controls", panel_id)
        tab.text = " ".join(label.split())
        section.tag = "div"
        section.attrib.pop("aria-labelledby", None)
        section.set("id", panel_id)
        selected = " fr-tabs__panel--selected" if index == 0 else ""
        section.set("class", section.get("class", "") + " fr-tabs__panel" + selected)
        section.set("role", "tabpanel")
        section.set("aria-labelledby", tab_id)
        section.set("tabindex", "0")
        tabs.append(section)


def _accordion(section: etree._Element) -> None:
    heading = next((c for c in section if c.tag in _HEADINGS), None)
    if heading is None:
        return
    target = f"{heading.get('id') or 'cas'}-contenu"
    section.set("class", section.get("class", "") + " fr-accordion")
    section.attrib.pop("aria-labelledby", None)
    button = etree.Element("button", type="button")
    button.set("class", "fr-accordion__btn")
    button.set("aria-expanded", "false")
    button.set("aria-controls", target)
    button.text = heading.text
    for child in list(heading):
        if "allo-cas__prefixe" in (child.get("class") or ""):
            child.set("class", child.get("class", "") + " fr-sr-only")
        button.append(child)
    heading.text = None
    heading.append(button)
    heading.set("class", (heading.get("class", "") + " fr-accordion__title").strip())
    collapse = etree.Element("div", id=target)
    collapse.set("class", "fr-collapse")
    for child in list(section):
        if child is not heading:
            collapse.append(child)
    section.append(collapse)
