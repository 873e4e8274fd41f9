"""The backlog seen in the pages: flagging from both consoles, the editors' flags page (answer,
roles, escaped notes) and the gaps page — server-side, with the bundled demo team."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlparse

import lxml.html
import pytest

from allo.backlog import repository
from allo.backlog.models import FLAG_KINDS
from allo.db.base import utcnow

HTML = {"Accept": "text/html"}
Login = Callable[[str], Any]
XSS = '<script>alert(1)</script><img src=x onerror="alert(2)"> fiche fausse'


def _doc(response: Any) -> Any:
    return lxml.html.fromstring(response.text)


def _flag(client: Any, console: str = "/console", **fields: str) -> Any:
    data = {"retour": console, "fiche_id": "F1726", "kind": "obsolete", "note": "", **fields}
    return client.post("/console/signalements", data=data, follow_redirects=False)


def test_the_fiche_read_in_the_console_offers_every_kind_of_flag(login: Login) -> None:
    doc = _doc(login("advisor").get("/console?fiche=F1726", headers=HTML))
    form = doc.xpath("//form[@action='/console/signalements'][.//input[@name='fiche_id']]")[0]
    assert form.xpath(".//input[@name='fiche_id']/@value") == ["F1726"]
    kinds = {b.get("value"): b.text_content().strip() for b in form.xpath(".//button")}
    assert kinds == FLAG_KINDS


def test_an_advisor_flags_a_fiche_and_sees_it_on_the_console(login: Login) -> None:
    client = login("advisor")
    response = _flag(client, kind="a_corriger", note="Le montant a changé au 1er avril")
    assert response.status_code == 303
    target = urlparse(response.headers["location"])
    query = parse_qs(target.query)
    assert target.path == "/console" and query["fait"] == ["signale"]
    assert query["fiche"] == ["F1726"]  # the fiche stays open
    doc = _doc(client.get(response.headers["location"], headers=HTML))
    assert "envoyé à l’équipe de rédaction" in doc.xpath("//div[@role='status']")[0].text_content()
    mine = doc.xpath("//section[@id='vos-signalements']")[0].text_content()
    assert "À corriger" in mine and "À traiter" in mine and "1er avril" in mine


def test_a_failed_flag_shows_the_console_with_the_french_error(login: Login) -> None:
    client = login("advisor")
    response = _flag(client, kind="a_corriger", note="x" * 600)
    assert response.status_code == 422
    assert "trop longue" in _doc(response).xpath("//div[@role='alert']")[0].text_content()
    missing = _flag(client, fiche_id="", kind="manque", note="")
    assert missing.status_code == 422


def test_a_specialist_flags_from_the_specialist_console(login: Login) -> None:
    response = _flag(login("specialist"), "/specialiste", kind="incomplete")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/specialiste?fait=signale")


@pytest.mark.parametrize("path", ["/redaction/signalements", "/redaction/manques"])
def test_editor_pages_are_for_editors(client: Any, login: Login, path: str) -> None:
    anonymous = client.get(path, headers=HTML, follow_redirects=False)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/connexion?suivant=")
    assert login("advisor").get(path, headers=HTML).status_code == 403
    assert login("editor").get(path, headers=HTML).status_code == 200


def test_handling_a_flag_needs_an_editor(client: Any, login: Login) -> None:
    _flag(login("advisor"))
    handle = "/redaction/signalements/1/traiter"
    client.cookies.clear()
    anonymous = client.post(handle, data={"reponse": "x"}, follow_redirects=False)
    assert anonymous.status_code == 303
    assert login("advisor").post(handle, data={"reponse": "x"}, headers=HTML).status_code == 403


def test_an_editor_answers_a_flag_and_the_advisor_reads_the_answer(login: Login) -> None:
    advisor = login("advisor")
    assert _flag(advisor, note=XSS).status_code == 303
    editor = login("editor")
    page = editor.get("/redaction/signalements", headers=HTML)
    doc = _doc(page)
    # the note is shown as text: no element, no handler came from it
    assert not doc.xpath("//main//script") and not doc.xpath("//img[@onerror]")
    assert "<script>alert(1)</script>" in doc.xpath("//main")[0].text_content()
    assert "&lt;script&gt;" in page.text
    form = doc.xpath("//form[contains(@action, '/traiter')]")[0]
    action = form.get("action")
    too_long = editor.post(action, data={"reponse": "x" * 1200}, headers=HTML)
    assert too_long.status_code == 422
    assert "trop longue" in _doc(too_long).xpath("//div[@role='alert']")[0].text_content()
    done = editor.post(action, data={"reponse": "La fiche est à jour."}, follow_redirects=False)
    assert done.status_code == 303 and "fait=traite" in done.headers["location"]
    shown = _doc(editor.get(done.headers["location"], headers=HTML))
    assert "marqué traité" in shown.xpath("//div[@role='status']")[0].text_content()
    assert not shown.xpath("//form[contains(@action, '/traiter')]")  # nothing left to handle
    twice = editor.post(action, data={"reponse": "bis"}, headers=HTML)
    assert twice.status_code == 409

    console = _doc(login("advisor").get("/console", headers=HTML))
    mine = console.xpath("//section[@id='vos-signalements']")[0].text_content()
    assert "Traité" in mine and "La fiche est à jour." in mine


def test_the_gaps_page_lists_grouped_wordings(login: Login, db: Any) -> None:
    today = utcnow().date()
    repository.add_query_counts(
        db,
        [
            {"day": today, "wording": w, "searches": n, "empty": n, "opened": 0}
            for w, n in [("aidants familiaux conge", 3), ("conge aidant familial", 2), ("x y", 1)]
        ],
    )
    db.commit()
    editor = login("editor")
    doc = _doc(editor.get("/redaction/manques?jours=7", headers=HTML))
    assert doc.xpath("//select[@id='jours']/option[@selected]/@value") == ["7"]
    rows = [" ".join(r.text_content().split()) for r in doc.xpath("//tbody/tr")]
    assert rows[0].startswith("aidants familiaux conge Aussi : « conge aidant familial » (2) 5")
    assert "Recherche du portail sans résultat : 5" in rows[0]
    bad = editor.get("/redaction/manques?jours=0", headers=HTML)
    assert bad.status_code == 422
