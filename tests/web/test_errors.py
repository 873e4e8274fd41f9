"""Validation errors answer in French, field by field, for the API and the pages alike."""

from __future__ import annotations

from typing import Any

HTML = {"Accept": "text/html"}


def test_a_wrong_type_says_what_was_expected_and_what_was_read(client: Any) -> None:
    response = client.get("/api/search", params={"q": "caf", "limit": "abc"})
    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == "Données invalides — limit : nombre entier attendu, lu 'abc'."
    assert body["errors"] == [
        {"champ": "limit", "erreur": "nombre entier attendu, lu 'abc'", "type": "int_parsing"}
    ]


def test_a_choice_lists_the_choices_in_french(client: Any) -> None:
    response = client.get("/api/search", params={"q": "caf", "audience": "xyz"})
    assert response.status_code == 422
    reason = response.json()["errors"][0]["erreur"]
    assert reason == "choix attendu parmi 'particuliers', 'professionnels' ou 'associations'"


def test_several_errors_are_each_said(client: Any) -> None:
    response = client.get("/api/search", params={"q": "caf", "limit": "x", "audience": "y"})
    detail = response.json()["detail"]
    assert "limit : nombre entier attendu" in detail and "audience : choix attendu" in detail
    assert "should" not in detail.lower() and "input" not in detail.lower()


def test_a_page_says_the_limit_without_echoing_a_huge_text(client: Any) -> None:
    typed = "démarche" * 700  # 5,600 characters
    response = client.get("/recherche", params={"q": typed}, headers=HTML)
    assert response.status_code == 422
    assert "Données invalides — Recherche : au plus 2\u202f000 caractères." in response.text
    assert typed[:200] not in response.text


def test_a_page_names_the_field_as_its_form_does_the_api_as_the_request_does(client: Any) -> None:
    page = client.get("/recherche", params={"q": "caf", "page": "deux"}, headers=HTML)
    assert page.status_code == 422
    assert "Numéro de page : nombre entier attendu, lu &#39;deux&#39;." in page.text
    api = client.get("/api/search", params={"q": "caf", "limit": "deux"}, headers=HTML)
    assert api.json()["detail"].startswith("Données invalides — limit : ")


def test_unreadable_json_is_the_request_s_fault_not_a_field_s(login: Any) -> None:
    client = login("advisor")
    response = client.post(
        "/api/contacts", content=b"{pas du json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == "Données invalides — la requête : JSON illisible."
    assert body["errors"][0]["champ"] is None
