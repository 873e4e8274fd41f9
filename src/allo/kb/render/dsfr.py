"""The rendered body laid out for the pages: situations become DSFR tabs, cases DSFR accordions.

The renderer writes every situation of a `ListeSituations` and every case of a `BlocCas` as a
titled section (`div.allo-situations > section.allo-situation`, `div.allo-cas-bloc >
section.allo-cas`), which reads well as text and for screen readers (the API serves that); on the
pages a reader picks their situation in tabs and opens only their own case. Every situation and
case stays in the page (all shown, stacked, without JavaScript). This second pass over the HTML
runs when the import stores the body (allo.kb.stored_html), not when a page is served.

Office cards (`div.allo-ou-s-adresser[data-pivot]`) get `LOCAL_BOX_MARKER` where a page with an
« Où s'adresser ? » box puts its link to the box (see allo.web.pages._fiche_html).
"""

from __future__ import annotations

import lxml.html
from lxml import etree

#: an HTML comment closing each office card's content: the page replaces it (or drops it)
LOCAL_BOX_MARKER = "<!--allo:ou-s-adresser-->"
_HEADINGS = ("h2", "h3", "h4", "h5", "h6")


def _has_class(name: str) -> str:
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


def layout(html: str) -> str:
    """Tabs, accordions and office-card markers; anything else is left untouched."""
    if (
        "allo-cas-bloc" not in html
        and "allo-situations" not in html
        and "allo-ou-s-adresser" not in html
    ):
        return html
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    for card in root.xpath(f"//div[{_has_class('allo-ou-s-adresser')} and @data-pivot]"):
        content = card.xpath(f".//div[{_has_class('fr-card__content')}]")
        (content[0] if content else card).append(etree.Comment(LOCAL_BOX_MARKER[4:-3]))
    for block in root.xpath(f"//div[{_has_class('allo-situations')}]"):
        _tabs(block)
    for block in root.xpath(f"//div[{_has_class('allo-cas-bloc')}]"):
        block.set("class", block.get("class", "") + " fr-accordions-group")
        for section in block.xpath(f"./section[{_has_class('allo-cas')}]"):
            _accordion(section)
    return (root.text or "") + "".join(
        lxml.html.tostring(child, encoding="unicode", method="html") for child in root
    )


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
