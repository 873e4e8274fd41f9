"""The legal watch by article in a real browser: from the change reports' watch, an editor asks
which fiches cite an article that changed, reads them with their references, and follows one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.browser.test_agents import _login, _logout

pytestmark = pytest.mark.browser


def test_an_editor_finds_the_fiches_citing_a_changed_article(
    page: Any,
    check_accessibility: Callable[[Any, str], None],
    screenshot: Callable[..., None],
) -> None:
    _login(page, "redaction")
    page.goto("/redaction/veille")
    page.get_by_role("link", name="Les fiches qui le citent").click()
    page.wait_for_url("**/redaction/articles")
    page.get_by_label("Article de code").fill("article L1224-1 du code du travail")
    page.get_by_role("button", name="Chercher les fiches").click()
    page.wait_for_url("**/redaction/articles?article=*")
    section = page.locator("section.allo-cited-article")
    heading = section.locator("h2")
    assert "L1224-1" in heading.text_content() and "Code du travail" in heading.text_content()
    transfer = section.get_by_role("link", name="Le changement de la situation juridique")
    assert transfer.count() >= 1
    assert "Référence : Code du travail" in section.text_content()
    check_accessibility(page, "veille juridique par article")
    screenshot(page, "redaction-articles")
    # what names no article: the field says why, in French, and keeps what was typed
    field = page.get_by_label("Article de code")
    field.fill("licenciement")
    page.get_by_role("button", name="Chercher les fiches").click()
    page.get_by_text("Aucun article de code reconnu").wait_for()
    assert field.input_value() == "licenciement"
    check_accessibility(page, "veille juridique par article, refus")
    # following a fiche opens it
    page.go_back()
    section.get_by_role("link", name="Le changement de la situation juridique").first.click()
    page.wait_for_url("**/fiches/article100989")
    _logout(page)
