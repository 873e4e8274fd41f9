"""A search naming a collective agreement (« prime syntec »): the agreement and its text on
Légifrance beside the fiches, in /api/search, the portal and the console; the fiches searched
without its name; an ordinary search shows none."""

from __future__ import annotations

from typing import Any

import lxml.html

HTML = {"Accept": "text/html"}
HTMX = {"HX-Request": "true"}


def test_api_search_names_the_agreement_and_searches_the_fiches_without_it(client: Any) -> None:
    body = client.get("/api/search", params={"q": "prime de vacances syntec"}).json()
    assert body["agreement_name"] == "syntec"
    assert [a["idcc"] for a in body["agreements"]] == ["1486"]
    assert body["agreements"][0]["url"].startswith("https://www.legifrance.gouv.fr/conv_coll/")
    assert body["results"]
    plain = client.get("/api/search", params={"q": "carte grise perdue"}).json()
    assert plain["agreements"] == [] and plain["agreement_name"] is None


def test_portal_search_shows_the_agreement_above_the_fiches(client: Any) -> None:
    response = client.get("/recherche", params={"q": "prime de vacances syntec"}, headers=HTML)
    assert response.status_code == 200
    assert "default-src" in response.headers["Content-Security-Policy"]
    doc = lxml.html.fromstring(response.text)
    callout = doc.xpath("//div[contains(@class, 'allo-agreement')]")
    assert callout and "IDCC 1486" in callout[0].text_content()
    link = callout[0].xpath(".//a")[0]
    assert link.get("href").startswith("https://www.legifrance.gouv.fr/")
    assert link.get("rel") == "noopener" and link.get("target") == "_blank"
    assert doc.xpath("//ul[@class='allo-results']/li")
    other = client.get("/recherche", params={"q": "carte grise perdue"}, headers=HTML).text
    assert "allo-agreement" not in other


def test_typed_markup_around_the_name_is_shown_as_text(client: Any) -> None:
    response = client.get("/recherche", params={"q": "prime <a>syntec</a>"}, headers=HTML)
    doc = lxml.html.fromstring(response.text)
    callout = doc.xpath("//div[contains(@class, 'allo-agreement')]")
    assert callout, "the name is still recognised"
    links = callout[0].xpath(".//a")
    assert len(links) == 1 and links[0].get("href").startswith("https://www.legifrance.gouv.fr/")
    assert "« <a>syntec</a> »" in callout[0].text_content()


def test_console_search_shows_the_agreement(login: Any) -> None:
    client = login("advisor")
    fragment = client.get(
        "/console/recherche", params={"q": "travail de nuit syntec"}, headers=HTMX
    ).text
    doc = lxml.html.fromstring(fragment)
    callout = doc.xpath("//div[contains(@class, 'allo-agreement')]")
    assert callout and "IDCC 1486" in callout[0].text_content()
    assert doc.xpath("//ol[@class='allo-console-results']/li")
    page = client.get("/console", params={"q": "prime hcr"}).text
    assert "IDCC 1979" in page
