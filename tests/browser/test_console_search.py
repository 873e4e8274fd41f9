"""The advisor console's search box with the caller's collective agreement chosen beside it:
choosing one refreshes the results in place (htmx), the agreement is shown above them, and the
choice stays with the words typed next and with the links to the fiches."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.test_agents import _login

pytestmark = pytest.mark.browser


def test_choosing_the_caller_s_agreement_refreshes_the_results_and_stays_chosen(
    new_context: Callable[..., Any],
    live_server: Any,
    check_accessibility: Callable[[Any, str], None],
) -> None:
    page = new_context(1400, 900).new_page()
    _login(page, "conseil1")
    page.goto("/console")
    page.locator("#console-q").press_sequentially("prime de fin d'année", delay=20)
    results = page.locator("#console-resultats ol.allo-console-results a")
    expect(results.first).to_be_visible()
    expect(page.locator("#console-resultats .allo-agreement")).to_have_count(0)

    page.get_by_label(re.compile("^Convention collective de l’appelant")).select_option("2120")
    callout = page.locator("#console-resultats .allo-agreement")
    expect(callout).to_contain_text("Convention collective de l’appelant")
    expect(callout).to_contain_text("IDCC 2120")
    expect(results.first).to_have_attribute("href", re.compile(r"idcc=2120"))

    # the words typed next are searched with the same agreement
    page.locator("#console-q").fill("prime de vacances")
    expect(results.first).to_have_attribute("href", re.compile(r"q=prime\+de\+vacances.*idcc=2120"))
    expect(callout).to_contain_text("IDCC 2120")
    check_accessibility(page, "console-convention-collective")

    # « Non précisée »: the agreement goes, the results stay
    page.get_by_label(re.compile("^Convention collective de l’appelant")).select_option("")
    expect(page.locator("#console-resultats .allo-agreement")).to_have_count(0)
    expect(results.first).not_to_have_attribute("href", re.compile(r"idcc="))
