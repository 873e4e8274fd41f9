"""The citizen portal in a real browser."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

pytestmark = pytest.mark.browser


def test_home_page_is_accessible(
    page: Any, check_accessibility: Callable[[Any, str], None], screenshot: Callable[..., None]
) -> None:
    page.goto("/")
    assert page.locator("h1").inner_text().startswith("Une question")
    assert page.get_attribute("html", "lang") == "fr"
    check_accessibility(page, "accueil")
    screenshot(page, "accueil")


def test_skip_link_moves_focus_to_the_content(page: Any) -> None:
    page.goto("/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.getAttribute('href')")
    assert focused == "#contenu"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#contenu"
