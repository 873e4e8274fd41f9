"""The editors' watch page: roles, relevant items first with their reasons, filters, escaped and
marked diffs, marking items and whole reports as seen, and the dashboard's count."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import lxml.html
from sqlalchemy import delete
from sqlalchemy.orm import Session

from allo.contacts.models import Contact, ContactEvent
from allo.db.base import utcnow
from allo.kb import changes
from allo.kb.models import ChangeItem, ChangeReport

HTML = {"Accept": "text/html"}
Login = Callable[[str], Any]
XSS = '<script>alert(1)</script><img src=x onerror="alert(2)">'


def _report(db: Session) -> int:
    contact = Contact(channel="phone", question="")
    db.add(contact)
    db.flush()
    db.add_all(
        ContactEvent(
            contact_id=contact.id,
            at=utcnow() - timedelta(days=2),
            kind="consulted",
            queue="niveau1",
            data={"fiche_id": "F66661"},
        )
        for _ in range(4)
    )
    items = [
        changes.ItemDraft("fiche", "new", "F66660", "Fiche sans lien", "Argent", ["particuliers"]),
        changes.ItemDraft(
            "fiche",
            "changed",
            "F66661",
            "Fiche consultée",
            "Travail",
            ["professionnels"],
            ["text"],
            f"Titre : avant → après\n--- avant\n+++ après\n@@ -1 +1 @@\n-ancien {XSS}\n+nouveau {XSS}",
        ),
    ]
    report = changes.record(db, "kb-import", items, domains=["fiche"]).id
    db.commit()
    return report


def _doc(response: Any) -> Any:
    assert response.status_code == 200, response.text[:500]
    return lxml.html.fromstring(response.text)


def test_before_any_import_the_watch_says_where_the_base_comes_from(
    login: Login, db: Session
) -> None:
    # within the test's transaction: other tests' imports may have left reports behind
    db.execute(delete(ChangeItem))
    db.execute(delete(ChangeReport))
    db.commit()
    editor = login("editor")
    board = _doc(editor.get("/redaction", headers=HTML)).text_content()
    assert "rien de nouveau à voir" in board and "0 changement" not in board
    watch = _doc(editor.get("/redaction/veille", headers=HTML)).text_content()
    assert "Aucun import n’a encore été enregistré" in watch
    assert "chargés au premier démarrage" in watch and "allo data sync" in watch


def test_roles(client: Any, login: Login, db: Session) -> None:
    report = _report(db)
    anonymous = client.get(f"/redaction/veille/{report}", headers=HTML, follow_redirects=False)
    assert anonymous.status_code == 303
    assert login("advisor").get("/redaction/veille", headers=HTML).status_code == 403
    supervisor = login("supervisor")
    doc = _doc(supervisor.get(f"/redaction/veille/{report}", headers=HTML))
    assert "Fiche consultée" in doc.text_content()
    assert not doc.xpath("//form[@method='post'][contains(@action,'/vu')]")  # read only
    refused = supervisor.post(f"/redaction/veille/{report}/vu", data={"tout": "1"}, headers=HTML)
    assert refused.status_code == 403
    assert client.get("/redaction/veille/2000000000", headers=HTML).status_code == 404


def test_relevant_items_first_with_escaped_marked_diff(login: Login, db: Session) -> None:
    report = _report(db)
    client = login("editor")
    response = client.get(f"/redaction/veille/{report}", headers=HTML)
    doc = _doc(response)
    titles = [a.text for a in doc.xpath("//ul[contains(@class,'allo-watch')]/li/p/a")]
    assert titles == ["Fiche consultée", "Fiche sans lien"]
    assert "consultée 4 fois en 30 jours" in doc.text_content()
    # the diff: escaped, additions and removals marked
    assert "<script>alert(1)" not in response.text and 'onerror="alert' not in response.text
    assert not doc.xpath("//script[contains(text(),'alert')]") and not doc.xpath("//img[@onerror]")
    assert doc.xpath("//ins[@class='allo-diff__ins']")[0].text == f"+nouveau {XSS}"
    assert doc.xpath("//del[@class='allo-diff__del']")[0].text == f"-ancien {XSS}"
    # filters
    only = _doc(client.get(f"/redaction/veille/{report}?theme=Argent", headers=HTML))
    assert [a.text for a in only.xpath("//ul[contains(@class,'allo-watch')]/li/p/a")] == [
        "Fiche sans lien"
    ]
    pros = _doc(client.get(f"/redaction/veille/{report}?audience=professionnels&action=changed"))
    assert len(pros.xpath("//ul[contains(@class,'allo-watch')]/li")) == 1
    relevant = _doc(client.get(f"/redaction/veille/{report}?relevant=1", headers=HTML))
    assert len(relevant.xpath("//ul[contains(@class,'allo-watch')]/li")) == 1
    home = _doc(client.get("/redaction/veille", headers=HTML))
    assert home.xpath(f"//a[@href='/redaction/veille/{report}']") or home.xpath(
        "//strong[@aria-current='page']"
    )


def test_marking_items_and_a_report_seen(login: Login, db: Session) -> None:
    report = _report(db)
    client = login("editor")
    board = _doc(client.get("/redaction", headers=HTML)).text_content()
    assert re.search(r"[1-9]\d* changements? non vus? touchant le service", board)
    assert "rien de nouveau à voir" not in board
    doc = _doc(client.get(f"/redaction/veille/{report}?unseen=1", headers=HTML))
    boxes = doc.xpath("//form[@id='vus']//input[@name='item']/@value")
    assert len(boxes) == 2
    marked = client.post(
        f"/redaction/veille/{report}/vu",
        data={"item": boxes[0], "unseen": "1"},
        follow_redirects=False,
    )
    assert marked.status_code == 303
    assert marked.headers["location"] == f"/redaction/veille/{report}?unseen=1&vus=1"
    after = _doc(client.get(marked.headers["location"], headers=HTML))
    assert "1 élément marqué comme vu." in after.text_content()
    assert len(after.xpath("//ul[contains(@class,'allo-watch')]/li")) == 1
    empty = client.post(f"/redaction/veille/{report}/vu", data={}, headers=HTML)
    assert empty.status_code == 422 and "Cochez au moins" in empty.text
    bad = client.post(f"/redaction/veille/{report}/vu", data={"item": "x"}, headers=HTML)
    assert bad.status_code == 422
    everything = client.post(f"/redaction/veille/{report}/vu", data={"tout": "1"})
    assert "1 élément marqué comme vu." in everything.text
    with_all = _doc(client.get(f"/redaction/veille/{report}?unseen=1", headers=HTML))
    assert "Aucun élément ne correspond" in with_all.text_content()


def test_office_items_and_pages_beyond_the_first_hundred(login: Login, db: Session) -> None:
    """A big import: fiche items page by page (100 a page), and the directory's offices too."""
    items = [
        changes.ItemDraft("fiche", "new", f"F7{n:04d}", f"Fiche {n}", "Argent", ["particuliers"])
        for n in range(130)
    ]
    items += [
        changes.ItemDraft(
            "office",
            "changed",
            f"mairie-{n}",
            f"Mairie {n}",
            "mairie",
            [],
            ["phone"],
            f"téléphone : 01 00 00 00 0{n} → {XSS}",
        )
        for n in range(3)
    ]
    report = changes.record(db, "kb-import", items, domains=["fiche", "office"]).id
    db.commit()
    client = login("editor")
    first = _doc(client.get(f"/redaction/veille/{report}", headers=HTML))
    listed = first.xpath("//ul[contains(@class,'allo-watch')]/li")
    assert len(listed) == 100
    assert "page 1 sur 2" in first.text_content()
    tags = {a.text_content().strip(): a.get("href") for a in first.xpath("//a[@class='fr-tag']")}
    assert "Fiches (130)" in tags and "Organismes de l'annuaire (3)" in tags
    following = first.xpath("//nav[contains(@class,'fr-pagination')]//a[contains(.,'suivante')]")
    second = _doc(client.get(following[0].get("href"), headers=HTML))
    ids = {x.split(": ")[-1] for x in second.xpath("//form[@id='vus']//label/text()")}
    assert len(ids) == 30 and "F70129" in ids
    item = second.xpath("//form[@id='vus']//input[@name='item']/@value")[0]
    kept = second.xpath("//form[@id='vus']//input[@name='page']/@value")
    back = client.post(
        f"/redaction/veille/{report}/vu", data={"item": item, "page": kept}, follow_redirects=False
    )
    assert back.headers["location"] == f"/redaction/veille/{report}?page=2&vus=1"  # same page
    office_link = tags["Organismes de l'annuaire (3)"]
    offices = client.get(office_link, headers=HTML)
    doc = _doc(offices)
    rows = doc.xpath("//ul[contains(@class,'allo-watch')]/li")
    assert len(rows) == 3 and "Mairie 0" in rows[0].text_content()
    assert rows[0].xpath(".//strong/text()") == ["Modifié"]  # un organisme, not « Modifiée »
    assert doc.xpath("//select[@name='action']/option/text()")[1:] == [
        "Nouveau",
        "Modifié",
        "Retiré",
    ]
    assert "<script>" not in offices.text and "&lt;script&gt;" in offices.text
    assert not doc.xpath("//select[@name='theme']")  # fiche filters do not apply to offices
    box = doc.xpath("//form[@id='vus']//input[@name='item']/@value")[0]
    marked = client.post(
        f"/redaction/veille/{report}/vu",
        data={"item": box, "domaine": "office"},
        follow_redirects=False,
    )
    assert marked.headers["location"] == f"/redaction/veille/{report}?domaine=office&vus=1"
    unseen = _doc(client.get(f"{office_link}&unseen=1", headers=HTML))
    assert len(unseen.xpath("//ul[contains(@class,'allo-watch')]/li")) == 2
    beyond = _doc(client.get(f"/redaction/veille/{report}?page=9", headers=HTML))
    assert "Aucun élément ne correspond à ces filtres sur cette page" in beyond.text_content()
    assert client.get(f"/redaction/veille/{report}?page=0", headers=HTML).status_code == 422


def test_a_report_is_dated_in_the_service_s_time_zone(login: Login, db: Session) -> None:
    """The database keeps UTC: a sync at 23 h 30 UTC on New Year's Eve ran on 1 January in
    Paris, at 0 h 30."""
    item = changes.ItemDraft("fiche", "new", "F66662", "Fiche du Nouvel An", "Argent", [])
    report = changes.record(db, "data-sync", [item], domains=["fiche"])
    report.created_at = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)
    db.commit()
    doc = _doc(login("editor").get(f"/redaction/veille/{report.id}", headers=HTML))
    heading = " ".join(doc.xpath("//h2[@id='elements']")[0].text_content().split())
    assert heading == f"Rapport n° {report.id} du 1er janvier 2027 à 0 h 30"
    listed = " ".join(doc.xpath("//section[@aria-labelledby='rapports']")[0].text_content().split())
    assert "1er janvier 2027 à 0 h 30 · Synchronisation des données" in listed
