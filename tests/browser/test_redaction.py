"""The editorial journey in a real browser: an editor adapts the official fiche on lost car
registration papers for the phone, adds a private note and the prefecture office type, submits;
a second editor reads the diff and publishes; an advisor searching « carte grise perdue » finds
the service's fiche with its badge and its note; a re-import in which the official fiche changed
flags the adaptation and shows the source diff. Logins are the bundled demo team's."""

from __future__ import annotations

import re
import tarfile
import time
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ROOT, LiveServer
from tests.cli import run_allo

pytestmark = pytest.mark.browser

OFFICIAL = "F1726"
TITLE = "Carte grise perdue : le duplicata expliqué au téléphone"
NOTE = "Demander si la carte a été volée : en cas de vol, plainte d'abord."


def _login(page: Any, username: str) -> None:
    page.goto("/connexion")
    page.get_by_label("Identifiant", exact=True).fill(username)
    page.get_by_label("Mot de passe", exact=True).fill(f"demo-{username}")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()


def _changed_official_xml(folder: Path) -> Path:
    """The bundled F1726 with one sentence added, as a later DILA export would bring it."""
    with tarfile.open(ROOT / "src/allo/data/kb/vosdroits-echantillon.tar.xz") as archive:
        member = next(m for m in archive.getmembers() if m.name.endswith(f"/{OFFICIAL}.xml"))
        xml = archive.extractfile(member).read().decode("utf-8")  # type: ignore[union-attr]
    changed = xml.replace(
        "<Paragraphe>", "<Paragraphe>Nouvelle règle de la mise à jour officielle. ", 1
    )
    assert changed != xml
    path = folder / f"{OFFICIAL}.xml"
    path.write_text(changed, encoding="utf-8")
    return path


def test_adapt_review_publish_find_then_source_changes(
    new_context: Any, live_server: LiveServer, tmp_path: Path
) -> None:
    # 1. the editor adapts the official fiche, writes for the phone, submits
    editor = new_context().new_page()
    _login(editor, "redaction")
    editor.goto("/redaction")
    editor.get_by_label(re.compile("Adapter pour le téléphone")).fill(OFFICIAL)
    editor.get_by_role("button", name="Adapter").click()
    expect(editor.get_by_text("Fiche adaptée de la fiche officielle")).to_be_visible()
    fiche_url = editor.url.split("?")[0]
    editor.get_by_label("Titre", exact=True).fill(TITLE)
    editor.get_by_label(re.compile("^Pour le conseiller")).fill(NOTE)
    editor.get_by_label(re.compile("^Où s’adresser")).fill("prefecture")
    body = editor.get_by_label(re.compile("^Texte de la fiche"))
    body.press("Control+Home")
    body.type("::: attention Au téléphone\nVérifier vol ou perte.\n:::\n\n")
    expect(editor.locator("#apercu .allo-callout--attention")).to_contain_text("Vérifier vol")
    editor.get_by_label("Commentaire de la version").fill("Adaptation pour le téléphone")
    editor.get_by_role("button", name="Enregistrer une nouvelle version").click()
    expect(editor.get_by_text("Nouvelle version enregistrée")).to_be_visible()
    editor.get_by_role("button", name="Soumettre à relecture").click()
    expect(editor.get_by_text("Fiche soumise à relecture")).to_be_visible()

    # 2. a second editor reads the diff and publishes
    reviewer = new_context().new_page()
    _login(reviewer, "redaction2")
    reviewer.goto("/redaction")
    reviewer.locator("#a-relire").locator("..").get_by_role("link", name=TITLE).click()
    reviewer.get_by_role("link", name="Voir les modifications").click()
    expect(reviewer.locator("ins.allo-diff__ins").first).to_be_visible()
    expect(reviewer.get_by_text("Vérifier vol ou perte.")).to_be_visible()
    reviewer.goto(fiche_url)
    reviewer.get_by_role("button", name="Publier").click()
    expect(reviewer.get_by_text("Fiche publiée")).to_be_visible()

    # 3. an advisor searching « carte grise perdue » sees the service's fiche with its badge
    advisor = new_context().new_page()
    _login(advisor, "conseil1")
    fiche_id = fiche_url.rsplit("/", 1)[1]
    deadline = time.monotonic() + 60
    while True:
        advisor.goto("/console?q=carte+grise+perdue")
        result = advisor.locator("#console-resultats li", has_text=TITLE)
        if result.count() or time.monotonic() > deadline:
            break
        time.sleep(1)
    expect(result).to_contain_text("Fiche du service")
    result.get_by_role("link", name=TITLE).click()
    reading = advisor.locator("#console-lecture")
    expect(reading).to_contain_text("Pour le conseiller")
    expect(reading).to_contain_text(NOTE)

    # 4. a re-import brings a changed official fiche: the adaptation is flagged, with the diff
    imported = run_allo(
        live_server.database_url,
        live_server.home,
        "kb",
        "import",
        str(_changed_official_xml(tmp_path)),
    )
    assert imported.returncode == 0, imported.stdout + imported.stderr
    editor.goto("/redaction")
    expect(editor.locator("#source-modifiee").locator("..")).to_contain_text(TITLE)
    editor.goto(f"/redaction/fiches/{fiche_id}")
    expect(editor.get_by_text("Source modifiée").first).to_be_visible()
    expect(editor.locator(".allo-diff--source ins")).to_contain_text("Nouvelle règle")
