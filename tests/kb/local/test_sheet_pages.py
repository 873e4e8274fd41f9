"""The escalation sheet pages: only editors get in; edit, 409 on a stale form with the text kept,
French message on bad JSON, review by a second editor, publication reaching the consoles."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import lxml.html

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


def _form(html: str) -> tuple[str, list[tuple[str, str]]]:
    """The question-by-question form as a browser submits it: (action, fields)."""
    doc = lxml.html.fromstring(html)
    form = doc.xpath("//form[.//input[@name='format' and @value='formulaire']]")[0]
    return form.get("action"), list(form.form_values())


def _data(fields: list[tuple[str, str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, value in fields:
        out.setdefault(name, []).append(value)
    return out


def _set(fields: list[tuple[str, str]], name: str, value: str) -> list[tuple[str, str]]:
    kept = [(k, v) for k, v in fields if k != name]
    return [*kept, (name, value)] if value else kept


def test_the_sheet_question_by_question(client: Any, login: Callable[[str], Any]) -> None:
    """Every field has its label; an unchanged form saves nothing; adding a question and an
    answer in the spare rows, removing an answer, a stale form (409, what was typed kept), and
    the diff between any two versions."""
    login("redaction")
    page = client.get(URL, headers=HTML)
    _layout_ok(page.text)
    doc = lxml.html.fromstring(page.text)
    for control in doc.xpath("//form//input[not(@type='hidden')] | //form//select | //textarea"):
        assert doc.xpath(f"//label[@for='{control.get('id')}']"), control.get("name")
    action, fields = _form(page.text)
    unchanged = client.post(action, data=_data(fields))
    assert unchanged.status_code == 200
    versions = client.get("/api/escalation-sheets/logement/versions")
    assert versions.status_code == 200 and len(versions.json()) == 1  # no empty version
    bundled = json.loads((BUNDLED_DIR / "logement.json").read_text(encoding="utf-8"))
    first_q, first_answers = bundled["questions"][0], bundled["questions"][0]["answers"]
    spare_q = len(bundled["questions"])
    spare_a = len(first_answers)
    fields = _set(fields, "q-0-text", first_q["text"] + " (reformulée)")
    fields = _set(fields, f"q-0-a-{spare_a}-label", "Il héberge un proche")
    fields = _set(fields, f"q-0-a-{spare_a}-level1", "1")
    fields = _set(fields, "q-0-a-0-delete", "1")
    fields = _set(fields, f"q-{spare_q}-text", "Le logement est-il social ?")
    fields = _set(fields, f"q-{spare_q}-a-0-label", "Oui, HLM")
    fields = _set(fields, f"q-{spare_q}-a-0-sector", "logement")
    fields = _set(fields, f"q-{spare_q}-a-1-label", "Non")
    fields = _set(fields, f"q-{spare_q}-a-1-next", "1")
    saved = client.post(action, data=_data([*fields, ("comment", "Par le formulaire")]))
    assert saved.status_code == 200 and "Nouvelle version enregistrée" in saved.text
    exported = json.loads(client.get(f"{URL}/json").text)
    question = exported["questions"][0]
    assert question["text"].endswith("(reformulée)")
    assert [a["label"] for a in question["answers"]] == [
        *(a["label"] for a in first_answers[1:]),
        "Il héberge un proche",
    ]
    assert question["answers"][-1] == {
        "value": "il_heberge_un_proche",
        "label": "Il héberge un proche",
        "leads_to": {"level1": True},
    }
    added = exported["questions"][-1]
    assert added["id"] == "le_logement_est_il_social"
    assert [a["leads_to"] for a in added["answers"]] == [{"sector": "logement"}, {"continue": True}]
    assert exported["keywords"] == bundled["keywords"]
    # a stale form: 409, and the form shows what the editor typed
    stale = client.post(
        action, data=_data(_set(fields, "label", "Libellé tapé sur une vieille page"))
    )
    assert stale.status_code == 409 and "modifiée entre-temps" in stale.text
    assert 'value="Libellé tapé sur une vieille page"' in stale.text
    typed = _set(fields, "q-0-help", '<script>alert(1)</script>"><img src=x onerror=alert(2)>')
    hostile = client.post(action, data=_data(typed))
    assert hostile.status_code == 409 and "<script>alert(1)" not in hostile.text
    assert "onerror=alert(2)>" not in hostile.text and "&lt;script&gt;" in hostile.text
    # an answer leading nowhere: a French message, nothing stored
    _, current = _form(client.get(URL, headers=HTML).text)
    nowhere = client.post(action, data=_data(_set(current, "q-0-a-0-sector", "")))
    assert nowhere.status_code == 422 and "ne mène nulle part" in nowhere.text
    assert 'value="Le logement est-il social ?"' in nowhere.text  # the typed form is kept
    # the diff between any two versions
    compared = client.get(URL, params={"de": 1, "a": 2}, headers=HTML)
    _layout_ok(compared.text)
    section = lxml.html.fromstring(compared.text).xpath("//section[@id='comparaison']")[0]
    assert "Version 1 → version 2" in section.text_content()
    assert "reformulée" in "".join(section.xpath(".//ins//text()"))
    missing = client.get(URL, params={"de": 1, "a": 99}, headers=HTML)
    assert missing.status_code == 200 and "introuvable" in missing.text
