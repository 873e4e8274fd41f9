"""A search naming a code article (« L1224-1 »): the article, its code and its text on
Légifrance above the fiches that cite it, in /api/search, the portal and the console; an
ordinary search shows none."""

from __future__ import annotations

from typing import Any

import lxml.html

HTML = {"Accept": "text/html"}
HTMX = {"HX-Request": "true"}


def test_api_search_names_the_article_and_puts_its_fiches_first(client: Any) -> None:
    body = client.get("/api/search", params={"q": "L1224-1"}).json()
    assert body["results"][0]["id"] == "article100989"
    (article,) = body["legal_articles"]
    assert (article["article"], article["code"]) == ("L1224-1", "Code du travail")
    assert article["url"].startswith("https://www.legifrance.gouv.fr/")
    assert article["fiches"] >= 1
    plain = client.get("/api/search", params={"q": "carte grise perdue"}).json()
    assert plain["legal_articles"] == []


def test_portal_search_shows_the_article_above_the_fiches(client: Any) -> None:
    response = client.get("/recherche", params={"q": "article L1224-1"}, headers=HTML)
    assert response.status_code == 200
    assert "default-src" in response.headers["Content-Security-Policy"]
    doc = lxml.html.fromstring(response.text)
    callout = doc.xpath("//div[contains(@class, 'allo-articles')]")
    assert callout and "Code du travail" in callout[0].text_content()
    link = callout[0].xpath(".//a")[0]
    assert link.text_content() == "L1224-1"
    assert link.get("href").startswith("https://www.legifrance.gouv.fr/")
    assert link.get("rel") == "noopener" and link.get("target") == "_blank"
    first = doc.xpath("//ul[@class='allo-results']/li//a")[0]
    assert "situation juridique" in first.text_content()
    other = client.get("/recherche", params={"q": "carte grise perdue"}, headers=HTML).text
    assert "allo-articles" not in other


def test_typed_markup_beside_the_article_is_shown_as_text(client: Any) -> None:
    response = client.get(
        "/recherche", params={"q": "L1224-1 <script>alert(1)</script>"}, headers=HTML
    )
    assert response.status_code == 200
    doc = lxml.html.fromstring(response.text)
    assert doc.xpath("//div[contains(@class, 'allo-articles')]")
    assert not [s for s in doc.xpath("//script") if "alert(1)" in (s.text or "")]
    assert "<script>alert(1)</script>" not in response.text


def test_console_search_shows_the_article(login: Any) -> None:
    client = login("advisor")
    fragment = client.get("/console/recherche", params={"q": "R.4624-10"}, headers=HTMX).text
    doc = lxml.html.fromstring(fragment)
    callout = doc.xpath("//div[contains(@class, 'allo-articles')]")
    assert callout and "R4624-10" in callout[0].text_content()
    assert doc.xpath("//ol[@class='allo-console-results']/li")
    page = client.get("/console", params={"q": "L1225-17"}).text
    assert "allo-articles" in page and "L1225-17" in page
