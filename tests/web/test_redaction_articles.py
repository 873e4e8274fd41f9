"""The legal watch by article (`/redaction/articles`): roles, every fiche citing the article with
the reference that covers it, the service's own fiches first then the official ones it relies
on, French refusals, and what is typed shown as text."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import lxml.html
from sqlalchemy.orm import Session

from allo.contacts.models import Agent
from allo.kb.local import services
from allo.kb.local.services import Policy

HTML = {"Accept": "text/html"}
Login = Callable[[str], Any]
#: the bundled labour fiche « Le changement de la situation juridique de l'employeur »
TRANSFER = "article100989"
XSS = '<script>alert(1)</script><img src=x onerror="alert(2)">'


def _doc(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text[:500]
    return lxml.html.fromstring(response.text)


def _content(**overrides: Any) -> dict[str, Any]:
    """A local fiche's content citing L1224-1 in its references (« sites »)."""
    data: dict[str, Any] = {
        "title": "Reprise d'une entreprise : ce que dit le conseiller",
        "summary": "Les contrats de travail passent au repreneur.",
        "audiences": ["particuliers"],
        "sector": "travail",
        "theme": "Travail",
        "keywords": ["reprise"],
        "body": "## Le principe\n\nLes contrats en cours passent au nouvel employeur.\n",
        "advisor_note": "",
        "related": [],
        "pivots": [],
        "services": [],
        "sites": [
            {
                "title": "Code du travail : articles L1224-1 à L1224-4",
                "url": "https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000006900875",
            }
        ],
        "public": False,
    }
    data.update(overrides)
    return data


def _local_fiche(db: Session, editor: Agent, *, publish: bool = True, **overrides: Any) -> str:
    """A local fiche citing L1224-1, published unless told."""
    fiche = services.create(db, editor, _content(**overrides))
    if publish:
        services.publish(db, editor, fiche.id, Policy(four_eyes=False), today=date(2026, 12, 5))
    db.commit()
    return fiche.id


def test_roles(client: Any, login: Login) -> None:
    url = "/redaction/articles?article=L1224-1"
    anonymous = client.get(url, headers=HTML, follow_redirects=False)
    assert anonymous.status_code == 303 and "/connexion" in anonymous.headers["location"]
    assert login("advisor").get(url, headers=HTML).status_code == 403
    assert login("specialist").get(url, headers=HTML).status_code == 403
    doc = _doc(login("supervisor").get(url, headers=HTML))
    assert "Le changement de la situation juridique" in doc.text_content()


def test_the_service_s_fiches_first_then_those_it_relies_on(
    login: Login, db: Session, make_agent: Callable[..., Agent]
) -> None:
    editor = make_agent("editor")
    own = _local_fiche(db, editor)
    draft = _local_fiche(
        db,
        editor,
        publish=False,
        title="Transfert des contrats : brouillon",
        sites=[{"title": "Code du travail : article L1224-1", "url": "https://legifrance.test/a"}],
    )
    uncited = _local_fiche(db, editor, title="Autre", sites=[])
    services.adapt(db, editor, TRANSFER)  # a draft adapted from the labour fiche: relied on
    db.commit()
    client = login("editor")
    response = client.get("/redaction/articles", params={"article": "L1224-1"}, headers=HTML)
    assert "default-src" in response.headers["Content-Security-Policy"]
    doc = _doc(response)
    (section,) = doc.xpath("//section[contains(@class,'allo-cited-article')]")
    heading = section.xpath(".//h2")[0]
    assert "L1224-1" in heading.text_content() and "(Code du travail)" in heading.text_content()
    legifrance = heading.xpath(".//a")[0]
    assert legifrance.get("href").startswith("https://www.legifrance.gouv.fr/")
    assert legifrance.get("rel") == "noopener" and legifrance.get("target") == "_blank"
    links = [a.get("href") for a in section.xpath(".//ul/li/p[1]/a")]
    # the service's own fiches first, drafts included, to their editor's form; then the
    # adapted official one
    assert links[:3] == [
        f"/redaction/fiches/{own}",
        f"/redaction/fiches/{draft}",
        f"/fiches/{TRANSFER}",
    ]
    assert f"/redaction/fiches/{uncited}" not in links
    first, second, third = section.xpath("./ul/li")[:3]
    assert "Fiche du service" in first.text_content() and "Publiée" in first.text_content()
    assert "Référence : Code du travail : articles L1224-1 à L1224-4" in first.text_content()
    assert "Brouillon" in second.text_content()
    assert "Référence : Code du travail : article L1224-1" in second.text_content()
    assert "fiche adaptée par le service" in third.text_content()
    assert links.count(f"/redaction/fiches/{own}") == 1  # not again from the index
    counts = section.xpath("./p[contains(@class,'fr-text--sm')]")[0].text_content()
    assert "dont 2 du service et 1 fiche officielle dont le service dépend" in counts
    # a supervisor reads the service's published fiche, not its editor's form; a draft unlinked
    supervisor = _doc(login("supervisor").get("/redaction/articles?article=L1224-1"))
    assert supervisor.xpath(f"//a[@href='/fiches/{own}']")
    assert not supervisor.xpath("//a[contains(@href, '/redaction/fiches/')]")
    assert "Transfert des contrats : brouillon" in supervisor.text_content()
    assert not supervisor.xpath(f"//a[@href='/fiches/{draft}']")
    # a published fiche being edited: a draft again, its published version still read
    services.update(db, editor, own, _content(title="Reprise : nouvelle rédaction"), 1)
    db.commit()
    edited = _doc(login("supervisor").get("/redaction/articles?article=L1224-1"))
    line = edited.xpath(f"//li[.//a[@href='/fiches/{own}']]")[0].text_content()
    assert "Brouillon (une version publiée en ligne)" in line


def test_the_watch_and_the_dashboard_link_to_it(login: Login) -> None:
    client = login("editor")
    for page in ("/redaction", "/redaction/veille"):
        assert _doc(client.get(page, headers=HTML)).xpath("//a[@href='/redaction/articles']")
    empty = _doc(client.get("/redaction/articles", headers=HTML))
    assert empty.xpath("//input[@name='article'][@maxlength='300']")
    assert not empty.xpath("//section[contains(@class,'allo-cited-article')]")


def test_several_articles_and_one_nobody_cites(login: Login) -> None:
    client = login("editor")
    doc = _doc(client.get("/redaction/articles", params={"article": "L1224-1 et L9999-9"}))
    sections = doc.xpath("//section[contains(@class,'allo-cited-article')]")
    assert [s.xpath(".//h2")[0].text_content().split()[1] for s in sections] == [
        "L1224-1",
        "L9999-9",
    ]
    assert "Aucune fiche ne cite cet article" in sections[1].text_content()


def test_what_names_no_article_is_refused_in_french_and_shown_as_text(login: Login) -> None:
    client = login("editor")
    refused = client.get("/redaction/articles", params={"article": f"licenciement {XSS}"})
    doc = _doc(refused, 422)
    assert "Aucun article de code reconnu" in doc.xpath("//p[@id='article-erreur']")[0].text
    assert doc.xpath("//input[@name='article']")[0].get("value") == f"licenciement {XSS}"
    assert "<script>alert(1)" not in refused.text and not doc.xpath("//img[@onerror]")
    long = _doc(client.get("/redaction/articles", params={"article": "L1224-1 " + "x" * 400}), 422)
    assert "300 caractères au plus" in long.text_content()
    huge = client.get("/redaction/articles", params={"article": "x" * 3000}, headers=HTML)
    assert huge.status_code == 422 and "Article de code : au plus 2\u202f000" in huge.text


def test_the_api_serves_the_same_list_to_editors_and_supervisors(
    client: Any, db: Session, make_agent: Callable[..., Agent], token: Callable[..., Any]
) -> None:
    editor = make_agent("editor")
    draft = _local_fiche(db, editor, publish=False, title="Reprise : brouillon")
    services.adapt(db, editor, TRANSFER)
    db.commit()
    url = "/api/kb/articles"
    assert client.get(url, params={"article": "L1224-1"}).status_code == 401
    advisor = client.get(url, params={"article": "L1224-1"}, headers=token("advisor"))
    assert advisor.status_code == 403
    for role in ("editor", "supervisor"):
        answer = client.get(url, params={"article": "L1224-1"}, headers=token(role))
        assert answer.status_code == 200, answer.text
        (article,) = answer.json()
        assert (article["article"], article["code"]) == ("L1224-1", "Code du travail")
        first, second = article["fiches"][:2]
        assert (first["id"], first["source"], first["state"]) == (draft, "local", "draft")
        assert first["published"] is False
        assert first["reference"] == "Code du travail : articles L1224-1 à L1224-4"
        assert second["id"] == TRANSFER and second["source"] == "travail"
        assert [r["kind"] for r in second["reasons"]] == ["adapted"]
    headers = token("editor")
    refused = client.get(url, params={"article": "licenciement"}, headers=headers)
    assert refused.status_code == 422
    assert "Aucun article de code reconnu" in refused.json()["detail"]
    for bad in ({"article": ""}, {"article": "L1224-1 " + "x" * 400}, {}):
        assert client.get(url, params=bad, headers=headers).status_code == 422
