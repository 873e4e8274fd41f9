"""Feedback from the floor, in a real browser: an advisor flags the fiche they are reading from
the console, an editor answers it on the flags page, the advisor sees it handled."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.browser.test_agents import _login, _logout

pytestmark = pytest.mark.browser


def test_an_advisor_flags_a_fiche_an_editor_handles_it_the_advisor_sees_it(
    page: Any, check_accessibility: Callable[[Any, str], None]
) -> None:
    # The first note of a server process waits for the redaction's name model (loaded in the
    # background at the first login): seconds on a loaded machine.
    page.set_default_timeout(60_000)
    _login(page, "conseil1")
    page.goto("/console?fiche=F1726")
    reading = page.locator("#console-lecture")
    reading.get_by_text("Signaler cette fiche à la rédaction").click()  # click 1: open
    reading.get_by_label("Note courte (facultative)").fill(
        "Le cas des véhicules de collection manque"
    )
    reading.get_by_role("button", name="Incomplète").click()  # click 2: the kind
    page.get_by_text("envoyé à l’équipe de rédaction").wait_for()
    mine = page.locator("#vos-signalements")
    assert "Incomplète" in mine.text_content() and "À traiter" in mine.text_content()
    _logout(page)

    _login(page, "redaction")
    page.goto("/redaction/signalements")
    card = page.locator("article", has_text="véhicules de collection")
    assert "Incomplète" in card.text_content()
    check_accessibility(page, "signalements des conseillers")
    card.get_by_label("Réponse à l’agent (facultative)").fill("Cas ajouté à la fiche du service.")
    card.get_by_role("button", name="Marquer traité").click()
    page.get_by_text("marqué traité").wait_for()
    page.goto("/redaction/manques")
    check_accessibility(page, "manques de la base")
    _logout(page)

    _login(page, "conseil1")
    page.goto("/console")
    mine = page.locator("#vos-signalements")
    mine.get_by_text("Cas ajouté à la fiche du service.").wait_for()
    assert "Traité" in mine.text_content()
