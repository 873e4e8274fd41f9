"""The citizen portal in a real browser: the search-to-office journey, keyboard use, and the
accessibility of the main pages (axe-core). Screenshots of the main pages go to build/screenshots
(`make screenshots` copies them to docs/screenshots)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

Check = Callable[[Any, str], None]


def test_citizen_finds_the_office_for_a_lost_registration_certificate(
    page: Any, check_accessibility: Check, screenshot: Callable[..., None]
) -> None:
    page.goto("/")
    check_accessibility(page, "accueil")
    screenshot(page, "accueil")

    search = page.get_by_label("Rechercher une démarche, un droit, une question")
    search.press_sequentially("carte grise", delay=30)
    suggestions = page.locator("#suggestions a")
    suggestions.first.wait_for()
    assert "carte grise" in suggestions.first.inner_text().lower()
    screenshot(page, "suggestions", full_page=False)
    search.press_sequentially(" perdue", delay=30)
    page.locator("#suggestions a[href='/fiches/F1726']").wait_for()
    search.press("Enter")

    page.wait_for_url(re.compile(r"/recherche\?q=carte\+grise\+perdue"))
    assert page.locator("h1").inner_text() == "Résultats pour « carte grise perdue »"
    check_accessibility(page, "résultats de recherche")
    screenshot(page, "recherche", full_page=False)
    page.get_by_role(
        "link", name=re.compile(r"^Perte, vol ou détérioration de la carte grise")
    ).click()

    page.wait_for_url(re.compile(r"/fiches/F1726(#[\w-]+)?$"))  # the answering passage's anchor
    assert page.locator("h1").inner_text().startswith("Perte, vol ou détérioration")
    box = page.locator("#ou-s-adresser")
    box.get_by_label(re.compile("Commune ou code postal")).fill("42000")
    box.get_by_role("button", name="Trouver").click()
    office = box.locator("article", has_text="Commissariat de police").first
    office.wait_for()
    # the box is swapped in place by htmx: same page, the passage anchor kept
    assert re.search(r"/fiches/F1726(#[\w-]+)?$", page.url), "the box is swapped in place by htmx"
    hours = office.locator("table.allo-hours tr")
    assert hours.count() == 7
    assert hours.first.inner_text().startswith("Lundi")
    assert office.locator(".fr-badge").first.inner_text() in (
        "OUVERT MAINTENANT",
        "FERMÉ MAINTENANT",
    )
    check_accessibility(page, "fiche")
    screenshot(page, "fiche")
    box.scroll_into_view_if_needed()
    screenshot(page, "fiche-ou-s-adresser", full_page=False)


def test_situation_tabs_switch_with_the_keyboard(page: Any) -> None:
    page.goto("/fiches/F1726")
    first = page.get_by_role("tab", name="Perte")
    # the design system's script binds the keys when it starts, after the page's load on a busy
    # machine: a key pressed before that is lost
    expect(first).to_have_attribute("data-fr-js-tab-button", "true")
    first.focus()
    page.keyboard.press("ArrowRight")
    second = page.get_by_role("tab", name="Vol")
    expect(second).to_have_attribute("aria-selected", "true")
    panel = page.locator(f"#{second.get_attribute('aria-controls')}")
    expect(panel).to_be_visible()
    expect(panel).to_contain_text("Situation 2 sur 3")


def test_suggestions_are_reachable_with_arrow_keys(page: Any) -> None:
    page.goto("/")
    search = page.locator("#q")
    search.press_sequentially("passeport", delay=30)
    page.locator("#suggestions a").first.wait_for()
    search.press("ArrowDown")
    focused = page.evaluate("document.activeElement.closest('#suggestions') !== null")
    assert focused
    page.keyboard.press("Escape")
    assert page.evaluate("document.activeElement.id") == "q"
    assert page.locator("#suggestions a").count() == 0


def test_directory_page_without_javascript(browser: Any, live_server: Any) -> None:
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/ou-s-adresser")
    page.get_by_label(re.compile("Commune ou code postal")).fill("Lyon")
    page.get_by_label("Service recherché").select_option("caf")
    page.get_by_role("button", name="Trouver").click()
    page.wait_for_url(re.compile(r"place=Lyon"))
    assert "pour Lyon" in page.locator("#annuaire-resultats h2").first.inner_text()
    assert page.locator("#annuaire-resultats article").count() >= 1
    context.close()


def test_fiche_cases_are_readable_without_javascript(browser: Any, live_server: Any) -> None:
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/fiches/F1726")
    panels = page.locator(".fr-tabs__panel")
    assert panels.count() == 3
    for i in range(3):
        assert panels.nth(i).is_visible()
    context.close()


def test_directory_and_error_pages_are_accessible(
    page: Any, check_accessibility: Check, screenshot: Callable[..., None]
) -> None:
    page.goto("/ou-s-adresser?place=42000&type=caf")
    assert page.locator("#annuaire-resultats article").count() >= 1
    check_accessibility(page, "où s'adresser")
    screenshot(page, "ou-s-adresser")
    page.goto("/fiches/F0000000")
    assert page.locator("h1").inner_text() == "Page non trouvée"
    check_accessibility(page, "page 404")


def test_legal_pages_are_accessible(page: Any, check_accessibility: Check) -> None:
    for path in ("/accessibilite", "/mentions-legales", "/donnees-personnelles", "/plan-du-site"):
        page.goto(path)
        check_accessibility(page, path)
    page.goto("/")
    page.locator("footer a[href='/plan-du-site']").click()
    assert page.locator("h1").inner_text() == "Plan du site"


def test_fiche_on_a_phone(
    browser: Any, live_server: Any, check_accessibility: Check, screenshot: Callable[..., None]
) -> None:
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}, is_mobile=True
    )
    page = context.new_page()
    page.goto("/fiches/F1726?place=42000")
    assert page.locator("#ou-s-adresser article").count() >= 1
    check_accessibility(page, "fiche (mobile)")
    screenshot(page, "fiche-mobile", full_page=False)
    context.close()
