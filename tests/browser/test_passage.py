"""Opening a fiche from a search shows the passage that answers (static/passage.js): its
situation tab selected, its case accordion open, the passage highlighted and scrolled to, from
the portal's results and from the advisor console's."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.test_agents import _login

pytestmark = pytest.mark.browser

#: the third situation of « Démission d'un salarié » (F2883, bundled): intérim, not the tab
#: shown first, and one of its cases, in an accordion closed at first
QUERY = "démission intérim refus de l'employeur dispense de préavis"
FICHE = "F2883"


def _answer(url: str) -> dict[str, Any]:
    body = httpx.get(f"{url}/api/search", params={"q": QUERY, "limit": 20}, timeout=60).json()
    hit = next(r for r in body["results"] if r["id"] == FICHE)
    passage = hit["passage"]
    assert passage is not None and "intérim" in passage["path"], passage
    return passage


def _shows_the_passage(page: Any, anchor: str) -> None:
    target = page.locator(f"[id='{anchor}']")
    passage = page.locator(".allo-passage-cible")
    expect(passage).to_have_count(1)
    assert passage.evaluate(f"(el) => el.contains(document.getElementById('{anchor}'))")
    # its situation tab is the selected one (not the first, shown by default)
    panel = target.locator("xpath=ancestor::*[contains(@class, 'fr-tabs__panel')][1]")
    expect(panel).to_have_class(re.compile(r"fr-tabs__panel--selected"))
    panel_id = panel.get_attribute("id")
    expect(page.locator(f"[role='tab'][aria-controls='{panel_id}']")).to_have_attribute(
        "aria-selected", "true"
    )
    # a case: its accordion is open
    if anchor.startswith("cas-"):
        collapse = passage.locator(":scope > .fr-collapse")
        expect(collapse).to_have_class(re.compile(r"fr-collapse--expanded"))
    expect(target).to_be_visible()
    expect(target).to_be_in_viewport()


def test_portal_result_opens_the_fiche_at_its_passage(
    new_context: Callable[..., Any], live_server: Any
) -> None:
    passage = _answer(live_server.url)
    page = new_context().new_page()
    page.goto(f"/recherche?q={QUERY}")
    link = page.locator(f"a[href='/fiches/{FICHE}#{passage['anchor']}']").first
    expect(link).to_be_visible()
    link.click()
    page.wait_for_url(re.compile(rf"/fiches/{FICHE}#{passage['anchor']}$"))
    _shows_the_passage(page, passage["anchor"])


def test_console_result_opens_the_fiche_at_its_passage(
    new_context: Callable[..., Any], live_server: Any
) -> None:
    passage = _answer(live_server.url)
    page = new_context(1400, 900).new_page()
    _login(page, "conseil1")
    page.goto(f"/console?q={QUERY}")
    link = page.locator(f"#console-resultats a[data-passage='{passage['anchor']}']").first
    expect(link).to_be_visible()
    link.click()  # the fiche opens in place (htmx), then passage.js shows the passage
    reading = page.locator("#console-lecture")
    expect(reading).to_contain_text("Démission d'un salarié")
    _shows_the_passage(page, passage["anchor"])
