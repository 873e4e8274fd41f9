"""The pages every French public website must have: linked from the footer, fed by settings."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import lxml.html

from allo.runtime import Runtime
from tests.web.conftest import HTML

LEGAL = {
    "/accessibilite": "Déclaration d’accessibilité",
    "/mentions-legales": "Mentions légales",
    "/donnees-personnelles": "Données personnelles",
    "/plan-du-site": "Plan du site",
}


def _doc(response: Any) -> Any:
    assert response.status_code == 200, response.text[:300]
    return lxml.html.fromstring(response.text)


def test_footer_links_every_legal_page(client: Any) -> None:
    for url in ("/", "/recherche", "/ou-s-adresser"):
        footer = _doc(client.get(url, headers=HTML)).xpath("//footer//a/@href")
        assert set(LEGAL) <= set(footer), url
    for url, title in LEGAL.items():
        assert _doc(client.get(url, headers=HTML)).findtext(".//h1") == title


def test_operator_comes_from_the_settings(client: Any, runtime: Runtime) -> None:
    runtime.settings = replace(
        runtime.settings,
        operator_name="Préfecture de la Loire",
        operator_email="dpo@loire.gouv.fr",
        publication_director="La préfète",
        hosting_provider="Centre serveur de l’État, Paris",
    )
    notice = _doc(client.get("/mentions-legales", headers=HTML)).text_content()
    assert "Préfecture de la Loire" in notice and "La préfète" in notice
    assert "Centre serveur de l’État" in notice
    access = _doc(client.get("/accessibilite", headers=HTML))
    assert "mailto:dpo@loire.gouv.fr" in access.xpath("//a/@href")
    assert "non conforme" in access.text_content()


def test_personal_data_states_the_real_retention(client: Any, runtime: Runtime) -> None:
    runtime.settings = replace(runtime.settings, retention_days=30)
    text = _doc(client.get("/donnees-personnelles", headers=HTML)).text_content()
    assert "effacé 30 jours après" in text
    assert "valable 30 jours" in text  # the private link never outlives the text
    runtime.settings = replace(runtime.settings, retention_days=365)
    text = _doc(client.get("/donnees-personnelles", headers=HTML)).text_content()
    assert "effacé 365 jours après" in text and "valable 60 jours" in text
    assert "non renseignée" in text  # no e-mail configured: said, not hidden


def test_sitemap_links_resolve(client: Any) -> None:
    links = _doc(client.get("/plan-du-site", headers=HTML)).xpath(
        "//main//a/@href | //div[@class='fr-container fr-pb-8w']//a/@href"
    )
    assert set(LEGAL) <= set(links)
    for href in links:
        assert client.get(href, headers=HTML).status_code == 200, href
