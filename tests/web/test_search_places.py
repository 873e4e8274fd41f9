"""A search naming an office type and a place ("caf lyon"): the competent offices beside the
fiches, in /api/search and on the portal's results page; the fiches searched without the place."""

from __future__ import annotations

from typing import Any

import lxml.html

HTML = {"Accept": "text/html"}
HTMX = {"HX-Request": "true"}


def test_api_search_returns_the_competent_offices_and_searches_fiches_without_the_place(
    client: Any,
) -> None:
    body = client.get("/api/search", params={"q": "prefecture metz carte grise"}).json()
    assert body["fiche_query"] == "prefecture carte grise"
    assert body["place"]["insee"] == "57463"
    assert body["office_type"]["code"] == "prefecture"
    assert body["offices"][0]["id"] == "prefecture-57463-01"
    assert "open" in body["offices"][0] and body["offices"][0]["hours"]
    without = client.get("/api/search", params={"q": "prefecture carte grise"}).json()
    assert [r["id"] for r in body["results"]] == [r["id"] for r in without["results"]]
    assert without["offices"] == [] and without["place"] is None


def test_api_search_without_a_place_has_no_offices(client: Any) -> None:
    body = client.get("/api/search", params={"q": "carte grise perdue"}).json()
    assert body["offices"] == [] and body["fiche_query"] is None
    assert body["results"]


def test_portal_search_shows_the_office_card_above_the_fiches(client: Any) -> None:
    response = client.get("/recherche", params={"q": "caf st etienne"}, headers=HTML)
    assert response.status_code == 200
    doc = lxml.html.fromstring(response.text)
    heading = " ".join(doc.get_element_by_id("ou-s-adresser-titre").text_content().split())
    assert "Saint-Étienne (42)" in heading
    cards = doc.xpath("//article[contains(@class, 'allo-office')]")
    assert cards and cards[0].get("aria-labelledby").startswith("organisme-caf-42218")
    assert doc.xpath("//ul[@class='allo-results']/li")  # the fiches are still there
    assert "maintenant" in cards[0].text_content() or "inconnus" in cards[0].text_content()


def test_portal_search_without_a_place_has_no_office_card(client: Any) -> None:
    response = client.get("/recherche", params={"q": "carte grise perdue"}, headers=HTML)
    doc = lxml.html.fromstring(response.text)
    assert not doc.xpath("//article[contains(@class, 'allo-office')]")


def test_console_search_shows_the_offices_and_fiches_without_the_place(login: Any) -> None:
    client = login("advisor")
    fragment = client.get(
        "/console/recherche", params={"q": "prefecture metz carte grise"}, headers=HTMX
    ).text
    doc = lxml.html.fromstring(fragment)
    assert doc.xpath("//article[@aria-labelledby='organisme-prefecture-57463-01']")
    assert doc.xpath("//ol[@class='allo-console-results']/li")
    page = client.get("/console", params={"q": "caf st etienne"}).text
    assert "organisme-caf-42218" in page


def _result_links(client: Any, query: str) -> list[str]:
    response = client.get("/recherche", params={"q": query}, headers=HTML)
    doc = lxml.html.fromstring(response.text)
    return [str(a.get("href")) for a in doc.xpath("//ul[@class='allo-results']/li//a[@href]")]


def test_an_ordinary_word_of_the_fiches_is_no_place(client: Any) -> None:
    # « titre » is Le Titre (Somme) and « frais » Frais (Territoire de Belfort)
    for query in ("prefecture titre de sejour", "caf frais de garde"):
        body = client.get("/api/search", params={"q": query}).json()
        assert body["place"] is None and body["offices"] == [] and body["fiche_query"] is None
        doc = lxml.html.fromstring(client.get("/recherche", params={"q": query}, headers=HTML).text)
        assert not doc.xpath("//article[contains(@class, 'allo-office')]")
    named = client.get("/api/search", params={"q": "prefecture lyon titre de sejour"}).json()
    assert named["place"]["insee"] == "69123"
    assert named["fiche_query"] == "prefecture titre de sejour"


def test_portal_passages_are_chosen_without_the_place_words(client: Any) -> None:
    # « Paris » is a word of the fiches' cases (« Vous résidez à Paris »)
    query = "prefecture paris titre de sejour"
    links = _result_links(client, query)
    assert any("#" in link for link in links)
    assert links == _result_links(client, "prefecture titre de sejour")


def test_tribunal_and_a_city_orient_to_its_tribunal_judiciaire(client: Any) -> None:
    body = client.get("/api/search", params={"q": "tribunal nantes divorce"}).json()
    assert body["office_type"]["code"] == "tgi"
    assert body["offices"][0]["name"] == "Tribunal de grande instance de Nantes"
    assert body["fiche_query"] == "tribunal divorce"
    # a court named in full stays that court
    named = client.get("/api/search", params={"q": "tribunal administratif nantes"}).json()
    assert named["office_type"]["code"] == "ta"
