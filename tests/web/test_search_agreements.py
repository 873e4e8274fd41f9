"""A search naming a collective agreement (« prime syntec »), or told the caller's (the
consoles' picker, `idcc=`): the agreement and its text on Légifrance beside the fiches, in
/api/search, the portal and the console; the fiches searched without its name; an ordinary
search shows none."""

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


def test_api_search_told_the_caller_s_agreement_gives_it_first(client: Any) -> None:
    listed = client.get("/api/search/agreements").json()["agreements"]
    assert len(listed) >= 40 and {"idcc", "short_title", "title", "url"} <= set(listed[0])
    banque = next(a for a in listed if a["idcc"] == "2120")
    assert banque["short_title"] == "Banque"

    body = client.get("/api/search", params={"q": "prime de fin d'année", "idcc": "2120"}).json()
    assert [a["idcc"] for a in body["agreements"]] == ["2120"]
    assert body["agreement_name"] is None  # nothing typed named it
    assert body["results"]
    both = client.get("/api/search", params={"q": "prime syntec", "idcc": " 02120"}).json()
    assert [a["idcc"] for a in both["agreements"]] == ["2120", "1486"]
    assert both["agreement_name"] == "syntec"
    plain = client.get("/api/search", params={"q": "prime de fin d'année"}).json()
    assert plain["agreements"] == []


def test_api_search_refuses_an_unknown_or_malformed_idcc(client: Any) -> None:
    unknown = client.get("/api/search", params={"q": "prime", "idcc": "9999"})
    assert unknown.status_code == 422
    assert "Convention collective inconnue" in unknown.json()["detail"]
    for wrong in ("abc", "<script>", "123456", "1486;2120"):
        response = client.get("/api/search", params={"q": "prime", "idcc": wrong})
        assert response.status_code == 422, wrong
        assert "<script>" not in response.text


def test_console_picker_keeps_the_caller_s_agreement_across_the_search(login: Any) -> None:
    client = login("advisor")
    page = client.get("/console", params={"q": "prime de fin d'année", "idcc": "2120"})
    assert page.status_code == 200
    assert "default-src" in page.headers["Content-Security-Policy"]
    doc = lxml.html.fromstring(page.text)
    picker = doc.xpath("//select[@id='console-idcc']")[0]
    options = picker.xpath("./option")
    assert len(options) >= 41 and options[0].get("value") == ""
    assert [o.get("value") for o in options if o.get("selected") is not None] == ["2120"]
    callout = doc.xpath("//div[contains(@class, 'allo-agreement')]")
    assert callout and "Convention collective de l’appelant" in callout[0].text_content()
    assert "IDCC 2120" in callout[0].text_content()
    links = doc.xpath("//ol[@class='allo-console-results']/li/a/@href")
    assert links and all("idcc=2120" in href for href in links)
    # the fiche opened from the results keeps the choice
    opened = lxml.html.fromstring(client.get(links[0].split("#")[0]).text)
    assert opened.xpath("//select[@id='console-idcc']/option[@selected]/@value") == ["2120"]

    # typed without its zeros: the list's own number is selected
    short = lxml.html.fromstring(client.get("/console", params={"q": "prime", "idcc": "44"}).text)
    assert short.xpath("//select[@id='console-idcc']/option[@selected]/@value") == ["0044"]

    fragment = client.get(
        "/console/recherche", params={"q": "prime de fin d'année", "idcc": "2120"}, headers=HTMX
    )
    found = lxml.html.fromstring(fragment.text)
    assert "IDCC 2120" in found.xpath("//div[contains(@class, 'allo-agreement')]")[0].text_content()
    assert all("idcc=2120" in h for h in found.xpath("//ol/li/a/@href"))
    none = client.get("/console", params={"q": "prime de fin d'année"}).text
    assert "allo-agreement" not in none


def test_console_refuses_an_unknown_idcc_with_a_message_and_no_markup(login: Any) -> None:
    client = login("advisor")
    page = client.get("/console", params={"q": "prime", "idcc": "<b>x</b>"})
    assert page.status_code == 200
    assert "Convention collective inconnue" in page.text
    assert "<b>x</b>" not in page.text  # shown as text, escaped
    doc = lxml.html.fromstring(page.text)
    assert doc.xpath("//select[@id='console-idcc']/option[@selected]/@value") == [""]
    # the fiches are still searched, without an agreement
    assert doc.xpath("//ol[@class='allo-console-results']/li")
    assert not doc.xpath("//div[contains(@class, 'allo-agreement')]")
    fragment = client.get("/console/recherche", params={"q": "prime", "idcc": "9999"}, headers=HTMX)
    assert fragment.status_code == 422
    assert client.get("/console", params={"q": "prime", "idcc": "123456789"}).status_code == 422
