"""The citizen portal's pages over the bundled real data (server-side; the browser tests drive
the same pages in Chromium)."""

from __future__ import annotations

from typing import Any

import lxml.html
import pytest

from allo.kb import services as kb
from allo.kb.render.dsfr import layout

HTML = {"Accept": "text/html"}
HTMX = {"HX-Request": "true"}
#: the fiche a citizen finds for « carte grise perdue » (bundled sample); it names two local
#: offices: the Maison de services au public and the police station
LOST_REGISTRATION = "F1726"


def _doc(response: Any) -> Any:
    assert response.status_code == 200, response.text[:500]
    return lxml.html.fromstring(response.text)


def test_home_announces_the_real_number_of_fiches(client: Any, db: Any) -> None:
    from allo.kb.services import answer_count

    count = answer_count(db)
    assert count > 1000
    text = " ".join(
        _doc(client.get("/", headers=HTML)).xpath("//p[@class='fr-tile__desc']//text()")
    )
    assert f"{count:,}".replace(",", "\u202f") + " fiches pratiques" in text
    assert "4 000" not in text


def test_home_has_the_search_form_and_frequent_searches(client: Any) -> None:
    doc = _doc(client.get("/", headers=HTML))
    form = doc.xpath("//form[@action='/recherche']")[0]
    assert form.xpath(".//input[@name='q' and @type='search']")
    assert form.xpath(".//input[@hx-get='/recherche/suggestions']")
    tags = doc.xpath("//ul[contains(@class,'fr-tags-group')]//a/@href")
    assert "/recherche?q=carte+grise+perdue" in tags
    themes = doc.xpath("//ul[@aria-labelledby='themes-1']//a")
    assert doc.findtext(".//h3[@id='themes-1']") == "Particuliers"
    assert themes and all(a.get("href").startswith("/fiches/N") for a in themes)
    assert (
        "du lundi au vendredi de 8 h à 20 h"
        in doc.xpath("//div[contains(@class,'fr-callout')]")[0].text_content().lower()
    )


def test_search_finds_the_lost_registration_fiche(client: Any) -> None:
    doc = _doc(client.get("/recherche", params={"q": "carte grise perdue"}, headers=HTML))
    assert doc.findtext(".//h1") == "Résultats pour « carte grise perdue »"
    # a result links to its fiche, at the passage that answers (#anchor)
    links = [h.split("#")[0] for h in doc.xpath("//ul[@class='allo-results']//h3/a/@href")]
    assert f"/fiches/{LOST_REGISTRATION}" in links[:5]
    assert doc.xpath("//input[@id='q']/@value") == ["carte grise perdue"]


def test_search_filters_by_audience(client: Any) -> None:
    doc = _doc(
        client.get("/recherche", params={"q": "créer une entreprise", "audience": "professionnels"})
    )
    cards = doc.xpath("//ul[@class='allo-results']/li")
    assert cards
    for card in cards:
        assert "Professionnels" in card.xpath(".//p[contains(@class,'fr-badge')]/text()")
    assert doc.xpath("//input[@name='audience' and @value='professionnels']/@checked")


def test_search_without_query_offers_frequent_searches(client: Any) -> None:
    doc = _doc(client.get("/recherche", headers=HTML))
    assert doc.findtext(".//h1") == "Rechercher"
    assert not doc.xpath("//ul[@class='allo-results']")
    assert doc.xpath("//a[@class='fr-tag' and @href='/recherche?q=carte+grise+perdue']")


def test_search_with_no_result_says_so_in_french(client: Any) -> None:
    doc = _doc(client.get("/recherche", params={"q": "zzqxw wxqzz"}, headers=HTML))
    alert = doc.xpath("//div[contains(@class,'fr-alert--info')]")[0]
    assert "Aucune fiche ne correspond" in alert.text_content()
    assert doc.xpath("//a[@href='/poser-une-question']")


def test_too_long_query_is_a_french_form_error(client: Any) -> None:
    doc = _doc(client.get("/recherche", params={"q": "impôt " * 60}, headers=HTML))
    assert "trop longue" in doc.xpath("//p[@id='q-erreur']")[0].text_content()
    assert doc.xpath("//input[@id='q' and contains(@class,'fr-input--error')]")


def test_suggestions_fragment_lists_fiches_as_you_type(client: Any) -> None:
    response = client.get("/recherche/suggestions", params={"q": "carte gr"}, headers=HTMX)
    assert response.status_code == 200
    assert "<html" not in response.text
    doc = lxml.html.fromstring(response.text)
    links = doc.xpath("//a/@href")
    assert any(href.startswith("/fiches/") for href in links)
    assert links[-1] == "/recherche?q=carte+gr"
    assert all("carte" in a.text_content().lower() for a in doc.xpath("//a")[:-1])


@pytest.mark.parametrize("q", ["", " ", "c"])
def test_suggestions_are_empty_until_two_characters(client: Any, q: str) -> None:
    response = client.get("/recherche/suggestions", params={"q": q}, headers=HTMX)
    assert response.status_code == 200
    assert response.text == ""


def test_fiche_page_renders_situations_as_tabs_and_offers_the_local_box(client: Any) -> None:
    doc = _doc(client.get(f"/fiches/{LOST_REGISTRATION}", headers=HTML))
    assert doc.findtext(".//h1").startswith("Perte, vol ou détérioration de la carte grise")
    crumbs = [a.text_content() for a in doc.xpath("//nav[@class='fr-breadcrumb']//a")]
    assert crumbs[0] == "Accueil" and "Carte grise (certificat d'immatriculation)" in crumbs
    tabs = doc.xpath("//ul[@class='fr-tabs__list']/li/button")
    assert [t.text_content() for t in tabs] == ["Perte", "Vol", "Détérioration"]
    for tab in tabs:
        panel = doc.xpath(f"//*[@id='{tab.get('aria-controls')}']")[0]
        assert panel.get("role") == "tabpanel"
    box = doc.xpath("//section[@id='ou-s-adresser']")[0]
    assert "Commissariat de police" in box.text_content()
    assert box.xpath(".//form[@hx-get='/fiches/F1726/ou-s-adresser']//input[@name='place']")
    cards = doc.xpath("//div[contains(@class,'allo-ou-s-adresser') and @data-pivot]")
    assert cards and all(
        card.xpath(".//div[@class='fr-card__content']/p[@class='fr-card__end']/a/@href")
        == ["#ou-s-adresser"]
        for card in cards
    )
    assert "allo:ou-s-adresser" not in doc.text_content()


def test_office_cards_point_to_the_box_only_when_the_page_has_one() -> None:
    from allo.web.pages._fiche_html import present

    card = layout(
        '<div class="allo-ou-s-adresser fr-card" data-pivot="mairie"><div class="fr-card__body">'
        '<div class="fr-card__content"><p class="fr-card__title">Mairie</p></div></div></div>'
    )
    with_box = lxml.html.fromstring(present(card, local_box=True))
    assert with_box.xpath("//div[@class='fr-card__content']/p[2]/a/@href") == ["#ou-s-adresser"]
    without = present(card, local_box=False)
    assert "<!--" not in without and "#ou-s-adresser" not in without


def test_fiche_box_finds_the_police_station_with_its_hours_without_javascript(
    client: Any,
) -> None:
    doc = _doc(client.get(f"/fiches/{LOST_REGISTRATION}", params={"place": "42000"}))
    box = doc.xpath("//section[@id='ou-s-adresser']")[0]
    assert "Saint-Étienne (42)" in box.text_content()
    titles = [
        t.text_content() for t in box.xpath(".//article//*[contains(@class,'fr-card__title')]")
    ]
    assert any("Commissariat" in t for t in titles)
    days = box.xpath(".//table[@class='allo-hours']//th/text()")
    assert days[:2] == ["Lundi", "Mardi"]


def test_fiche_box_fragment_is_the_box_alone(client: Any) -> None:
    response = client.get(
        f"/fiches/{LOST_REGISTRATION}/ou-s-adresser", params={"place": "42000"}, headers=HTMX
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    doc = lxml.html.fromstring(response.text)
    assert doc.get("id") == "ou-s-adresser-boite"
    assert doc.xpath(".//table[@class='allo-hours']")


def test_fiche_box_explains_an_unknown_commune_and_suggests_close_ones(client: Any) -> None:
    response = client.get(
        f"/fiches/{LOST_REGISTRATION}/ou-s-adresser", params={"place": "Sant-Etiene"}, headers=HTMX
    )
    doc = lxml.html.fromstring(response.text)
    assert "Commune introuvable" in doc.xpath("//p[@id='ou-s-adresser-erreur']")[0].text_content()
    suggestions = doc.xpath("//ul[contains(@class,'fr-tags-group')]//a")
    assert any("Saint-Étienne" in a.text_content() for a in suggestions)
    assert suggestions[0].get("hx-get").startswith("/fiches/F1726/ou-s-adresser?place=insee%3A")


def test_fiche_page_shows_the_body_stored_by_the_import(client: Any, db: Any) -> None:
    from sqlalchemy import update

    from allo.kb import stored_html
    from allo.kb.models import Fiche

    stored = '<div class="allo-fiche"><p id="corps-stocke">Corps rendu à l’import</p></div>'
    db.execute(
        update(Fiche)
        .where(Fiche.id == LOST_REGISTRATION)
        .values(html=stored, html_renderer=stored_html.RENDERER)
    )
    db.flush()
    doc = _doc(client.get(f"/fiches/{LOST_REGISTRATION}", headers=HTML))
    assert doc.get_element_by_id("corps-stocke").text == "Corps rendu à l’import"


def test_fiche_without_local_office_has_no_box(client: Any, db: Any) -> None:
    fiche = kb.list_fiches(db, source="travail", limit=1)[0]
    assert not fiche.pivots
    doc = _doc(client.get(f"/fiches/{fiche.id}", headers=HTML))
    assert doc.findtext(".//h1") == fiche.title
    assert not doc.xpath("//section[@id='ou-s-adresser']")


@pytest.mark.parametrize("fiche_id", ["F0000000", "x" * 300, "F1726<script>"])
def test_unknown_fiche_is_a_french_404_page(client: Any, fiche_id: str) -> None:
    response = client.get(f"/fiches/{fiche_id}", headers=HTML)
    assert response.status_code == 404
    doc = lxml.html.fromstring(response.text)
    assert doc.findtext(".//h1") == "Page non trouvée"
    assert "<script>" not in response.text.split("<main", 1)[1].split("</main>", 1)[0]


def test_directory_page_finds_the_caf_of_a_postal_code(client: Any) -> None:
    doc = _doc(client.get("/ou-s-adresser", params={"place": "42000", "type": "caf"}))
    assert doc.findtext(".//h1") == "Où s’adresser ?"
    heading = doc.xpath("//div[@id='annuaire-resultats']/h2")[0].text_content()
    assert heading == "Caisse d'allocations familiales (CAF) pour Saint-Étienne (42)"
    cards = doc.xpath("//div[@id='annuaire-resultats']//article")
    assert 1 <= len(cards) <= 5
    assert doc.xpath("//select[@name='type']/optgroup/option[@selected]/@value") == ["caf"]


def test_directory_page_without_place_explains_what_to_do(client: Any) -> None:
    doc = _doc(client.get("/ou-s-adresser", headers=HTML))
    assert doc.xpath("//div[@id='annuaire-resultats']/div[contains(@class,'fr-callout')]")
    assert doc.xpath("//select[@name='type']/optgroup/option[@selected]/@value") == ["mairie"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"place": "Sant-Etiene", "type": "mairie"}, "Commune introuvable"),
        ({"place": "42000", "type": "n-existe-pas"}, "type d’organisme est inconnu"),
        ({"place": "99999", "type": "mairie"}, "99999"),
    ],
)
def test_directory_page_errors_are_french(
    client: Any, params: dict[str, str], message: str
) -> None:
    doc = _doc(client.get("/ou-s-adresser", params=params, headers=HTML))
    alert = doc.xpath("//div[@id='annuaire-erreur']")[0]
    assert message in alert.text_content()


def test_cases_become_an_accordion_group_and_keep_their_content() -> None:
    html = (
        '<div class="allo-fiche"><p>avant</p><div class="allo-cas-bloc" data-cas="2">'
        '<section class="allo-cas" aria-labelledby="cas-1"><h3 class="allo-cas__titre" id="cas-1">'
        '<span class="allo-cas__prefixe">Cas : </span>Vous êtes salarié</h3><p>Texte 1</p></section>'
        '<section class="allo-cas" aria-labelledby="cas-2"><h3 class="allo-cas__titre" id="cas-2">'
        '<span class="allo-cas__prefixe">Cas : </span>Vous êtes <em>fonctionnaire</em></h3>'
        "<p>Texte 2</p><ul><li>a</li></ul></section></div></div>"
    )
    doc = lxml.html.fromstring(layout(html))
    group = doc.xpath("//div[contains(@class,'fr-accordions-group')]")[0]
    sections = group.xpath("./section[contains(@class,'fr-accordion')]")
    assert len(sections) == 2
    button = sections[1].xpath(".//h3[@id='cas-2']/button[@class='fr-accordion__btn']")[0]
    assert button.text_content() == "Cas : Vous êtes fonctionnaire"
    assert button.get("aria-expanded") == "false"
    collapse = doc.xpath(f"//*[@id='{button.get('aria-controls')}']")[0]
    assert collapse.get("class") == "fr-collapse"
    assert [p.text for p in collapse.xpath("./p")] == ["Texte 2"]
    assert collapse.xpath("./ul/li/text()") == ["a"]
    assert doc.xpath("//p/text()")[0] == "avant"


def test_html_without_cases_is_left_untouched() -> None:
    html = '<div class="allo-fiche"><p>Rien à changer &amp; tant mieux</p></div>'
    assert layout(html) == html


def test_suggestions_complete_with_search_results_when_no_title_has_every_word(
    client: Any,
) -> None:
    response = client.get(
        "/recherche/suggestions", params={"q": "carte grise perdue"}, headers=HTMX
    )
    links = lxml.html.fromstring(response.text).xpath("//a/@href")
    assert f"/fiches/{LOST_REGISTRATION}" in links[:-1]
    assert len(links) == len(set(links))


def test_results_are_paged_ten_by_ten(client: Any) -> None:
    first = _doc(client.get("/recherche", params={"q": "carte grise"}, headers=HTML))
    second = _doc(client.get("/recherche", params={"q": "carte grise", "page": 2}))
    links1 = first.xpath("//ul[@class='allo-results']//h3/a/@href")
    links2 = second.xpath("//ul[@class='allo-results']//h3/a/@href")
    assert len(links1) == 10 and links2
    assert not set(links1) & set(links2)
    nav = first.xpath("//nav[contains(@class,'fr-pagination')]")[0]
    assert nav.xpath(".//a[@aria-current='page']/text()") == ["1"]
    assert nav.xpath(".//a[contains(@class,'--next')]/@href") == ["/recherche?q=carte+grise&page=2"]
    assert second.xpath("//h2[@role='status']/text()")[0].startswith("Résultats 11 à")


def test_cached_fiche_page_follows_an_edit_of_the_fiche(
    client: Any, db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from allo.db.base import utcnow
    from allo.web.pages._fiche_html import PageCache

    monkeypatch.setattr(PageCache, "VERSION_CHECK", 0.0)
    first = client.get(f"/fiches/{LOST_REGISTRATION}", headers=HTML)
    assert client.get(f"/fiches/{LOST_REGISTRATION}", headers=HTML).text == first.text
    fiche = kb.get_fiche(db, LOST_REGISTRATION)
    fiche.title = "Carte grise perdue : titre modifié par la rédaction"
    fiche.updated_at = utcnow()
    db.flush()
    edited = _doc(client.get(f"/fiches/{LOST_REGISTRATION}", headers=HTML))
    assert edited.findtext(".//h1") == "Carte grise perdue : titre modifié par la rédaction"


@pytest.mark.parametrize(("setting", "semantic"), [("lexical", False), ("hybrid", True)])
def test_the_portal_ranking_follows_its_setting(
    runtime: Any, monkeypatch: Any, setting: str, semantic: bool
) -> None:
    from dataclasses import replace

    from fastapi.testclient import TestClient

    from allo.search.service import get_search_service
    from allo.web.app import create_app

    monkeypatch.setattr(runtime, "settings", replace(runtime.settings, portal_search=setting))
    service = get_search_service(runtime)
    asked: list[object] = []
    search = service.search

    def spy(*args: Any, **kwargs: Any) -> Any:
        asked.append(kwargs.get("semantic"))
        return search(*args, **kwargs)

    monkeypatch.setattr(service, "search", spy)
    with TestClient(create_app(runtime=runtime)) as client:
        doc = _doc(client.get("/recherche?q=carte+grise+perdue", headers=HTML))
    assert asked == [semantic]
    assert doc.xpath(f"//a[starts-with(@href, '/fiches/{LOST_REGISTRATION}')]")
