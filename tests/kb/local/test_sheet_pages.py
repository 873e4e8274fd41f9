"""The escalation sheet pages: only editors get in; edit, 409 on a stale form with the text kept,
French message on bad JSON, review by a second editor, publication reaching the consoles."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from allo.kb.escalation import BUNDLED_DIR
from tests.kb.local.test_pages import HTML, _layout_ok

URL = "/redaction/escalade/logement"


def _text(**changes: Any) -> str:
    raw = json.loads((BUNDLED_DIR / "logement.json").read_text(encoding="utf-8"))
    raw.update(changes)
    return json.dumps(raw, ensure_ascii=False)


def test_only_editors_reach_the_sheet_pages(client: Any, login: Callable[[str], Any]) -> None:
    login("conseil1")
    assert client.get("/redaction/escalade", headers=HTML).status_code == 403
    assert client.post(URL, data={"content": _text(), "base_version": "1"}).status_code == 403


def test_edit_and_publish_a_sheet_through_the_pages(
    client: Any, login: Callable[[str], Any]
) -> None:
    login("redaction")
    board = client.get("/redaction", headers=HTML)
    assert 'href="/redaction/escalade"' in board.text
    listing = client.get("/redaction/escalade", headers=HTML)
    _layout_ok(listing.text)
    assert URL in listing.text
    _layout_ok(client.get(URL, headers=HTML).text)
    new = "Logement : définition revue au téléphone."
    saved = client.post(URL, data={"content": _text(definition=new), "base_version": "1"})
    assert saved.status_code == 200 and "Nouvelle version enregistrée" in saved.text
    assert "allo-diff__ins" in saved.text  # the draft against what the consoles use
    stale = client.post(URL, data={"content": _text(label="Mon libellé"), "base_version": "1"})
    assert stale.status_code == 409 and "modifiée entre-temps" in stale.text
    assert "Mon libellé" in stale.text
    broken = client.post(URL, data={"content": "{pas du json", "base_version": "2"})
    assert broken.status_code == 422 and "pas du JSON valide" in broken.text
    assert client.post(f"{URL}/soumettre").status_code == 200
    refused = client.post(f"{URL}/publier")
    assert refused.status_code == 403 and "second rédacteur" in refused.text
    login("redaction2")
    published = client.post(f"{URL}/publier")
    assert published.status_code == 200 and "les consoles l" in published.text
    sheets = client.get("/api/escalation-sheets").json()
    assert next(s for s in sheets["sheets"] if s["sector"] == "logement")["definition"] == new
