"""The two levels at work, in a real browser: a written question answered and read through the
private link, and a phone contact escalated to the Travail sector, closed by its specialist and
counted by supervision. Logins are the bundled demo team's (public demo passwords)."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

Check = Callable[[Any, str], None]
Shot = Callable[..., None]


def _login(page: Any, username: str) -> None:
    page.goto("/connexion")
    page.get_by_label("Identifiant", exact=True).fill(username)
    page.get_by_label("Mot de passe", exact=True).fill(f"demo-{username}")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()


def _logout(page: Any) -> None:
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url(re.compile(r"/$"))


@contextlib.contextmanager
def _service_open_all_day(api: httpx.Client) -> Iterator[None]:
    """The administrator opens the service at every hour for the block, then restores its hours
    (the journey must not depend on the hour the suite runs at)."""
    token = api.post("/api/auth/login", json={"username": "admin", "password": "demo-admin"})
    headers = {"Authorization": f"Bearer {token.json()['token']}"}
    saved = api.get("/api/calendar").json()
    always = {day: [{"opens": "00:00", "closes": "24:00"}] for day in saved["weekly"]}
    opened = api.put(
        "/api/calendar",
        json={"weekly": always, "closed_on_public_holidays": False},
        headers=headers,
    )
    assert opened.status_code == 200, opened.text
    try:
        yield
    finally:
        restore = {k: saved[k] for k in ("weekly", "closed_on_public_holidays", "closed_days")}
        assert api.put("/api/calendar", json=restore, headers=headers).status_code == 200


def _choose(page: Any, label: str) -> None:
    """DSFR radios are drawn by their label: click the label, as a person does."""
    page.locator("label.fr-label", has_text=label).first.click()


def _expect_done(page: Any, message: str) -> None:
    """Wait for the console's confirmation; if the step failed, fail with the console's French
    error rather than a bare timeout."""
    done = page.get_by_text(message)
    outcome = done.or_(page.locator("#console .fr-alert--error")).first
    outcome.wait_for()
    assert done.is_visible(), outcome.inner_text()


def _open_first_result(page: Any) -> None:
    """Open the first search result in the reading pane and wait until the console has recorded
    it: the pane's title exists before any fiche is open, so only the consultation's answer says
    the fiche is there to be ticked (a loaded machine would otherwise close or transfer first)."""
    first = page.locator("#console-resultats ol.allo-console-results a").first
    first.wait_for()
    with page.expect_response(lambda r: r.url.endswith("/consultation")) as consulted:
        first.click()
    assert consulted.value.status == 204, consulted.value.status
    expect(page.locator("#fiche-courante")).to_be_checked()


def test_written_question_is_answered_and_read_through_the_private_link(
    new_context: Callable[..., Any], check_accessibility: Check, screenshot: Shot
) -> None:
    page = new_context().new_page()
    page.goto("/poser-une-question")
    check_accessibility(page, "poser une question")
    page.get_by_label(re.compile("^Votre question")).fill(
        "Mon propriétaire ne me rend pas mon dépôt de garantie depuis trois mois. "
        "Vous pouvez me joindre au 06 12 34 56 78."
    )
    page.get_by_label(re.compile("^Votre commune")).fill("Lyon")
    screenshot(page, "poser-une-question", full_page=False)
    page.get_by_role("button", name="Envoyer ma question").click()
    page.wait_for_url(re.compile(r"/ma-question\?jeton="))
    private = page.locator("#lien-prive").input_value()
    reference = re.search(r"n° (\d+)", page.locator("h1").inner_text()).group(1)
    assert "[téléphone]" in page.locator("blockquote").inner_text()
    assert page.locator(".fr-badge").first.inner_text().lower() == "en attente"

    advisor = new_context(1400, 1000)
    console = advisor.new_page()
    _login(console, "conseil1")
    console.keyboard.press("Alt+n")
    console.locator("#contact-titre").wait_for()
    assert console.locator("#contact-titre").inner_text() == f"Contact n° {reference}"
    console.locator("#console-q").press_sequentially("dépôt de garantie", delay=20)
    _open_first_result(console)
    console.locator("#reponse-note").fill(
        "Votre propriétaire doit vous rendre le dépôt de garantie dans un délai d'un mois "
        "(deux mois en cas de dégradations). Vous pouvez le mettre en demeure."
    )
    console.get_by_role("button", name="Clôturer : répondu").click()
    _expect_done(console, f"Contact n° {reference} clôturé : répondu.")

    page.goto(private)
    answer = page.locator(".allo-answer")
    assert "dépôt de garantie dans un délai d'un mois" in answer.inner_text()
    assert page.locator("h3", has_text="Pour en savoir plus").count() == 1
    check_accessibility(page, "réponse par lien privé")
    screenshot(page, "reponse-lien-prive")
    _choose(page, "5 — Très satisfait")
    page.get_by_role("button", name="Envoyer mon avis").click()
    page.get_by_text("Merci pour votre avis").wait_for()


def test_phone_contact_escalated_to_travail_then_closed_by_the_specialist(
    new_context: Callable[..., Any], live_server: Any, check_accessibility: Check, screenshot: Shot
) -> None:
    # The switchboard (telephony platform account) puts a phone call in the level-1 queue.
    api = httpx.Client(base_url=live_server.url)
    token = api.post(
        "/api/auth/login", json={"username": "supervision", "password": "demo-supervision"}
    ).json()["token"]
    with _service_open_all_day(api):  # phone contacts are refused outside the service's hours
        created = api.post(
            "/api/contacts", json={"channel": "phone"}, headers={"Authorization": f"Bearer {token}"}
        )
    assert created.status_code == 201, created.text
    contact_id = created.json()["id"]

    advisor = new_context(1400, 1000)
    page = advisor.new_page()
    _login(page, "conseil2")
    assert page.url.endswith("/console")
    check_accessibility(page, "console (sans contact)")
    page.keyboard.press("Alt+n")
    page.locator("#contact-titre").wait_for()
    assert page.locator("#contact-titre").inner_text() == f"Contact n° {contact_id}"
    page.keyboard.press("Alt+q")
    page.keyboard.type("Mon employeur veut me licencier pour faute grave, que faire ?")
    page.get_by_label(re.compile("^Commune de l’appelant")).fill("Lyon")
    page.get_by_role("button", name="Enregistrer la question et la commune").click()
    _expect_done(page, f"Question et commune du contact n° {contact_id} enregistrées.")

    page.keyboard.press("Alt+r")
    page.keyboard.type("licenciement faute grave")
    # the caller works in an engineering consultancy: Syntec, chosen beside the search
    with page.expect_response(lambda r: r.url.endswith("/convention")) as kept:
        page.get_by_label(re.compile("^Convention collective de l’appelant")).select_option("1486")
    assert kept.value.status == 204, "the choice is kept with the contact"
    expect(page.locator("#console-resultats .allo-agreement")).to_contain_text("IDCC 1486")
    _open_first_result(page)

    page.get_by_role("tab", name="Escalader").click()
    expect(page.locator("#escalade-convention")).to_contain_text("IDCC 1486")
    sector = page.locator("#escalade-secteur")
    assert sector.input_value() == "travail", "the suggested sector is preselected"
    callout = page.locator("#panneau-escalader .fr-callout")
    expect(callout).to_be_visible()  # the DSFR tab script shows the panel after the click
    expect(callout).to_contain_text("Travail")
    _choose(page, "Salarié ou employeur du secteur privé")
    _choose(page, "Non, l'usager veut connaître ses droits")
    page.get_by_label(re.compile("^Note pour le spécialiste")).fill(
        "Salarié du privé convoqué à un entretien préalable ; il veut connaître ses droits."
    )
    check_accessibility(page, "console (escalade)")
    screenshot(page, "console-escalade")
    page.get_by_role("button", name="Transférer au secteur").click()
    _expect_done(
        page,
        f"Contact n° {contact_id} transféré au secteur Travail, avec la fiche d’escalade et vos notes.",
    )
    _logout(page)

    specialist = new_context(1400, 1000)
    page = specialist.new_page()
    _login(page, "travail")
    assert page.url.endswith("/specialiste")
    row = page.locator("#console-files tbody tr", has_text=str(contact_id))
    row.get_by_role("button", name="Prendre").click()
    panel = page.locator("section[aria-labelledby='contact-titre']")
    panel.wait_for()
    context = panel.inner_text()
    assert "Mon employeur veut me licencier pour faute grave" in context
    assert "Lyon (69)" in context
    assert "Salarié ou employeur du secteur privé" in context
    assert "entretien préalable" in context
    assert "Fiches consultées" in context
    assert "Convention collective de l’appelant" in context and "IDCC 1486" in context
    check_accessibility(page, "console spécialiste")
    screenshot(page, "console-specialiste")
    page.locator("#reponse-note").fill(
        "Procédure et délais expliqués ; droits à l'indemnité rappelés."
    )
    page.get_by_role("button", name="Clôturer : répondu").click()
    _expect_done(page, f"Contact n° {contact_id} clôturé : répondu.")
    _logout(page)

    supervisor = new_context()
    page = supervisor.new_page()
    _login(page, "supervision")
    assert page.url.endswith("/supervision")
    sectors = page.locator("#graphique-secteurs svg desc").text_content()
    assert "Travail : 1" in sectors
    assert "Justice : 0" in sectors
    check_accessibility(page, "supervision")
    screenshot(page, "supervision")
